/**
 * The seed story as one incident: T-Mobile on the night of 2023-02-13 (US Eastern),
 * peaking above 83,000 reports at 10:20 p.m. ET and down to about 9,000 by midnight.
 */
import type { Incident } from "../../../lambdas/domain/incident";

/** Epoch ms of an ISO time. */
export const at = (iso: string): number => Date.parse(iso);

/** The seed incident, with `overrides` applied. */
export function seedIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: "t-mobile-20230214T0150Z",
    service: "t-mobile",
    startedAt: at("2023-02-14T01:50:00Z"),
    openedAt: at("2023-02-14T02:00:00Z"),
    countAtOpen: 950,
    baselineAtOpen: 40,
    peak: { count: 83_412, at: at("2023-02-14T03:20:00Z") },
    falloffs: [{ at: at("2023-02-14T05:00:00Z"), count: 9040 }],
    resolvedAt: at("2023-02-14T07:15:00Z"),
    correlatedWith: ["verizon", "att"],
    ...overrides,
  };
}
