/**
 * What an incident is, as the detector tracks it, the store keeps it and the summary
 * phrases it. Times are epoch milliseconds of bucket starts.
 */
import { toIso } from "./buckets";

/** A level stated after the peak: "had fallen to about 9,000 by midnight". */
export interface Falloff {
  /** Start of the bucket whose count is stated. */
  at: number;
  count: number;
}

/** The upstream an incident is ascribed to, as the incident record and messages name it. */
export interface LikelyUpstream {
  /** The upstream's service id. */
  service: string;
  /**
   * `stated` when a provider's source stated it, `incident` when it is the upstream
   * service's own incident.
   */
  kind: "stated" | "incident";
  /** The stated record (`<service>#<source>#<key>`) or the upstream's incident id. */
  ref: string;
  /** Whether the service declared the dependency (`dependsOn`), or it was inferred from a wave. */
  declared: boolean;
  /** One line: "AWS us-east-1: Increased error rates", or the upstream's name alone. */
  text: string;
}

/** One incident of one service, from its first abnormal bucket to its resolution. */
export interface Incident {
  /** Deterministic: the service and the start bucket (see {@link incidentId}). */
  id: string;
  service: string;
  /** First abnormal bucket of the surge that opened the incident. */
  startedAt: number;
  /** Bucket at which the confirmation rule was met and the incident opened. */
  openedAt: number;
  /** The count in the bucket that opened it, and the baseline then. */
  countAtOpen: number;
  baselineAtOpen: number;
  peak: { count: number; at: number };
  falloffs: Falloff[];
  /** Start of the first bucket of the quiet run that resolved it; null while open. */
  resolvedAt: number | null;
  /** Other services whose incidents overlapped this one. */
  correlatedWith: string[];
  /**
   * What it is ascribed to, once named (see `domain/upstream.ts`): set on the incident
   * record, never in the detector's state.
   */
  likelyUpstream?: LikelyUpstream;
}

/**
 * A transition worth recording once and notifying once: opened, resolved, or an update
 * when the peak passes a configured multiple of the count at opening.
 */
export type IncidentTransition = "opened" | "resolved" | "update";

/** Something the detector decided at one bucket. */
export interface IncidentEvent {
  type: "opened" | "resolved" | "peak" | "falloff";
  /** The bucket that caused it. */
  at: number;
  /** The incident as it stands after the event. */
  incident: Incident;
}

/** The readable timeline of one incident. */
export interface IncidentSummary {
  /** Email subject: one line, under 100 characters. */
  subject: string;
  /** Full timeline for email and the API. */
  text: string;
  /** At most 160 GSM-7 characters, written to fit. */
  sms: string;
}

/**
 * The id of the incident of `service` that started at `startedAt`, stable across re-runs
 * so that writes keyed by it are idempotent.
 * @example incidentId("t-mobile", Date.parse("2023-02-14T01:50:00Z")) // "t-mobile-20230214T0150Z"
 */
export function incidentId(service: string, startedAt: number): string {
  const iso = toIso(startedAt);
  return `${service}-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** Splits an incident id into service and start time; null when it is not one. */
export function parseIncidentId(id: string): { service: string; startedAt: number } | null {
  const match = /^([a-z0-9-]+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(id);
  if (!match) return null;
  const [, service, y, mo, d, h, mi] = match;
  const startedAt = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:00Z`);
  if (!service || Number.isNaN(startedAt)) return null;
  return { service, startedAt };
}

/** The incident as JSON for the API and the backtest (ISO-8601 UTC times). */
export function incidentToJson(incident: Incident) {
  return {
    id: incident.id,
    service: incident.service,
    startedAt: toIso(incident.startedAt),
    openedAt: toIso(incident.openedAt),
    resolvedAt: incident.resolvedAt === null ? null : toIso(incident.resolvedAt),
    countAtOpen: incident.countAtOpen,
    baselineAtOpen: incident.baselineAtOpen,
    peak: { count: incident.peak.count, at: toIso(incident.peak.at) },
    falloffs: incident.falloffs.map((f) => ({ at: toIso(f.at), count: f.count })),
    correlatedWith: [...incident.correlatedWith],
    likelyUpstream: incident.likelyUpstream
      ? {
          service: incident.likelyUpstream.service,
          text: incident.likelyUpstream.text,
          declared: incident.likelyUpstream.declared,
        }
      : null,
  };
}

/**
 * When the incident last changed, from its own record: the latest of its opening, its
 * peak, its falloffs and its resolution. The same record always gives the same time,
 * so a feed's `updated` (and its ETag) moves only when the incident does.
 * @example lastChangedAt(incident) // incident.resolvedAt once resolved
 */
export function lastChangedAt(incident: Incident): number {
  return Math.max(
    incident.openedAt,
    incident.peak.at,
    ...incident.falloffs.map((falloff) => falloff.at),
    incident.resolvedAt ?? Number.NEGATIVE_INFINITY,
  );
}
