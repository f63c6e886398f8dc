/**
 * Use case: take one crowd report (the api reads it from `POST /reports`). Steps:
 * 1. Check the report: a known service and a problem kind allowed for its category.
 * 2. Rate-limit the client address (in memory; see `domain/rate-limiter.ts`).
 * 3. Redeem the solved challenge it carries, once (`report-challenge.ts`), unless
 *    `reports.challenge` is false.
 * 4. Record the report under salted hashes of the address and its network (neither is
 *    stored), counting once per reporter and service per dedup window, and at most
 *    `reports.perNetwork` times per network (see the report store).
 */
import { createHmac } from "node:crypto";
import { PROBLEM_KINDS } from "../../contract/catalog";
import { networkKey, reporterAddressKey } from "../domain/client-address";
import type { Config } from "../domain/config";
import {
  type RateLimiter,
  type ReportOutcome,
  ReportRejected,
  type ReportStore,
  type SpentChallenges,
} from "../domain/ports";
import { serviceById } from "../domain/service-lookup";
import { redeemReportChallenge } from "./report-challenge";

/** What reporting needs. */
export interface ReportDependencies {
  config: Config;
  reports: ReportStore;
  /** Per-address request counter (in memory). */
  rateLimiter: RateLimiter;
  /** The secret salt for hashing addresses (loaded once, cached by the caller). */
  salt: () => Promise<string>;
  /** Challenges already redeemed. */
  spentChallenges: SpentChallenges;
}

/** One report as a client sent it. */
export interface ReportRequest {
  service: string;
  problem: string;
  /** The client's address, as the network saw it. */
  sourceIp: string;
  /** The solved challenge (`altcha`), when the report carries one. */
  challenge?: string;
  nowMs: number;
}

/** The hash that stands for a reporter: HMAC-SHA256 of the address under the salt. */
export function reporterHash(salt: string, address: string): string {
  return createHmac("sha256", salt).update(address).digest("hex").slice(0, 32);
}

/**
 * Handles one report.
 * @returns "accepted" (counted), "duplicate" (this reporter already counted) or "capped"
 *   (kept, not counted: its network has given its share of the window)
 * @throws ReportRejected for an unknown service or problem kind, too many reports, or a
 *   missing or spent challenge
 */
export async function submitReport(
  deps: ReportDependencies,
  request: ReportRequest,
): Promise<{ result: ReportOutcome; service: string; problem: string }> {
  const body = request;
  const service = serviceById(deps.config, body.service);
  if (!service) {
    throw new ReportRejected(
      "unknown-service",
      `no service has id '${body.service}'; GET /services lists them`,
    );
  }
  const allowed: readonly string[] = PROBLEM_KINDS[service.category];
  if (!allowed.includes(body.problem)) {
    throw new ReportRejected(
      "unknown-problem",
      `problem must be one of ${allowed.join(", ")} for ${service.name}`,
    );
  }
  // The limit counts addresses as they are: it lives in memory and is never stored.
  const client = reporterAddressKey(request.sourceIp);
  const hits = deps.rateLimiter.hit(client, request.nowMs);
  if (hits > deps.config.reports.ratePerMinute) {
    const retryAfter = Math.max(1, Math.ceil((60_000 - (request.nowMs % 60_000)) / 1000));
    throw new ReportRejected(
      "rate-limited",
      "too many reports from this address; try again later",
      retryAfter,
    );
  }
  if (deps.config.reports.challenge !== false) {
    await redeemReportChallenge(deps, request.challenge, request.nowMs);
  }
  const salt = await deps.salt();
  const network = networkKey(request.sourceIp, deps.config.reports.networkPrefixes);
  const result = await deps.reports.record({
    service: service.id,
    problem: body.problem,
    reporter: reporterHash(salt, `reporter:${client}`),
    network: reporterHash(salt, `network:${network}`),
    at: request.nowMs,
  });
  return { result, service: service.id, problem: body.problem };
}
