/**
 * Time buckets: every count belongs to the bucket that starts at a whole multiple of the
 * bucket width since the Unix epoch (UTC). Times are epoch milliseconds throughout the
 * domain; ISO-8601 strings appear only at the edges (store keys, API, CSV).
 */

/** Milliseconds in one minute. */
export const MINUTE_MS = 60_000;
/** Milliseconds in one hour. */
export const HOUR_MS = 60 * MINUTE_MS;
/** Milliseconds in one day (of UTC; a local day may be an hour longer or shorter). */
export const DAY_MS = 24 * HOUR_MS;

/**
 * Buckets behind the newest closed one that collect counts again each tick, for items
 * that arrive late; so also how far behind its newest bucket the detector takes a
 * revised count (detect feeds it the counts of these buckets again). One number, so a
 * re-count collect writes is always one the detector may still take.
 */
export const LOOK_BACK_BUCKETS = 2;

/** Start of the bucket holding `timeMs`. */
export function bucketStart(timeMs: number, bucketMinutes: number): number {
  const width = bucketMinutes * MINUTE_MS;
  return Math.floor(timeMs / width) * width;
}

/**
 * Start of the newest bucket that has fully closed at `nowMs`.
 * @example lastClosedBucket(Date.parse("2023-02-14T03:21:00Z"), 5) // 03:15 bucket
 */
export function lastClosedBucket(nowMs: number, bucketMinutes: number): number {
  return bucketStart(nowMs, bucketMinutes) - bucketMinutes * MINUTE_MS;
}

/** Bucket starts from `fromMs` to `toMs` inclusive, both already aligned. */
export function bucketRange(fromMs: number, toMs: number, bucketMinutes: number): number[] {
  const width = bucketMinutes * MINUTE_MS;
  const out: number[] = [];
  for (let t = fromMs; t <= toMs; t += width) out.push(t);
  return out;
}

export { parseIso, toIso } from "../../contract/iso-time";
