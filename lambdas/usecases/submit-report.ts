/**
 * Use case: take one crowd report (the api reads it from `POST /reports`). Steps:
 * 1. Check the report: a known service, a problem kind allowed for its category, and a
 *    region of its area when one is named (the reporter's pick, or else the region a
 *    trusted edge saw the viewer in).
 * 2. Read the client address and hold it to `reports.ratePerMinute`, in this container
 *    and across all of them (`reporter-address.ts`).
 * 3. Redeem the solved challenge it carries, once (`report-challenge.ts`), unless
 *    `reports.challenge` is false.
 * 4. Record the report, with its region, under salted hashes of the address and its
 *    network (neither is stored), counting once per reporter and service per dedup window, and at most
 *    `reports.perNetwork` times per network (see the report store).
 */
import { PROBLEM_KINDS } from "../../contract/catalog";
import { regionOf, viewerRegion } from "../../contract/regions";
import { networkKey } from "../domain/client-address";
import type { Config } from "../domain/config";
import { echoed } from "../domain/echoed";
import {
  type ReportOutcome,
  ReportRejected,
  type ReportStore,
  type SpentChallenges,
} from "../domain/ports";
import { serviceById } from "../domain/service-lookup";
import { redeemReportChallenge } from "./report-challenge";
import { admitReporter, type ReporterAddressDependencies, saltedHash } from "./reporter-address";

/** What reporting needs. */
export interface ReportDependencies extends ReporterAddressDependencies {
  config: Config;
  reports: ReportStore;
  /** Challenges already redeemed. */
  spentChallenges: SpentChallenges;
}

/** One report as a client sent it. */
export interface ReportRequest {
  service: string;
  problem: string;
  /** The region the reporter picked: a US state (`US-TX`) or a country (`DE`) code. */
  region?: string;
  /**
   * Where a trusted edge (CloudFront, behind a verified origin header) saw the viewer:
   * taken only when the reporter picked no region. Never read from headers a client can
   * set on its own.
   */
  viewer?: { country?: string; subdivision?: string };
  /** The client's address, as the network saw it. */
  sourceIp: string;
  /** The solved challenge (`altcha`), when the report carries one. */
  challenge?: string;
  nowMs: number;
}

/**
 * Handles one report.
 * @returns "accepted" (counted), "duplicate" (this reporter already counted) or "capped"
 *   (kept, not counted: its network has given its share of the window)
 * @throws ReportRejected for an unknown service, problem kind or region, an address that is not
 *   one, too many reports, or a missing or spent challenge
 */
export async function submitReport(
  deps: ReportDependencies,
  request: ReportRequest,
): Promise<{ result: ReportOutcome; service: string; problem: string; region: string | null }> {
  const { reports: settings } = deps.config;
  const service = serviceById(deps.config, request.service);
  if (!service) {
    throw new ReportRejected(
      "unknown-service",
      `no service has id ${echoed(request.service)}; GET /services lists them`,
    );
  }
  const allowed: readonly string[] = PROBLEM_KINDS[service.category];
  if (!allowed.includes(request.problem)) {
    throw new ReportRejected(
      "unknown-problem",
      `problem must be one of ${allowed.join(", ")} for ${service.name}`,
    );
  }
  let region: string | undefined;
  if (request.region !== undefined) {
    region = regionOf(service.area, request.region.trim().toUpperCase())?.code;
    if (!region) {
      const like =
        service.area === "us" ? "a US state code such as US-TX" : "a country code such as DE";
      throw new ReportRejected(
        "unknown-region",
        `region ${echoed(request.region)} is not one of ${service.name}'s area (${service.area}); give ${like}, or leave region out`,
      );
    }
  } else if (request.viewer) {
    region = viewerRegion(service.area, request.viewer.country, request.viewer.subdivision);
  }
  const reporter = await admitReporter(deps, {
    sourceIp: request.sourceIp,
    purpose: "report",
    limit: settings.ratePerMinute,
    nowMs: request.nowMs,
  });
  if (settings.challenge !== false) {
    await redeemReportChallenge(deps, reporter, request.challenge, request.nowMs);
  }
  const network = networkKey(reporter.client, settings.networkPrefixes);
  const result = await deps.reports.record({
    service: service.id,
    problem: request.problem,
    reporter: saltedHash(reporter.salt, `reporter:${reporter.key}`),
    network: saltedHash(reporter.salt, `network:${network}`),
    ...(region ? { region } : {}),
    at: request.nowMs,
  });
  return { result, service: service.id, problem: request.problem, region: region ?? null };
}
