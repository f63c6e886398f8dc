/** A resolved incident as the API lists it, starting and ending at `at`, for page tests. */
import type { Incident } from "../../dashboard/src/api";

/**
 * @example resolvedIncident("ghost-1", "ghost", "2023-02-14T05:30:00Z")
 */
export function resolvedIncident(id: string, service: string, at: string): Incident {
  return {
    id,
    service,
    status: "resolved",
    startedAt: at,
    openedAt: at,
    resolvedAt: at,
    countAtOpen: 1,
    baselineAtOpen: 1,
    peak: { count: 1, at },
    falloffs: [],
    correlatedWith: [],
    likelyUpstream: null,
    summary: { subject: "s", text: "t", sms: "m" },
  };
}
