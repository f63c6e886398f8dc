/**
 * Use case: one page of incidents, newest first, filtered by service and status. Steps:
 * 1. Read the store's pages from the cursor on (the store filters by start time only).
 * 2. Keep the incidents that match, until the page is full.
 * 3. Answer a cursor that continues right after the last incident answered, so none is
 *    skipped however the filters thin the store's pages out; stop after a bounded number
 *    of store pages and answer what was found, with the cursor to go on from.
 * A cursor carries the filters it was made for, so one sent with other filters is
 * refused instead of paging a listing it was not made for.
 */
import { createHash } from "node:crypto";
import { type IncidentStore, InvalidCursorError, type StoredIncident } from "../domain/ports";
import { incidentView } from "./query-status";

/** Store pages one request reads at most before answering with what it has. */
export const MAX_PAGES_PER_REQUEST = 20;

/** What listing needs. */
export interface ListIncidentsDependencies {
  incidents: IncidentStore;
}

/** Which incidents, and where to go on from. */
export interface IncidentFilters {
  service?: string | undefined;
  status?: "open" | "resolved" | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  limit: number;
  /** The `next` of a previous page. */
  cursor?: string | undefined;
}

/** A short digest of the filters a cursor is good for. */
function filterTag(filters: IncidentFilters): string {
  const { service, status, fromMs, toMs } = filters;
  const text = JSON.stringify([service ?? null, status ?? null, fromMs ?? null, toMs ?? null]);
  return createHash("sha256").update(text).digest("base64url").slice(0, 8);
}

/** The API's cursor: the store's position and the filters it was made for. */
function toCursor(position: string, filters: IncidentFilters): string {
  return `${filterTag(filters)}.${position}`;
}

/** The store's position in `cursor`, checked against the filters it is sent with. */
function positionOf(cursor: string, filters: IncidentFilters): string {
  const dot = cursor.indexOf(".");
  if (dot < 0) throw new InvalidCursorError();
  if (cursor.slice(0, dot) !== filterTag(filters)) {
    throw new InvalidCursorError("it was made for other filters");
  }
  return cursor.slice(dot + 1);
}

/**
 * One page of incidents.
 * @throws InvalidCursorError when `cursor` was not made by outcry, or for other filters
 * @example const { incidents, next } = await listIncidents(deps, { status: "open", limit: 20 });
 */
export async function listIncidents(deps: ListIncidentsDependencies, filters: IncidentFilters) {
  const { items, next } = await listStoredIncidents(deps, filters);
  return { incidents: items.map(incidentView), next };
}

/**
 * One page of incidents as stored (for views other than the API's, such as feeds).
 * @throws InvalidCursorError when `cursor` was not made by outcry, or for other filters
 */
export async function listStoredIncidents(
  deps: ListIncidentsDependencies,
  filters: IncidentFilters,
): Promise<{ items: StoredIncident[]; next: string | null }> {
  const { service, status, fromMs, toMs, limit } = filters;
  const matches = (stored: StoredIncident) =>
    (service === undefined || stored.incident.service === service) &&
    (status === undefined ||
      (stored.incident.resolvedAt === null ? "open" : "resolved") === status);
  const items: StoredIncident[] = [];
  let after = filters.cursor === undefined ? undefined : positionOf(filters.cursor, filters);
  for (let round = 0; round < MAX_PAGES_PER_REQUEST; round++) {
    const page = await deps.incidents.list({ fromMs, toMs, limit, after });
    for (const stored of page.items) {
      if (!matches(stored)) continue;
      items.push(stored);
      if (items.length === limit) {
        return { items, next: toCursor(deps.incidents.cursorAfter(stored.incident), filters) };
      }
    }
    if (!page.next) return { items, next: null };
    after = page.next;
  }
  return { items, next: after === undefined ? null : toCursor(after, filters) };
}
