/**
 * Reading a Statuspage v2 payload: the worst component level of `summary.json` and the
 * updates of its incidents as timeline annotations.
 */
import { parseIso } from "../../domain/buckets";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { SourceHttpError } from "../../http/fetch-with-policy";
import { namedComponents } from "../component-names";
import { oneLine } from "../status-text";

/** A component of `summary.json` (the fields read here). */
export interface StatuspageComponent {
  id: string;
  name: string;
  status: string;
  group?: boolean;
  group_id?: string | null;
  components?: string[];
}

/** An incident update as the public API returns it. */
export interface StatuspageIncidentUpdate {
  id: string;
  status: string;
  body?: string;
  created_at: string;
  display_at?: string;
}

/** An incident as the public API returns it (the fields read here). */
export interface StatuspageIncident {
  id: string;
  name: string;
  status: string;
  updated_at?: string | null;
  resolved_at?: string | null;
  created_at?: string;
  started_at?: string | null;
  incident_updates?: StatuspageIncidentUpdate[];
  /** The components the incident affects. */
  components?: { name?: string }[];
}

/** Level of each component status; statuses not listed are ignored. */
export const COMPONENT_LEVELS: Readonly<Record<string, number>> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};

/** Level of the page's overall indicator, used when the page lists no components. */
const INDICATOR_LEVELS: Readonly<Record<string, number>> = {
  none: 0,
  maintenance: 0,
  minor: 1,
  major: 2,
  critical: 3,
};

const CLOSED = new Set(["resolved", "postmortem", "completed"]);

/** How an update that is neither the first nor the resolution is phrased. */
const UPDATE_WORDS: Readonly<Record<string, string>> = {
  investigating: "investigating",
  identified: "cause identified",
  monitoring: "monitoring",
  postmortem: "postmortem published",
};

/** Fails a read whose document is not the Statuspage `what` expected. */
export function notAStatuspage(url: string, what: string): never {
  throw new SourceHttpError(
    `GET ${url} is not a Statuspage v2 ${what}; check that the source's url is the page's address (e.g. 'https://www.githubstatus.com')`,
    { url, retryable: false },
  );
}

/**
 * The worst component level on the page, among `only` (names, case-insensitive) when
 * given. A group counts with its members when its name is listed.
 * @throws Error naming the listed components the page does not have
 */
export function worstLevel(
  summary: { components?: StatuspageComponent[]; status?: { indicator?: string } },
  only?: readonly string[],
): number {
  const components = summary.components ?? [];
  let chosen = components;
  if (only && only.length > 0) {
    const listed = namedComponents(components, only);
    const groups = new Set(listed.filter((c) => c.group).map((c) => c.id));
    chosen = components.filter((c) => listed.includes(c) || (c.group_id && groups.has(c.group_id)));
  } else if (components.length === 0) {
    return INDICATOR_LEVELS[summary.status?.indicator ?? "none"] ?? 0;
  }
  return chosen.reduce((worst, c) => Math.max(worst, COMPONENT_LEVELS[c.status] ?? 0), 0);
}

/** Epoch ms of an API timestamp (NaN when unreadable); fractions past milliseconds are cut. */
function parseTime(text: string | null | undefined): number {
  return typeof text === "string" ? parseIso(text.replace(/(\.\d{3})\d+/, "$1")) : Number.NaN;
}

/**
 * Annotations for the updates of the incidents open now or updated since `sinceMs`;
 * updates dated after `nowMs` wait for a later read.
 * @example incidentAnnotations("T-Mobile", incidents, Date.parse("2023-02-14T03:00:00Z"), Date.now())
 */
export function incidentAnnotations(
  displayName: string,
  incidents: readonly StatuspageIncident[],
  sinceMs: number,
  nowMs: number,
): SourceAnnotation[] {
  const annotations: SourceAnnotation[] = [];
  for (const incident of incidents) {
    const updates = (incident.incident_updates ?? [])
      .map((update) => ({ update, at: parseTime(update.created_at) }))
      .filter(({ at }) => !Number.isNaN(at))
      .sort((a, b) => a.at - b.at);
    const updatedAt = Math.max(parseTime(incident.updated_at) || 0, ...updates.map(({ at }) => at));
    if (CLOSED.has(incident.status) && !(updatedAt >= sinceMs)) continue;
    const name = oneLine(incident.name);
    updates.forEach(({ update, at }, index) => {
      if (at > nowMs) return;
      let text: string;
      if (update.status === "resolved") {
        text = `${displayName} reported ${name} resolved`;
      } else if (
        index === 0 &&
        (update.status === "investigating" || update.status === "identified")
      ) {
        text = `${displayName} acknowledged an incident: ${name}`;
      } else {
        text = `${displayName} posted an update on ${name}: ${UPDATE_WORDS[update.status] ?? update.status}`;
      }
      annotations.push({ at, key: `${incident.id}:${update.id}`, text });
    });
  }
  return annotations.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/**
 * The unresolved incidents of a page as stated incidents: scoped by the components they
 * name, begun when they were started (or created; the read's time when neither parses).
 */
export function statedIncidents(
  incidents: readonly StatuspageIncident[],
  nowMs: number,
): StatedIncident[] {
  return incidents
    .filter((incident) => !CLOSED.has(incident.status))
    .map((incident) => {
      const started = parseIso(incident.started_at ?? incident.created_at ?? "");
      return {
        key: incident.id,
        title: incident.name,
        startedAt: Number.isNaN(started) ? nowMs : started,
        scopes: (incident.components ?? []).flatMap((c) =>
          typeof c?.name === "string" ? [c.name] : [],
        ),
      };
    });
}

/** Reads the incidents of a summary.json or incidents.json document. */
export function incidentsOf(document: unknown, url: string): StatuspageIncident[] {
  const incidents = (document as { incidents?: unknown } | null)?.incidents;
  if (!Array.isArray(incidents)) notAStatuspage(url, "document (no 'incidents' list)");
  return incidents.filter(
    (i): i is StatuspageIncident =>
      !!i && typeof i.id === "string" && typeof i.name === "string" && typeof i.status === "string",
  );
}
