/**
 * Use case: take one crowd report (the api reads it from `POST /reports`). Steps:
 * 1. Check the report: a known service and a problem kind allowed for its category.
 * 2. Rate-limit the client address (in memory; see `domain/rate-limiter.ts`).
 * 3. Record the report under a salted hash of the address (the address is never stored),
 *    counting once per reporter and service per dedup window, in one conditional write.
 */
import { createHmac } from "node:crypto";
import { PROBLEM_KINDS } from "../../contract/catalog";
import { reporterAddressKey } from "../domain/client-address";
import type { Config } from "../domain/config";
import { type RateLimiter, ReportRejected, type ReportStore } from "../domain/ports";
import { serviceById } from "../domain/service-lookup";

/** What reporting needs. */
export interface ReportDependencies {
  config: Config;
  reports: ReportStore;
  /** Per-address request counter (in memory). */
  rateLimiter: RateLimiter;
  /** The secret salt for hashing addresses (loaded once, cached by the caller). */
  salt: () => Promise<string>;
}

/** One report as a client sent it. */
export interface ReportRequest {
  service: string;
  problem: string;
  /** The client's address, as the network saw it. */
  sourceIp: string;
  nowMs: number;
}

/** The hash that stands for a reporter: HMAC-SHA256 of the address under the salt. */
export function reporterHash(salt: string, address: string): string {
  return createHmac("sha256", salt).update(address).digest("hex").slice(0, 32);
}

/**
 * Handles one report.
 * @returns "accepted" (count it) or "duplicate" (this reporter already counted)
 * @throws ReportRejected for an unknown service or problem kind, or too many reports
 */
export async function submitReport(
  deps: ReportDependencies,
  request: ReportRequest,
): Promise<{ result: "accepted" | "duplicate"; service: string; problem: string }> {
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
  const salt = await deps.salt();
  const result = await deps.reports.record({
    service: service.id,
    problem: body.problem,
    reporter: reporterHash(salt, `reporter:${client}`),
    at: request.nowMs,
  });
  return { result, service: service.id, problem: body.problem };
}
