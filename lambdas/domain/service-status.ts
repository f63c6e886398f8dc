/**
 * What `GET /services` says of a service, derived from its detector state alone: its
 * status and its open incident. detect records it when it changes
 * (`lambdas/usecases/record-service-status.ts`), so listing services reads one small
 * item per service instead of its state and its series.
 */
import type { SERVICE_STATUSES } from "../../contract/catalog";
import type { DetectorState } from "./detector";

/**
 * normal: as expected; elevated: the newest bucket with a count was above what the
 * detector counts as quiet (the level that keeps an incident open); outage: an incident
 * is open.
 */
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** A service's status as recorded. */
export interface StatusRecord {
  status: ServiceStatus;
  /** The open incident's id; null unless the status is outage. */
  openIncident: string | null;
}

/** What a service with no detector state (or no record yet) shows. */
export const UNKNOWN_STATUS: StatusRecord = { status: "normal", openIncident: null };

/**
 * The status a detector state stands for: outage while it holds an open incident;
 * elevated while its newest counted bucket was not quiet. The detector keeps that run in
 * `state.elevated`, set exactly when a bucket is at or above `elevatedFrom(baseline)`
 * (the `isQuiet` rule, against the baseline the bucket was judged by) outside an
 * incident, and a gap leaves it as it was: a status is the detector's last judgment, as
 * an open incident stays open through gaps. Before the baseline has learned enough to
 * judge, nothing is elevated.
 * @example statusOf(null) // { status: "normal", openIncident: null }
 */
export function statusOf(state: DetectorState | null): StatusRecord {
  if (!state) return UNKNOWN_STATUS;
  if (state.incident) return { status: "outage", openIncident: state.incident.id };
  return { status: state.elevated ? "elevated" : "normal", openIncident: null };
}

/** Whether two records show the same thing (nothing to write). */
export function sameStatus(a: StatusRecord, b: StatusRecord): boolean {
  return a.status === b.status && a.openIncident === b.openIncident;
}
