/**
 * The likely upstream of an incident: when a wave of services opens together and a
 * provider says it has an incident of its own over the same time ("AWS us-east-1:
 * increased error rates"), that provider is named; and a service that declares what it
 * depends on (`dependsOn`) is matched against its upstreams first, whether or not others
 * opened with it.
 *
 * The providers' word comes from their status sources: each read states the incidents
 * the page or feed has not resolved (`SourceReading.stated`), collect keeps them as
 * {@link StatedRecord}s until a read no longer states them. Which record is named:
 * 1. A dependency of the service (`"aws:us-east-1"`, or a service id alone) whose source
 *    states an incident overlapping the opening, in that scope (a record without scopes
 *    covers them all); else a dependency service's own incident overlapping it.
 * 2. Otherwise, only when at least one other service's incident overlaps (a wave): a
 *    record of a provider service (`provider: true`, or one read from a provider feed)
 *    overlapping the opening.
 * Among several, the one that began closest to the start of the wave (of the incident
 * itself, for a declared dependency) is named: a cause comes just before its effects, a
 * page that has stated some other trouble for weeks is not what a wave of this minute is
 * about, and every member of a wave names the same one.
 */
import type { Incident, LikelyUpstream } from "./incident";
import { oneLine } from "./wording/incident-summary";

/** An incident a provider's source stated, as collect keeps it. */
export interface StatedRecord {
  /** The provider's service id. */
  service: string;
  /** The source that stated it. */
  source: string;
  /** The incident's key within the source. */
  key: string;
  title: string;
  /** Lower-case regions, products or components; empty: the provider as a whole. */
  scopes: string[];
  /** Where it is, as the format names it ("us-east-1"); null when it does not. */
  where: string | null;
  startedAt: number;
  /** When a read first no longer stated it; null while stated. */
  clearedAt: number | null;
}

/** One declared dependency: a service (a provider or any other), in a scope or all of it. */
export interface Dependency {
  service: string;
  /** Lower-case region, product or component; null: any. */
  scope: string | null;
}

/**
 * Reads a `dependsOn` entry: `"<service>"` or `"<service>:<scope>"`.
 * @example parseDependency("aws:us-east-1") // { service: "aws", scope: "us-east-1" }
 */
export function parseDependency(entry: string): Dependency {
  const colon = entry.indexOf(":");
  if (colon < 0) return { service: entry, scope: null };
  return { service: entry.slice(0, colon), scope: entry.slice(colon + 1).toLowerCase() };
}

/** What the inference is given about the services. */
export interface UpstreamServices {
  /** Display name of a service id (the id when unknown). */
  nameOf(service: string): string;
  /** The declared dependencies of a service. */
  dependenciesOf(service: string): readonly Dependency[];
  /** Whether a service's stated incidents may be named for any wave. */
  isProvider(service: string): boolean;
}

/** The longest title the one line keeps; the rest is cut at a word. */
const TITLE_MAX = 80;

function shortTitle(title: string): string {
  const line = oneLine(title);
  if (line.length <= TITLE_MAX) return line;
  const cut = line.slice(0, TITLE_MAX + 1).replace(/\s+\S*$/, "");
  return `${cut || line.slice(0, TITLE_MAX)}…`;
}

/** "AWS us-east-1: Increased error rates": the provider, the scope that matters, the title. */
function statedText(record: StatedRecord, scope: string | null, name: string): string {
  const where = scope ?? record.where ?? (record.scopes.length === 1 ? record.scopes[0] : null);
  const title = shortTitle(record.title);
  const head = where ? `${name} ${where}` : name;
  return title ? `${head}: ${title}` : head;
}

const overlaps = (
  a: { from: number; to: number },
  b: { from: number; to: number },
  slackMs: number,
) => a.from <= b.to + slackMs && b.from <= a.to + slackMs;

const inScope = (record: StatedRecord, scope: string | null) =>
  scope === null || record.scopes.length === 0 || record.scopes.includes(scope);

const recordRef = (record: StatedRecord) => `${record.service}#${record.source}#${record.key}`;

/** The candidate that began closest to `at`, the earlier on a tie. */
const closest = <T extends { startedAt: number; ref: string }>(list: T[], at: number) =>
  list.sort(
    (a, b) =>
      Math.abs(a.startedAt - at) - Math.abs(b.startedAt - at) ||
      a.startedAt - b.startedAt ||
      a.ref.localeCompare(b.ref),
  )[0];

/**
 * The likely upstream of `incident`, or null.
 *
 * @param incident - the incident (an open one extends to `nowMs`)
 * @param others - recent incidents of all services (the incident's own are skipped)
 * @param stated - what providers' sources stated lately
 * @param slackMs - how far apart spans may be and still count as together (the correlation window)
 * @example likelyUpstream(slack, [zoom], [awsUsEast1], services, 30 * 60_000, now)
 * // { service: "aws", kind: "stated", text: "AWS us-east-1: Increased error rates", … }
 */
export function likelyUpstream(
  incident: Incident,
  others: readonly Incident[],
  stated: readonly StatedRecord[],
  services: UpstreamServices,
  slackMs: number,
  nowMs: number,
): LikelyUpstream | null {
  const own = { from: incident.startedAt, to: incident.resolvedAt ?? nowMs };
  const spanOf = (record: StatedRecord) => ({
    from: record.startedAt,
    to: record.clearedAt ?? nowMs,
  });
  const live = stated.filter(
    (record) => record.service !== incident.service && overlaps(own, spanOf(record), slackMs),
  );

  // 1. What the service declared it depends on.
  const declared: (LikelyUpstream & { startedAt: number })[] = [];
  for (const dependency of services.dependenciesOf(incident.service)) {
    const name = services.nameOf(dependency.service);
    for (const record of live) {
      if (record.service !== dependency.service || !inScope(record, dependency.scope)) continue;
      declared.push({
        service: record.service,
        kind: "stated",
        ref: recordRef(record),
        declared: true,
        text: statedText(record, dependency.scope, name),
        startedAt: record.startedAt,
      });
    }
  }
  const fromStated = closest(declared, incident.startedAt);
  if (fromStated) return withoutStart(fromStated);
  const upstreamIncidents: (LikelyUpstream & { startedAt: number })[] = [];
  for (const dependency of services.dependenciesOf(incident.service)) {
    for (const other of others) {
      if (other.service !== dependency.service || other.id === incident.id) continue;
      const theirs = { from: other.startedAt, to: other.resolvedAt ?? nowMs };
      // The upstream's incident must have begun first (or with it): it holds the dependent's.
      if (other.startedAt > incident.startedAt || !overlaps(own, theirs, 0)) continue;
      upstreamIncidents.push({
        service: other.service,
        kind: "incident",
        ref: other.id,
        declared: true,
        text: services.nameOf(other.service),
        startedAt: other.startedAt,
      });
    }
  }
  const fromIncident = closest(upstreamIncidents, incident.startedAt);
  if (fromIncident) return withoutStart(fromIncident);

  // 2. A wave: a provider says it has an incident, and another service's incident
  // overlaps (looked for only then: a mass outage has thousands of incidents to scan).
  const providers = live
    .filter((record) => services.isProvider(record.service))
    .map((record) => ({
      service: record.service,
      kind: "stated" as const,
      ref: recordRef(record),
      declared: false,
      text: statedText(record, null, services.nameOf(record.service)),
      startedAt: record.startedAt,
    }));
  if (providers.length === 0) return null;
  const wave = others.filter(
    (other) =>
      other.service !== incident.service &&
      overlaps(own, { from: other.startedAt, to: other.resolvedAt ?? nowMs }, slackMs),
  );
  if (wave.length === 0) return null;
  // Measured from where the wave began, so every member of it names the same incident.
  const waveStart = Math.min(incident.startedAt, ...wave.map((other) => other.startedAt));
  const inferred = closest(providers, waveStart);
  return inferred ? withoutStart(inferred) : null;
}

function withoutStart({ startedAt: _, ...upstream }: LikelyUpstream & { startedAt: number }) {
  return upstream;
}

/** Source kinds that read a provider's own feed: a service read from one is a provider. */
export const PROVIDER_FEED_KINDS: ReadonlySet<string> = new Set(["aws-health", "gcp-status"]);

/** What the inference needs of a configured service. */
interface ServiceFacts {
  id: string;
  name: string;
  provider?: boolean | undefined;
  dependsOn?: readonly string[] | undefined;
  sources: readonly { kind: string }[];
}

/**
 * The services as the inference sees them: names, declared dependencies, and which are
 * providers (`provider`, by default true for a service read from a provider feed).
 * @example upstreamServices(config.services).isProvider("aws") // true
 */
export function upstreamServices(services: readonly ServiceFacts[]): UpstreamServices {
  const byId = new Map(services.map((s) => [s.id, s]));
  const dependencies = new Map(
    services.map((s) => [s.id, (s.dependsOn ?? []).map(parseDependency)]),
  );
  return {
    nameOf: (id) => byId.get(id)?.name ?? id,
    dependenciesOf: (id) => dependencies.get(id) ?? [],
    isProvider: (id) => {
      const service = byId.get(id);
      if (!service) return false;
      return service.provider ?? service.sources.some((s) => PROVIDER_FEED_KINDS.has(s.kind));
    },
  };
}
