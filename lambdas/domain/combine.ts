/**
 * How a service's sources combine into the one series the detector reads: a weighted
 * total of the sources that have data for the bucket. A bucket where no source has data
 * is a gap (null), never a zero. A source of weight 0 (a signal such as a status page's
 * component status) is kept for the API but neither counts nor fills a gap.
 */
import { CROWD_SOURCE_ID } from "../../contract/catalog";
import type { Service } from "./config";
import type { SeriesPoint } from "./ports";

/** source id → weight, for the sources configured on a service. */
export type SourceWeights = Readonly<Record<string, number>>;

/**
 * The combined count of one bucket, or null when no configured source has data for it.
 * @example combinedCount({ bucketStart, counts: { reports: 40, rss: 10 } }, { reports: 1, rss: 0.5 }) // 45
 */
export function combinedCount(
  point: SeriesPoint | undefined,
  weights: SourceWeights,
): number | null {
  if (!point) return null;
  let total = 0;
  let seen = false;
  for (const [source, weight] of Object.entries(weights)) {
    const count = point.counts[source];
    if (count === undefined || weight === 0) continue;
    total += weight * count;
    seen = true;
  }
  return seen ? Math.round(total) : null;
}

/** The weights of a service's configured sources. */
export function sourceWeights(service: Service): SourceWeights {
  const weights: Record<string, number> = {};
  if (service.reports.enabled) weights[CROWD_SOURCE_ID] = service.reports.weight;
  for (const source of service.sources) weights[source.id] = source.weight;
  return weights;
}
