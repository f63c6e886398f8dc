/**
 * The HTTP side of `POST /reports`: a JSON body of at most 4 KB, read into the report it
 * names, with a problem+json error that names the field when it is not one.
 */
import * as z from "zod/mini";
import { MAX_CHALLENGE_PAYLOAD } from "../usecases/report-challenge";
import { parseJsonBody } from "./json-body";

/** Largest accepted body. */
export const MAX_REPORT_BYTES = 4096;

const SERVICE_HINT = "'service' must be a string: the id of a watched service";
const ALTCHA_HINT =
  "'altcha' must be the solved challenge of GET /reports/challenge: base64 of {challenge, solution}";
const PROBLEM_HINT = "'problem' must be a string: one of the problem kinds of the service";
const REGION_HINT =
  "'region' must be a string: the code of a US state (US-TX) or a country (DE), as the service's area lists them";

/** The body of `POST /reports` (zod/mini keeps the api bundle small). */
export const ReportBodySchema = z.object({
  service: z
    .string({ error: SERVICE_HINT })
    .check(z.minLength(1, SERVICE_HINT), z.maxLength(64, "'service' is too long")),
  problem: z
    .string({ error: PROBLEM_HINT })
    .check(z.minLength(1, PROBLEM_HINT), z.maxLength(40, "'problem' is too long")),
  region: z.optional(
    z
      .string({ error: REGION_HINT })
      .check(z.minLength(2, REGION_HINT), z.maxLength(8, `'region' is too long; ${REGION_HINT}`)),
  ),
  text: z.optional(z.string().check(z.maxLength(1000, "'text' must be at most 1,000 characters"))),
  altcha: z.optional(
    z
      .string({ error: ALTCHA_HINT })
      .check(z.maxLength(MAX_CHALLENGE_PAYLOAD, `'altcha' is too long; ${ALTCHA_HINT}`)),
  ),
});

/**
 * The report a request body names.
 * @throws HttpError 415 (not JSON), 413 (too large) or 400 (naming the bad field)
 */
export function parseReportBody(
  body: string | undefined,
  contentType: string | undefined,
): z.infer<typeof ReportBodySchema> {
  return parseJsonBody(body, contentType, ReportBodySchema, {
    maxBytes: MAX_REPORT_BYTES,
    what: "the report",
    example: '{"service": "<id>", "problem": "<kind>"}',
  });
}
