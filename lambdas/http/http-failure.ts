/**
 * What every failed outbound request is, whoever made it: a source's read or a webhook's
 * post. Each caller words its own message (a source names the URL, a webhook only its
 * id), but all of them say in the same way whether trying again may help, so the one
 * retry loop (`withRetries`, retry.ts) and the callers above it can decide without knowing
 * which kind of request failed.
 */
import { OutcryError } from "../domain/outcry-error";

/** The details every {@link HttpFailure} carries. */
export interface HttpFailureDetails {
  /** True when trying again (now, or on a later run) may well succeed. */
  retryable: boolean;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** How long the server asked us to wait (its `Retry-After`), in ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A failed outbound HTTP request.
 * @example
 * if (error instanceof HttpFailure && !error.retryable) markBroken(error.message);
 */
export class HttpFailure extends OutcryError {
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** How long the server asked us to wait (its `Retry-After`), in ms. */
  readonly retryAfterMs?: number;

  constructor(message: string, details: HttpFailureDetails) {
    super(message, details);
    this.name = "HttpFailure";
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * Whether an answer with this (non-2xx) status may be different on a later try: 429 (the
 * server is limiting us) and 5xx (it is failing) may; any other 4xx will not.
 * @example retryableStatus(503) // true
 */
export function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
