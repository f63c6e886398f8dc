/**
 * Time buckets: every count belongs to the bucket that starts at a whole multiple of the
 * bucket width since the Unix epoch (UTC). Times are epoch milliseconds throughout the
 * domain; ISO-8601 strings appear only at the edges (store keys, API, CSV).
 */

/** Milliseconds in one minute. */
export const MINUTE_MS = 60_000;

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

/** ISO-8601 UTC without milliseconds, the form used in keys, CSV and the API. */
export function toIso(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(".000Z", "Z");
}

/**
 * Parses an ISO-8601 timestamp with an explicit zone; NaN when it is not one, including
 * dates that do not exist (`Date.parse` would roll 2023-02-30 over to 2 March).
 */
export function parseIso(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    return Number.NaN;
  }
  const time = Date.parse(text);
  if (Number.isNaN(time)) return time;
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const offsetMinutes = zone
    ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]))
    : 0;
  const wall = new Date(time + offsetMinutes * MINUTE_MS).toISOString().slice(0, 16);
  return wall === text.slice(0, 16) ? time : Number.NaN;
}
