/**
 * The error every HTTP source throws: its message names the URL and what to check,
 * because it ends up in the source's health record, where a person reads it. It is an
 * {@link HttpFailure}, so it says whether trying again may help as a webhook's does.
 */
import { HttpFailure, type HttpFailureDetails } from "./http-failure";

/** Why an HTTP source failed, for the source's health record. */
export class SourceHttpError extends HttpFailure {
  /** The URL requested (the final one, after redirects, once the server answered). */
  readonly url: string;

  constructor(message: string, details: HttpFailureDetails & { url: string }) {
    const { url, ...failure } = details;
    super(message, failure);
    this.name = "SourceHttpError";
    this.url = url;
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
    { url, retryable: false, cause },
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
