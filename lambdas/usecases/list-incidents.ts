/**
 * Use case: one page of incidents, newest first, filtered by service and status. Steps:
 * 1. Read the store's pages from the cursor on (the store filters by start time only).
 * 2. Keep the incidents that match, until the page is full.
 * 3. Answer a cursor that continues right after the last incident answered, so none is
 *    skipped however the filters thin the store's pages out; stop after a bounded number
 *    of store pages and answer what was found, with the cursor to go on from.
 */
import type { IncidentStore, StoredIncident } from "../domain/ports";
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

/**
 * One page of incidents.
 * @throws InvalidCursorError when `cursor` was not made by the store
 * @example const { incidents, next } = await listIncidents(deps, { status: "open", limit: 20 });
 */
export async function listIncidents(deps: ListIncidentsDependencies, filters: IncidentFilters) {
  const { service, status, fromMs, toMs, limit } = filters;
  const matches = (stored: StoredIncident) =>
    (service === undefined || stored.incident.service === service) &&
    (status === undefined ||
      (stored.incident.resolvedAt === null ? "open" : "resolved") === status);
  const incidents: ReturnType<typeof incidentView>[] = [];
  let after = filters.cursor;
  for (let round = 0; round < MAX_PAGES_PER_REQUEST; round++) {
    const page = await deps.incidents.list({ fromMs, toMs, limit, after });
    for (const stored of page.items) {
      if (!matches(stored)) continue;
      incidents.push(incidentView(stored));
      if (incidents.length === limit) {
        return { incidents, next: deps.incidents.cursorAfter(stored.incident) };
      }
    }
    if (!page.next) return { incidents, next: null };
    after = page.next;
  }
  return { incidents, next: after ?? null };
}
