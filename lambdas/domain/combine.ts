/**
 * How a service's sources combine into the one series the detector reads: a weighted
 * total of the sources that have data for the bucket. A bucket where no source has data
 * is a gap (null), never a zero. A source of weight 0 (a signal such as a status page's
 * component status) is kept for the API but neither counts nor fills a gap.
 *
 * A counted bucket is partial when a source of weight above 0 failed to be read for it
 * and has no count in it: its total lacks that source, so a low total may be the failure
 * rather than a fall. A source that read nothing counts 0 and is not a failure; a bucket
 * where every weighted source failed has no total at all and stays a gap.
 */
import { CROWD_SOURCE_ID } from "../../contract/catalog";
import type { Service } from "./config";
import type { SeriesPoint } from "./ports";

/** source id → weight, for the sources configured on a service. */
export type SourceWeights = Readonly<Record<string, number>>;

/** One bucket as the detector reads it. */
export interface CombinedBucket {
  /** The weighted total, or null (a gap) when no configured source has data. */
  count: number | null;
  /** A counted bucket that lacks a weighted source because its read failed; never a gap. */
  partial: boolean;
}

/**
 * The combined count of one bucket and whether it is partial.
 * @example combinedBucket({ bucketStart, counts: { reports: 40 }, failed: ["rss"] }, { reports: 1, rss: 0.5 }) // { count: 40, partial: true }
 */
export function combinedBucket(
  point: SeriesPoint | undefined,
  weights: SourceWeights,
): CombinedBucket {
  if (!point) return { count: null, partial: false };
  let total = 0;
  let seen = false;
  for (const [source, weight] of Object.entries(weights)) {
    const count = point.counts[source];
    if (count === undefined || weight === 0) continue;
    total += weight * count;
    seen = true;
  }
  if (!seen) return { count: null, partial: false };
  return { count: Math.round(total), partial: failedSources(point, weights).length > 0 };
}

/**
 * The combined count of one bucket, or null when no configured source has data for it.
 * @example combinedCount({ bucketStart, counts: { reports: 40, rss: 10 } }, { reports: 1, rss: 0.5 }) // 45
 */
export function combinedCount(
  point: SeriesPoint | undefined,
  weights: SourceWeights,
): number | null {
  return combinedBucket(point, weights).count;
}

/**
 * The configured sources of weight above 0 whose read failed for the bucket and that
 * have no count in it, in the order the point lists them (a count written since the
 * failure means the source is in the total after all).
 * @example failedSources({ bucketStart, counts: { reports: 4 }, failed: ["rss", "status"] }, { reports: 1, rss: 1, status: 0 }) // ["rss"]
 */
export function failedSources(point: SeriesPoint, weights: SourceWeights): string[] {
  return (point.failed ?? []).filter(
    (source) => (weights[source] ?? 0) > 0 && point.counts[source] === undefined,
  );
}

/** The weights of a service's configured sources. */
export function sourceWeights(service: Service): SourceWeights {
  const weights: Record<string, number> = {};
  if (service.reports.enabled) weights[CROWD_SOURCE_ID] = service.reports.weight;
  for (const source of service.sources) weights[source.id] = source.weight;
  return weights;
}
