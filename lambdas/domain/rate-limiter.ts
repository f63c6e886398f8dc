/**
 * The per-address minute limit of the report routes, counted in one container's memory.
 * It stands in front of the store's counter (`store/rate-limit-store.ts`), which holds
 * the limit across containers: a flood into one container is turned away here without a
 * store write, and only what this container lets through is counted there.
 */
import type { RateLimiter } from "./ports";

/** At most this many clients are remembered; the oldest minute's go first. */
const MAX_CLIENTS = 100_000;

/** A {@link RateLimiter} counting requests per client in whole UTC minutes. */
export class PerMinuteRateLimiter implements RateLimiter {
  private minute = -1;
  private readonly hits = new Map<string, number>();

  hit(client: string, nowMs: number): number {
    const minute = Math.floor(nowMs / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.hits.clear();
    }
    if (!this.hits.has(client) && this.hits.size >= MAX_CLIENTS) {
      // Too many distinct clients this minute to remember: refuse none rather than grow.
      return 1;
    }
    const count = (this.hits.get(client) ?? 0) + 1;
    this.hits.set(client, count);
    return count;
  }
}
