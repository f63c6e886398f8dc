/**
 * Reading the AWS Health Dashboard's current events (`/public/currentevents`, a JSON
 * array of events; undocumented by AWS, so read tolerantly): each event checked with
 * zod's mini build, one that cannot be read skipped and counted, the rest placed by
 * region and service and read as a level (0-3), annotations and stated incidents.
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { feedPayloadError, fieldPath, oneLine, scopesOf } from "../status-text";

/**
 * Level of each status word, for a feed that writes words rather than the codes 0-3 it
 * writes today (`"3"` at the top, `1` in `event_log`): 0 resolved, 1 informational,
 * 2 degradation, 3 disruption, as the dashboard's legend and public clients of the feed
 * read the codes.
 */
const STATUS_WORDS: Readonly<Record<string, number>> = {
  resolved: 0,
  operational: 0,
  informational: 1,
  information: 1,
  degradation: 2,
  degraded: 2,
  disruption: 3,
  outage: 3,
};

/** How a level reads in an annotation. */
const LEVEL_WORDS = ["resolved", "informational", "degradation", "disruption"] as const;

const stamp = z.union([z.number(), z.string()]);

const LogEntrySchema = z.looseObject({
  summary: z.nullish(z.string()),
  message: z.nullish(z.string()),
  status: z.nullish(stamp),
  timestamp: z.nullish(stamp),
});

/** One event: the fields read here, all but `service` optional; others are let through. */
const EventSchema = z.looseObject({
  date: z.nullish(stamp),
  arn: z.nullish(z.string()),
  region_name: z.nullish(z.string()),
  status: z.nullish(stamp),
  service: z.string(),
  service_name: z.nullish(z.string()),
  summary: z.nullish(z.string()),
  end_time: z.nullish(stamp),
  event_log: z.nullish(z.array(LogEntrySchema)),
  // An object keyed by service id; read by hand below (a zod record costs the bundle 2 KB).
  impacted_services: z.nullish(z.looseObject({})),
});

type RawEvent = z.infer<typeof EventSchema>;

/** One entry of an event's log, dated. */
export interface AwsLogEntry {
  at: number;
  /** The raw timestamp, as the annotation key. */
  stamp: string;
  summary: string | null;
  level: number | null;
}

/** An event of the feed, placed by region and service. */
export interface AwsEvent {
  /** The event's ARN, else its service and date. */
  key: string;
  title: string;
  /** Lower-case region code (`us-east-1`), `global` for AWS's global services. */
  region: string;
  /** The service id without its region (`ec2` of `ec2-us-east-1`), lower-case. */
  serviceId: string;
  serviceName: string | null;
  /** 0 over … 3 disruption: the event's status, 0 once its log or end time says it is over. */
  level: number;
  /** Epoch ms; NaN when the feed gives no time. */
  startedAt: number;
  /** Oldest first. */
  log: AwsLogEntry[];
  /** The services a multi-service event lists, without their regions. */
  impacted: { id: string; name: string | null }[];
}

/** Which events count: regions and services (see `AwsHealthSourceSchema`), when given. */
export interface AwsFilters {
  regions?: readonly string[];
  services?: readonly string[];
}

/** A 0-3 level of a status code or word; null when it is neither. */
export function statusLevel(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim().toLowerCase();
  if (/^[0-3]$/.test(text)) return Number(text);
  return STATUS_WORDS[text] ?? null;
}

/**
 * Epoch ms of a feed time: epoch seconds (`date`, `event_log[].timestamp`), as a number
 * or a string; a value too large for seconds is taken as milliseconds. NaN when unreadable.
 */
function feedTime(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === "") return Number.NaN;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) return Number.NaN;
  return number > 1e11 ? number : number * 1000;
}

/** The region at the end of a service id (`ec2-us-east-1`); region codes are short. */
const REGION_SUFFIX = /-([a-z]{2}(?:-[a-z]+)+-\d{1,2})$/;

/** The region of an event: the ARN's (`arn:aws:health:us-east-1::event/…`), else the service's. */
function regionOf(arn: string | null | undefined, service: string): string {
  const fromArn = arn?.split(":")[3]?.trim().toLowerCase();
  if (fromArn) return fromArn;
  return REGION_SUFFIX.exec(service.slice(-40))?.[1] ?? "global";
}

/** A service id without its region suffix, lower-case. */
function withoutRegion(service: string, region: string): string {
  const id = service.trim().toLowerCase();
  if (id.endsWith(`-${region}`)) return id.slice(0, -(region.length + 1));
  const suffix = REGION_SUFFIX.exec(id.slice(-40));
  return suffix ? id.slice(0, -suffix[0].length) : id;
}

/** The `service_name` of an `impacted_services` entry, when it has a readable one. */
function nameOf(service: unknown): string | null {
  const name = (service as { service_name?: unknown } | null)?.service_name;
  return typeof name === "string" && name.trim() ? name.trim() : null;
}

/** An event placed and dated (see {@link AwsEvent}). */
function placed(raw: RawEvent): AwsEvent {
  const region = regionOf(raw.arn, raw.service);
  const log = (raw.event_log ?? [])
    .map((entry) => ({
      at: feedTime(entry.timestamp),
      stamp: String(entry.timestamp ?? ""),
      summary: entry.summary?.trim() || null,
      level: statusLevel(entry.status),
    }))
    .filter((entry) => !Number.isNaN(entry.at))
    .sort((a, b) => a.at - b.at);
  const newest = [...log].reverse().find((entry) => entry.level !== null);
  // The event's status is its level; a public client of the feed records that it stays at
  // the peak after recovery, so a newest log entry at 0 or an end time means it is over.
  const over = newest?.level === 0 || !Number.isNaN(feedTime(raw.end_time));
  const level = over ? 0 : (statusLevel(raw.status) ?? newest?.level ?? 1);
  const date = feedTime(raw.date);
  const serviceId = withoutRegion(raw.service, region);
  return {
    key: raw.arn?.trim() || `${raw.service}:${raw.date ?? ""}`,
    title: raw.summary?.trim() || log.at(-1)?.summary || raw.service_name?.trim() || serviceId,
    region,
    serviceId,
    serviceName: raw.service_name?.trim() || null,
    level,
    startedAt: Number.isNaN(date) ? (log[0]?.at ?? Number.NaN) : date,
    log,
    impacted: Object.entries(raw.impacted_services ?? {}).map(([id, service]) => ({
      id: withoutRegion(id, region),
      name: nameOf(service),
    })),
  };
}

/** The events the feed lists, and how many of its entries could not be read. */
export interface AwsFeed {
  events: AwsEvent[];
  skipped: number;
}

/**
 * The feed's events. An entry that cannot be read (no `service`, a field of the wrong
 * type) is skipped and counted, so one odd event does not hide the others.
 * @throws SourceHttpError (`invalid-payload`, not retried) when the document is not an
 * array, or when none of its entries can be read (naming how many and the first field)
 */
export function parseAwsFeed(document: unknown, url: string): AwsFeed {
  const hint =
    "check that the source's url is the AWS Health Dashboard (e.g. 'https://health.aws.amazon.com')";
  if (!Array.isArray(document)) {
    throw feedPayloadError(url, "is not the AWS Health feed (expected an array of events)", hint);
  }
  const events: AwsEvent[] = [];
  let firstProblem = "";
  for (let index = 0; index < document.length; index += 1) {
    const parsed = EventSchema.safeParse(document[index]);
    if (parsed.success) {
      events.push(placed(parsed.data));
    } else if (!firstProblem) {
      const issue = parsed.error.issues[0];
      firstProblem = `${fieldPath([index, ...(issue?.path ?? [])])}: ${issue?.message ?? "does not match"}`;
    }
  }
  const skipped = document.length - events.length;
  if (document.length > 0 && events.length === 0) {
    throw feedPayloadError(
      url,
      `is not the AWS Health feed: none of its ${skipped} entries could be read (the first: ${firstProblem})`,
      hint,
    );
  }
  return { events, skipped };
}

/**
 * True for a current event (level above 0) in one of the regions and of one of the
 * services asked for. A service matches by id without region (`ec2`) or by name, the
 * event's own or one of the services it lists as impacted. `global` is a region like the
 * others: list it to count AWS's global services.
 */
export function matchesAwsFilters(event: AwsEvent, filters: AwsFilters): boolean {
  if (event.level === 0) return false;
  const { regions, services } = filters;
  if (regions && regions.length > 0) {
    if (!regions.some((r) => r.trim().toLowerCase() === event.region)) return false;
  }
  if (services && services.length > 0) {
    const wanted = new Set(services.map((s) => s.trim().toLowerCase()));
    const names = [
      event.serviceId,
      event.serviceName,
      ...event.impacted.flatMap((s) => [s.id, s.name]),
    ];
    if (!names.some((name) => name !== null && wanted.has(name.toLowerCase()))) return false;
  }
  return true;
}

/** The worst level among `events` (current and filtered), 0 when there are none. */
export function worstAwsLevel(events: readonly AwsEvent[]): number {
  return events.reduce((worst, event) => Math.max(worst, event.level), 0);
}

/**
 * Annotations for current events: the first log entry (or the event's date) as the
 * acknowledgement, each later entry as an update; entries dated after `nowMs` wait.
 * @example awsAnnotations("AWS", events, Date.now())
 */
export function awsAnnotations(
  displayName: string,
  events: readonly AwsEvent[],
  nowMs: number,
): SourceAnnotation[] {
  const annotations: SourceAnnotation[] = [];
  for (const event of events) {
    const name = `${oneLine(event.title)} (${event.serviceName ?? event.serviceId}, ${event.region})`;
    const acknowledged = `${displayName} acknowledged an incident: ${name}`;
    if (event.log.length === 0 && event.startedAt <= nowMs) {
      annotations.push({ at: event.startedAt, key: `${event.key}:start`, text: acknowledged });
    }
    event.log.forEach((entry, index) => {
      if (entry.at > nowMs) return;
      // The entries mostly repeat the event's summary; their status is what moved.
      const said = entry.level === null ? "update" : (LEVEL_WORDS[entry.level] ?? "update");
      const text =
        index === 0 ? acknowledged : `${displayName} posted an update on ${name}: ${said}`;
      annotations.push({ at: entry.at, key: `${event.key}:${entry.stamp}`, text });
    });
  }
  return annotations.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/**
 * The events as stated: the ARN, the summary as written, when it began (the read's time
 * when the feed does not say) and, as scopes, the region and the service ids (the
 * event's, then those it lists as impacted), lower-case.
 * @example awsStated(events, Date.now())[0]?.scopes // ["us-east-1", "ec2"]
 */
export function awsStated(events: readonly AwsEvent[], nowMs: number): StatedIncident[] {
  return events.map((event) => ({
    key: event.key,
    title: event.title,
    startedAt: Number.isNaN(event.startedAt) ? nowMs : event.startedAt,
    scopes: scopesOf([event.region, event.serviceId, ...event.impacted.map((s) => s.id)]),
    ...(event.region ? { where: event.region } : {}),
  }));
}
