/**
 * A short synthetic series for detect tests: five-minute buckets from {@link T0}, every
 * service at 10 reports a bucket for two hours, then T-Mobile surging to 900 for half an
 * hour from bucket 24 and quiet again after; and the times of the ticks that settle them.
 */
import { MINUTE_MS } from "../../lambdas/domain/buckets";

/** The start of bucket 0. */
export const T0 = Date.parse("2024-01-01T00:00:00Z");
export const BUCKET_MS = 5 * MINUTE_MS;

/** The count of `service` in bucket `index`. */
export function surgeCount(service: string, index: number): number {
  return service === "t-mobile" && index >= 24 && index < 30 ? 900 : 10;
}

/**
 * The tick `minute` minutes after the one a minute past bucket `index`'s close, which the
 * one-minute schedule runs to settle it: minutes 1 to 4 settle no newer bucket.
 */
export function tickAfter(index: number, minute = 0): number {
  return T0 + (index + 1) * BUCKET_MS + (1 + minute) * MINUTE_MS;
}
