/**
 * Why a source's read failed, as the public may know it: a class from a closed set, with
 * the HTTP status when the server answered with one. The full error names the URL (whose
 * query may hold a token), where a redirect led and what the server said, so it goes to
 * the operator's logs only; anyone may read a service's page and its API answer. The
 * API's schema, the OpenAPI document and the dashboard all take the classes and their
 * wording from here.
 */

/** Every class of source failure, in the order the documentation lists them. */
export const SOURCE_FAILURE_REASONS = [
  "timeout",
  "network",
  "refused-address",
  "redirect",
  "http-status",
  "rate-limited",
  "too-large",
  "wrong-content-type",
  "invalid-payload",
  "internal",
] as const;

/** A class of source failure. */
export type SourceFailureReason = (typeof SOURCE_FAILURE_REASONS)[number];

/** A failed read as the public sees it. */
export interface SourceFailure {
  reason: SourceFailureReason;
  /** The status the server answered with, when it did (`http-status`, `rate-limited`, `redirect`). */
  httpStatus?: number;
}

/** How each class reads: a short label for a table cell, and what it means. */
export const SOURCE_FAILURE_WORDING: Readonly<
  Record<SourceFailureReason, { label: string; meaning: string }>
> = {
  timeout: {
    label: "No answer in time",
    meaning: "the server did not answer within the source's deadline",
  },
  network: {
    label: "Could not connect",
    meaning:
      "the server could not be reached, or the connection broke off (name lookup, connection refused or reset)",
  },
  "refused-address": {
    label: "Address not allowed",
    meaning:
      "the address, or a redirect, led to a network that is not public, which outcry never calls",
  },
  redirect: {
    label: "Redirect not followed",
    meaning: "the server redirected the request where outcry does not follow",
  },
  "http-status": {
    label: "HTTP error",
    meaning: "the server answered with an error status (in httpStatus)",
  },
  "rate-limited": {
    label: "Rate-limited",
    meaning: "the server asked outcry to read less often",
  },
  "too-large": {
    label: "Answer too large",
    meaning: "the answer was larger than outcry reads for this source",
  },
  "wrong-content-type": {
    label: "Not the expected kind of document",
    meaning:
      "the answer's content type was not the one the source reads (a web page or a login page, say)",
  },
  "invalid-payload": {
    label: "Unreadable answer",
    meaning: "the answer could not be read as the document the source expects",
  },
  internal: {
    label: "Failed inside outcry",
    meaning: "the read failed for a reason outside these classes; the operator's logs say more",
  },
};

/**
 * A failure in words, for a reader: its label, with the HTTP status when there is one.
 * @example sourceFailureText({ reason: "http-status", httpStatus: 404 }) // "HTTP error 404"
 */
export function sourceFailureText(failure: SourceFailure): string {
  const { label } = SOURCE_FAILURE_WORDING[failure.reason];
  if (failure.httpStatus === undefined) return label;
  return failure.reason === "http-status"
    ? `${label} ${failure.httpStatus}`
    : `${label} (HTTP ${failure.httpStatus})`;
}

/**
 * The classes and what each means, as one line of documentation.
 * @example sourceFailureGlossary() // "timeout: the server did not answer …; network: …"
 */
export function sourceFailureGlossary(): string {
  return SOURCE_FAILURE_REASONS.map(
    (reason) => `${reason}: ${SOURCE_FAILURE_WORDING[reason].meaning}`,
  ).join("; ");
}
