/**
 * The first step of every crowd-report request (a report, a challenge): read the client
 * address strictly and hold the client to its limit for that purpose. Steps:
 * 1. Read the address (`domain/client-address.ts`); one that is not an address is refused.
 * 2. Count the request in this container's memory: a flood into one container is turned
 *    away without a store write.
 * 3. Count it in the store, so the limit holds across containers too. Only a salted hash
 *    of the reporter's key is written, never the address.
 */
import { createHmac } from "node:crypto";
import { type ClientAddress, parseClientAddress, reporterKey } from "../domain/client-address";
import { echoed } from "../domain/echoed";
import {
  type RateLimiter,
  type RateLimitPurpose,
  ReportRejected,
  type SharedRateLimit,
} from "../domain/ports";

/** What admitting a reporter needs. */
export interface ReporterAddressDependencies {
  /** This container's per-minute counter. */
  rateLimiter: RateLimiter;
  /** The counter every container shares. */
  rateLimits: SharedRateLimit;
  /** The secret salt addresses are hashed with. */
  salt: () => Promise<string>;
}

/** A client that may go on: its address, the key it is known by, and the salt. */
export interface AdmittedReporter {
  client: ClientAddress;
  /** The reporter's key (its IPv4 address or IPv6 /64), in clear, never stored. */
  key: string;
  salt: string;
}

/**
 * A salted hash standing for `value` (an address key under a purpose): HMAC-SHA256 under
 * the salt, 128 bits of it in hex.
 * @example saltedHash(salt, "reporter:5.6.7.8")
 */
export function saltedHash(salt: string, value: string): string {
  return createHmac("sha256", salt).update(value).digest("hex").slice(0, 32);
}

/** Seconds until the next UTC minute, when the limits start again. */
function secondsToNextMinute(nowMs: number): number {
  return Math.max(1, Math.ceil((60_000 - (nowMs % 60_000)) / 1000));
}

/**
 * Reads the client address of a request and counts the request against `limit` a minute.
 * @throws ReportRejected "invalid-address" when `sourceIp` is not an IPv4 or IPv6 address,
 *   "rate-limited" (with Retry-After) when the client used up its minute
 */
export async function admitReporter(
  deps: ReporterAddressDependencies,
  request: { sourceIp: string; purpose: RateLimitPurpose; limit: number; nowMs: number },
): Promise<AdmittedReporter> {
  const client = parseClientAddress(request.sourceIp);
  if (!client) {
    throw new ReportRejected(
      "invalid-address",
      `the client address ${echoed(request.sourceIp)} is not an IPv4 or IPv6 address; behind a proxy, make sure it forwards the address it saw`,
    );
  }
  const key = reporterKey(client);
  const limited = () =>
    new ReportRejected(
      "rate-limited",
      "too many requests from this address; try again later",
      secondsToNextMinute(request.nowMs),
    );
  if (deps.rateLimiter.hit(`${request.purpose}:${key}`, request.nowMs) > request.limit) {
    throw limited();
  }
  const salt = await deps.salt();
  const counted = await deps.rateLimits.take(
    request.purpose,
    saltedHash(salt, `limit:${key}`),
    request.limit,
    request.nowMs,
  );
  if (!counted) throw limited();
  return { client, key, salt };
}
