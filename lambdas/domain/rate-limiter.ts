/**
 * The per-address limit on `POST /reports`, counted in memory per minute. It protects
 * capacity, not the counts: a reporter counts once per window whatever it sends (the
 * report store's conditional write sees to that), so a flood only costs refused writes.
 * Counting in memory keeps a report to one store write. In AWS each function container
 * counts on its own, so a flood spread over containers gets the limit per container;
 * the HTTP API's stage throttling bounds the total.
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
