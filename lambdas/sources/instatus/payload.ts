/**
 * Reading an Instatus public `summary.json` (https://instatus.com/help/api/public-data):
 * the page's status and its active incidents' impacts as a level (0-3), and its active
 * incidents and maintenances as timeline annotations.
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import { parseIso } from "../../domain/buckets";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { SourceHttpError } from "../../http/fetch-with-policy";
import { oneLine } from "../status-text";

/** An incident of `activeIncidents` (the fields read here; others are let through). */
const IncidentSchema = z.looseObject({
  id: z.optional(z.string()),
  name: z.string(),
  started: z.nullish(z.string()),
  status: z.string(),
  impact: z.nullish(z.string()),
  url: z.nullish(z.string()),
  updatedAt: z.nullish(z.string()),
});

/** A maintenance of `activeMaintenances` (the fields read here; others are let through). */
const MaintenanceSchema = z.looseObject({
  id: z.optional(z.string()),
  name: z.string(),
  start: z.nullish(z.string()),
  status: z.string(),
  /** Minutes, as a string in the documentation's example. */
  duration: z.nullish(z.union([z.string(), z.number()])),
  url: z.nullish(z.string()),
  updatedAt: z.nullish(z.string()),
});

/**
 * The summary document. Pages leave `activeIncidents` and `activeMaintenances` out
 * when they are empty.
 */
export const InstatusSummarySchema = z.looseObject({
  page: z.looseObject({
    name: z.string(),
    url: z.nullish(z.string()),
    status: z.string(),
  }),
  activeIncidents: z.optional(z.array(IncidentSchema)),
  activeMaintenances: z.optional(z.array(MaintenanceSchema)),
});

/** A validated `summary.json`. */
export type InstatusSummary = z.infer<typeof InstatusSummarySchema>;
/** An active incident of a summary. */
export type InstatusIncident = z.infer<typeof IncidentSchema>;
/** An active maintenance of a summary. */
export type InstatusMaintenance = z.infer<typeof MaintenanceSchema>;

/**
 * Level of each incident impact (the component statuses Instatus uses); impacts not
 * listed count 0. Instatus has both a partial and a minor outage, both 2.
 */
export const IMPACT_LEVELS: Readonly<Record<string, number>> = {
  OPERATIONAL: 0,
  UNDERMAINTENANCE: 0,
  DEGRADEDPERFORMANCE: 1,
  PARTIALOUTAGE: 2,
  MINOROUTAGE: 2,
  MAJOROUTAGE: 3,
};

/** The least level of each page status, whatever its incidents say; others count 0. */
const PAGE_LEVELS: Readonly<Record<string, number>> = {
  UP: 0,
  UNDERMAINTENANCE: 0,
  HASISSUES: 1,
};

/** How an incident status after the first is phrased. */
const UPDATE_WORDS: Readonly<Record<string, string>> = {
  IDENTIFIED: "cause identified",
  MONITORING: "monitoring",
};

/**
 * The summary in `document`, validated.
 * @throws SourceHttpError naming the first field that does not match, not retryable
 */
export function instatusSummary(document: unknown, url: string): InstatusSummary {
  const parsed = InstatusSummarySchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length
    ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")
    : "";
  throw new SourceHttpError(
    `GET ${url} is not an Instatus summary (${field ? `'${field.replace(/^\./, "")}': ` : ""}${issue?.message ?? "unreadable"}); check that the source's url is the Instatus page's address (e.g. 'https://status.railway.com')`,
    { url, retryable: false, reason: "invalid-payload" },
  );
}

/**
 * The page's level: the worst impact of its unresolved incidents, at least 1 while the
 * page says it has issues.
 * @example summaryLevel({ page: { name: "Railway", status: "HASISSUES" } }) // 1
 */
export function summaryLevel(summary: InstatusSummary): number {
  const floor = PAGE_LEVELS[summary.page.status] ?? 0;
  return (summary.activeIncidents ?? [])
    .filter((incident) => incident.status !== "RESOLVED")
    .reduce((worst, incident) => Math.max(worst, IMPACT_LEVELS[incident.impact ?? ""] ?? 0), floor);
}

/**
 * The unresolved incidents as stated incidents. The summary names no components, so each
 * stands for the whole page.
 */
export function summaryStated(summary: InstatusSummary, nowMs: number): StatedIncident[] {
  return (summary.activeIncidents ?? [])
    .filter((incident) => incident.status !== "RESOLVED")
    .map((incident) => {
      const started = instatusTime(incident.started);
      return {
        key: itemKey(incident, "incident"),
        title: incident.name,
        startedAt: Number.isNaN(started) ? nowMs : started,
        scopes: [],
      };
    });
}

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

/**
 * Epoch ms of a summary time (NaN when unreadable): ISO-8601 (fractions past
 * milliseconds cut), or JavaScript's `Date#toString` form of the documentation's example,
 * `Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal Time)`.
 */
export function instatusTime(text: string | null | undefined): number {
  if (typeof text !== "string") return Number.NaN;
  const iso = parseIso(text.replace(/(\.\d{3})\d+/, "$1"));
  if (!Number.isNaN(iso)) return iso;
  const spoken =
    /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{2}) (\d{4}) (\d{2}:\d{2}:\d{2}) GMT([+-]\d{2})(\d{2})(?: \([^()]{0,80}\))?$/.exec(
      text,
    );
  const month = spoken ? MONTHS.indexOf(spoken[1] as string) : -1;
  if (!spoken || month < 0 || month % 3 !== 0) return Number.NaN;
  const [, , day, year, clock, zoneHours, zoneMinutes] = spoken;
  const mm = String(month / 3 + 1).padStart(2, "0");
  return parseIso(`${year}-${mm}-${day}T${clock}${zoneHours}:${zoneMinutes}`);
}

/** A stable key for an item without an id: its address, else its kind and name. */
function itemKey(item: { id?: string; url?: string | null; name: string }, kind: string): string {
  return item.id ?? item.url ?? `${kind}:${item.name}`;
}

/** The annotations of one active incident, as the Statuspage source words them. */
function incidentNotes(displayName: string, incident: InstatusIncident) {
  const key = itemKey(incident, "incident");
  const name = oneLine(incident.name);
  const started = instatusTime(incident.started);
  const updated = instatusTime(incident.updatedAt);
  const notes = [
    {
      at: started,
      key: `${key}:started`,
      text: `${displayName} acknowledged an incident: ${name}`,
    },
  ];
  if (incident.status === "RESOLVED") {
    notes.push({
      at: updated,
      key: `${key}:resolved`,
      text: `${displayName} reported ${name} resolved`,
    });
  } else if (UPDATE_WORDS[incident.status] && updated > started) {
    notes.push({
      at: updated,
      key: `${key}:${incident.status.toLowerCase()}`,
      text: `${displayName} posted an update on ${name}: ${UPDATE_WORDS[incident.status]}`,
    });
  }
  return { notes, closed: incident.status === "RESOLVED", last: updated };
}

/** The annotations of one maintenance that began: its start, and its end once completed. */
function maintenanceNotes(displayName: string, maintenance: InstatusMaintenance) {
  const key = itemKey(maintenance, "maintenance");
  const name = oneLine(maintenance.name);
  const start = instatusTime(maintenance.start);
  const notes = [
    { at: start, key: `${key}:started`, text: `${displayName} began planned maintenance: ${name}` },
  ];
  const closed = maintenance.status === "COMPLETED";
  const minutes = Number(maintenance.duration);
  const end = instatusTime(maintenance.updatedAt) || start + minutes * 60_000;
  if (closed) {
    notes.push({
      at: end,
      key: `${key}:completed`,
      text: `${displayName} completed planned maintenance: ${name}`,
    });
  }
  return { notes: maintenance.status === "NOTSTARTEDYET" ? [] : notes, closed, last: end };
}

/**
 * Annotations for the active incidents and the maintenances under way or completed;
 * a resolved incident or completed maintenance last updated before `sinceMs` is left
 * out, times after `nowMs` wait for a later read, and unreadable times are skipped.
 * @example summaryAnnotations("Railway", summary, Date.parse("2023-02-14T03:00:00Z"), Date.now())
 */
export function summaryAnnotations(
  displayName: string,
  summary: InstatusSummary,
  sinceMs: number,
  nowMs: number,
): SourceAnnotation[] {
  const items = [
    ...(summary.activeIncidents ?? []).map((incident) => incidentNotes(displayName, incident)),
    ...(summary.activeMaintenances ?? []).map((m) => maintenanceNotes(displayName, m)),
  ];
  return items
    .filter(({ closed, last }) => !closed || last >= sinceMs)
    .flatMap(({ notes }) => notes)
    .filter(({ at }) => !Number.isNaN(at) && at <= nowMs)
    .sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
