/**
 * Use case: take one crowd report from `POST /reports`. Steps:
 * 1. Check the request: JSON content type, a body of at most 4 KB, a known service and a
 *    problem kind allowed for its category.
 * 2. Rate-limit the client address (in memory; see `domain/rate-limiter.ts`).
 * 3. Record the report under a salted hash of the address (the address is never stored),
 *    counting once per reporter and service per dedup window, in one conditional write.
 */
import { createHmac } from "node:crypto";
import * as z from "zod/mini";
import { badRequest, HttpError, notFound } from "../api/http-error";
import { PROBLEM_KINDS, serviceById } from "../domain/catalog";
import { reporterAddressKey } from "../domain/client-address";
import type { Config } from "../domain/config";
import type { RateLimiter, ReportStore } from "../domain/ports";

/** Largest accepted body. */
export const MAX_REPORT_BYTES = 4096;

const SERVICE_HINT = "'service' must be a string: the id of a watched service";
const PROBLEM_HINT = "'problem' must be a string: one of the problem kinds of the service";

/** The body of `POST /reports` (zod/mini keeps the api bundle small). */
export const ReportBodySchema = z.object({
  service: z
    .string({ error: SERVICE_HINT })
    .check(z.minLength(1, SERVICE_HINT), z.maxLength(64, "'service' is too long")),
  problem: z
    .string({ error: PROBLEM_HINT })
    .check(z.minLength(1, PROBLEM_HINT), z.maxLength(40, "'problem' is too long")),
  text: z.optional(z.string().check(z.maxLength(1000, "'text' must be at most 1,000 characters"))),
});

/** What reporting needs. */
export interface ReportDependencies {
  config: Config;
  reports: ReportStore;
  /** Per-address request counter (in memory). */
  rateLimiter: RateLimiter;
  /** The secret salt for hashing addresses (loaded once, cached by the caller). */
  salt: () => Promise<string>;
}

/** One HTTP request to `POST /reports`, already decoded. */
export interface ReportRequest {
  body: string | undefined;
  contentType: string | undefined;
  sourceIp: string;
  nowMs: number;
}

/** The hash that stands for a reporter: HMAC-SHA256 of the address under the salt. */
export function reporterHash(salt: string, address: string): string {
  return createHmac("sha256", salt).update(address).digest("hex").slice(0, 32);
}

function parseBody(request: ReportRequest): z.infer<typeof ReportBodySchema> {
  const type = (request.contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(
      415,
      "Unsupported Media Type",
      "send the report as JSON with 'content-type: application/json'",
    );
  }
  const body = request.body ?? "";
  if (Buffer.byteLength(body, "utf8") > MAX_REPORT_BYTES) {
    throw new HttpError(
      413,
      "Content Too Large",
      `a report body may be at most ${MAX_REPORT_BYTES} bytes`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw badRequest('body is not valid JSON; send {"service": "<id>", "problem": "<kind>"}');
  }
  const parsed = ReportBodySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || undefined;
    throw badRequest(
      field
        ? `${field}: ${issue?.message}`
        : 'send a JSON object {"service": "<id>", "problem": "<kind>"}',
      field,
    );
  }
  return parsed.data;
}

/**
 * Handles one report.
 * @returns "accepted" (count it) or "duplicate" (this reporter already counted)
 * @throws HttpError 400/404/413/415/429
 */
export async function submitReport(
  deps: ReportDependencies,
  request: ReportRequest,
): Promise<{ result: "accepted" | "duplicate"; service: string; problem: string }> {
  const body = parseBody(request);
  const service = serviceById(deps.config, body.service);
  if (!service) {
    throw notFound(`no service has id '${body.service}'; GET /services lists them`);
  }
  const allowed: readonly string[] = PROBLEM_KINDS[service.category];
  if (!allowed.includes(body.problem)) {
    throw badRequest(`problem must be one of ${allowed.join(", ")} for ${service.name}`, "problem");
  }
  // The limit counts addresses as they are: it lives in memory and is never stored.
  const client = reporterAddressKey(request.sourceIp);
  const hits = deps.rateLimiter.hit(client, request.nowMs);
  if (hits > deps.config.reports.ratePerMinute) {
    const retryAfter = Math.max(1, Math.ceil((60_000 - (request.nowMs % 60_000)) / 1000));
    throw new HttpError(
      429,
      "Too Many Requests",
      "too many reports from this address; try again later",
      {
        "retry-after": String(retryAfter),
      },
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
