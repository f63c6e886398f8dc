/**
 * The error every HTTP source throws: its message names the URL and what to check,
 * because it ends up in the operator's logs, where a person reads it (the public sees
 * only its class, `reason`). It is an {@link HttpFailure}, so it says whether trying
 * again may help as a webhook's does.
 */
import type { SourceFailureReason } from "../../contract/source-failure";
import { HttpFailure, type HttpFailureDetails } from "./http-failure";

/** Why an HTTP source failed, for the operator's logs. */
export class SourceHttpError extends HttpFailure {
  /** The URL requested (the final one, after redirects, once the server answered). */
  readonly url: string;
  /**
   * The public class of this failure, when the status and `retryable` do not tell it
   * (`classifySourceFailure`, lambdas/domain/source-failure-class.ts, reads both).
   */
  readonly reason?: SourceFailureReason;
  /** The start of a 4xx answer's body, when the request asked for it (`errorBodyBytes`). */
  readonly body?: string;

  constructor(
    message: string,
    details: HttpFailureDetails & { url: string; reason?: SourceFailureReason; body?: string },
  ) {
    const { url, reason, body, ...failure } = details;
    super(message, failure);
    this.name = "SourceHttpError";
    this.url = url;
    if (reason !== undefined) this.reason = reason;
    if (body !== undefined) this.body = body;
  }
}

/**
 * The error to throw when a fresh body does not parse (a truncated or malformed
 * document): names the URL and what to check. Not retryable within this read.
 * @example throw invalidBody(result.url, "RSS or Atom", error);
 */
export function invalidBody(url: string, expected: string, cause: unknown): SourceHttpError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SourceHttpError(
    `GET ${url} returned a body that is not valid ${expected} (${detail}); open the URL and check that it serves ${expected} and that the response is not cut short`,
    { url, retryable: false, reason: "invalid-payload", cause },
  );
}

/**
 * Parses a fresh JSON body, throwing {@link invalidBody} when it is not JSON.
 * @example const summary = parseJsonBody(result) as StatuspageSummary;
 */
export function parseJsonBody(result: { body: string; url: string }): unknown {
  try {
    return JSON.parse(result.body);
  } catch (error) {
    throw invalidBody(result.url, "JSON", error);
  }
}
