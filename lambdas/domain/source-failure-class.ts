/**
 * Which public class (`contract/source-failure.ts`) a source's failed read falls in,
 * from the error it threw. Structured fields decide, in this order:
 * - an error that names its class (`reason`) is taken at its word: the HTTP client's
 *   `SourceHttpError` for what its status cannot tell, collect's deadline, and the like;
 * - an HTTP failure whose server answered is classed by the status: 429 rate-limited,
 *   3xx redirect, 4xx and 5xx an HTTP error with its code;
 * - an HTTP failure without an answer is what it wraps, if it wraps another; else a
 *   timeout when a timer caused it, a network failure when trying again may help, and an
 *   unreadable answer when it may not (the parsers' errors);
 * - anything else (a faulty adapter, a missing column, a bug) is internal.
 * A 2xx answer the client refused names its reason (its Content-Type, its size, its
 * encoding); one that names none is an unreadable answer. No message text is read.
 *
 * The HTTP client's errors live in `lambdas/http/`, which the domain may not import, so
 * they are recognised by their fields: an {@link OutcryError} with a `url`.
 */
import {
  SOURCE_FAILURE_REASONS,
  type SourceFailure,
  type SourceFailureReason,
} from "../../contract/source-failure";
import { OutcryError } from "./outcry-error";

/** What the domain reads of an HTTP client error (`SourceHttpError`). */
interface HttpFailureFields {
  retryable: boolean;
  url: string;
  status?: unknown;
  reason?: unknown;
  cause?: unknown;
}

/** Causes followed at most, so that a chain looping back on itself still ends. */
const MAX_CAUSES = 8;
const REASONS: ReadonlySet<string> = new Set(SOURCE_FAILURE_REASONS);
/** The classes that are about a status the server answered with, so they carry it. */
const ANSWERED: ReadonlySet<SourceFailureReason> = new Set([
  "http-status",
  "rate-limited",
  "redirect",
]);

function isHttpFailure(error: unknown): error is OutcryError & HttpFailureFields {
  return error instanceof OutcryError && typeof (error as { url?: unknown }).url === "string";
}

/** The class an error names for itself, if it names one of the set. */
function ownReason(error: unknown): SourceFailureReason | undefined {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" && REASONS.has(reason)
    ? (reason as SourceFailureReason)
    : undefined;
}

/** An HTTP status the error carries, if it carries a plausible one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599
    ? status
    : undefined;
}

/** The error's causes, nearest first. */
function causesOf(error: unknown): unknown[] {
  const causes: unknown[] = [];
  let current = (error as { cause?: unknown } | null)?.cause;
  while (current !== undefined && current !== null && causes.length < MAX_CAUSES) {
    causes.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return causes;
}

/**
 * True for what a timer ended: `AbortSignal.timeout`'s `TimeoutError`, a socket's
 * `ETIMEDOUT` or undici's `UND_ERR_*_TIMEOUT`, or an error that calls itself a timeout.
 */
function isTimeout(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return (
    name === "TimeoutError" ||
    ownReason(error) === "timeout" ||
    (typeof code === "string" && (code === "ETIMEDOUT" || /^UND_ERR_\w*TIMEOUT$/.test(code)))
  );
}

/** The class of an answer with `status` that the client did not take. */
function answered(status: number): SourceFailure {
  if (status === 429) return { reason: "rate-limited", httpStatus: status };
  if (status >= 300 && status < 400) return { reason: "redirect", httpStatus: status };
  if (status >= 400) return { reason: "http-status", httpStatus: status };
  return { reason: "invalid-payload" };
}

/**
 * The public class of a source's failed read.
 * @example
 * classifySourceFailure(new SourceHttpError("GET … answered 404", { url, status: 404, retryable: false }))
 * // { reason: "http-status", httpStatus: 404 }
 */
export function classifySourceFailure(error: unknown): SourceFailure {
  const status = statusOf(error);
  const own = ownReason(error);
  if (own !== undefined) {
    return status !== undefined && ANSWERED.has(own)
      ? { reason: own, httpStatus: status }
      : { reason: own };
  }
  if (!isHttpFailure(error)) return { reason: "internal" };
  if (status !== undefined) return answered(status);
  const causes = causesOf(error);
  // A failure wrapping another (a retry that found no time left) is what it wraps.
  const wrapped = causes.find((cause) => isHttpFailure(cause) || ownReason(cause) !== undefined);
  if (wrapped !== undefined && !isTimeout(wrapped)) return classifySourceFailure(wrapped);
  if (causes.some(isTimeout)) return { reason: "timeout" };
  return { reason: error.retryable ? "network" : "invalid-payload" };
}
