/**
 * The error every HTTP source throws: its message names the URL and what to check,
 * because it ends up in the source's health record, where a person reads it.
 */

/** Why an HTTP source failed, for the source's health record. */
export class SourceHttpError extends Error {
  /** The URL requested. */
  readonly url: string;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** True when trying again later (the next tick) may well succeed. */
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { url: string; status?: number; retryable: boolean; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SourceHttpError";
    this.url = details.url;
    if (details.status !== undefined) this.status = details.status;
    this.retryable = details.retryable;
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
