/**
 * Use case: the mix of an incident's reports (`domain/report-mix.ts`), from its start to
 * its end, or to now while it is open, for at most {@link MIX_SPAN_MS}: the detector's
 * summaries ("mostly no signal (62%)") and the API's incident answer read this one
 * function, so what the timeline says and what the page draws agree.
 */
import { HOUR_MS } from "../domain/buckets";
import type { Service } from "../domain/config";
import type { Incident } from "../domain/incident";
import type { SeriesStore } from "../domain/ports";
import { mixOf, type ReportMix, shownMix } from "../domain/report-mix";

/**
 * The longest span a mix sums, from the start: what and where an outage is shows in its
 * first hours, and the read stays bounded however long it lasts (360 items at one-minute
 * buckets).
 */
export const MIX_SPAN_MS = 6 * HOUR_MS;

/** The mix of `incident`'s reports, as of `nowMs`. */
export async function incidentMix(
  series: Pick<SeriesStore, "range">,
  service: Pick<Service, "id" | "area">,
  incident: Pick<Incident, "startedAt" | "resolvedAt">,
  nowMs: number,
): Promise<ReportMix> {
  const end = Math.min(incident.resolvedAt ?? nowMs, incident.startedAt + MIX_SPAN_MS);
  const points =
    end < incident.startedAt ? [] : await series.range(service.id, incident.startedAt, end);
  return shownMix(service.area, mixOf(points));
}
