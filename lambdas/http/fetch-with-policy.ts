/**
 * The one HTTP layer every HTTP source uses, so each of them gets the same manners for
 * free: a descriptive User-Agent, a timeout per attempt, retries with exponential backoff
 * and jitter on network errors, timeouts, 5xx and 429, `Retry-After` honoured (but never
 * past the source's deadline), conditional requests (ETag / Last-Modified), a content-type
 * check and a response-size cap enforced while streaming (on the decoded bytes too). The
 * request goes out through outbound-request.ts: public addresses only, unless the
 * {@link OutboundPolicy} opens private networks, and redirects within the URL's origin only.
 *
 * Every error is a {@link SourceHttpError} whose message names the URL and what to check,
 * for the operator who reads it in the logs, and whose `reason` is the class the public
 * sees (`contract/source-failure.ts`) where the status alone cannot tell it. The retry
 * loop (retry.ts) and the `Retry-After` reading (retry-after.ts) are the webhooks' too.
 *
 * @example
 * const result = await fetchWithPolicy(url, {
 *   signal: request.signal,
 *   outbound,
 *   expect: "xml",
 *   validators: validatorsFromMemory(request.memory),
 * });
 * if (result.status === "not-modified") return countsFromStore(result.validators);
 * const feed = parseFeed(result.body, result.url);
 */
import { retryableStatus } from "./http-failure";
import type { OutboundPolicy } from "./outbound-policy";
import {
  MAX_REDIRECTS,
  type OutboundResponse,
  outboundRequest,
  RequestRefused,
} from "./outbound-request";
import { BodyRefused } from "./response-body";
import { withRetries } from "./retry";
import { parseRetryAfter } from "./retry-after";
import { invalidBody, parseJsonBody, SourceHttpError } from "./source-http-error";
import {
  type HttpValidators,
  validatorsFromMemory,
  validatorsOf,
  validatorsToMemory,
} from "./validators";

export type { HttpValidators, OutboundPolicy };
export { invalidBody, parseJsonBody, SourceHttpError, validatorsFromMemory, validatorsToMemory };

/** How to fetch one URL. */
export interface FetchOptions {
  /** The source's deadline (abort = stop everything, including retries and waits). */
  signal: AbortSignal;
  /** Which addresses the request (and each redirect) may reach. */
  outbound: OutboundPolicy;
  /** Sent as If-None-Match / If-Modified-Since. */
  validators?: HttpValidators | null;
  /**
   * Allowed content types: json → application/json or any +json; xml →
   * application/rss+xml, application/atom+xml, application/xml, text/xml.
   */
  expect: "json" | "xml";
  /** Default 2 MiB; a larger body fails while streaming, without being read whole. */
  maxBytes?: number;
  /**
   * Default 2500 ms per attempt (headers and body), so a slow first try leaves time for
   * a second within the collect step's 4 s source deadline.
   */
  attemptTimeoutMs?: number;
  /** Default 2 (so up to 3 attempts). */
  retries?: number;
  /**
   * Turns the body's bytes into text in place of the charset decoding, for a format that
   * marks its encoding its own way (AWS Health's feed: UTF-16 behind a byte-order mark,
   * which the declared `charset=utf-16` cannot tell apart from little-endian). It sees
   * the capped bytes only; a {@link SourceHttpError} it throws fails the fetch as is.
   */
  decodeBody?: (bytes: Uint8Array, url: string) => string;
  /** Extra request headers (they may override the defaults, e.g. Accept). */
  headers?: Record<string, string>;
  /** Default GET; POST for an API that takes a JSON body (e.g. a login). */
  method?: "GET" | "POST";
  /** The request body (with a POST; its Content-Type goes in `headers`). */
  body?: string;
  /**
   * Read up to this many bytes of a 4xx answer's body into the error's `body`: APIs such
   * as XRPC say in it which error it was (`{"error":"ExpiredToken"}`). Default 0: dropped.
   */
  errorBodyBytes?: number;
  /**
   * When the source's deadline passes (epoch ms), if the caller knows it. A `Retry-After`
   * or backoff that would end after it fails at once instead of waiting. Without it, a
   * wait longer than {@link MAX_RETRY_WAIT_MS} fails at once, and shorter waits end early
   * (with an error) if `signal` aborts.
   */
  deadlineAt?: number;
}

/** What a fetch brought back. */
export type FetchResult =
  | { status: "fresh"; body: string; validators: HttpValidators; headers: Headers; url: string }
  | { status: "not-modified"; validators: HttpValidators };

/** Sent with every request, so feed owners can tell who is calling. */
export const USER_AGENT = "outcry/0.1 (+https://github.com/outcry)";
/** Default response-size cap. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
/** Longest wait for a `Retry-After` or backoff when the caller gave no `deadlineAt`. */
export const MAX_RETRY_WAIT_MS = 10_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 2_500;
const DEFAULT_RETRIES = 2;
/** The first back-off step; each wait is between half a step and a step. */
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 5_000;

const ACCEPT = {
  json: "application/json",
  xml: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8",
} as const;
const EXPECTED = {
  json: "JSON (application/json or a +json type)",
  xml: "an XML feed (application/rss+xml, application/atom+xml, application/xml or text/xml)",
} as const;
const XML_TYPES = new Set([
  "application/rss+xml",
  "application/atom+xml",
  "application/xml",
  "text/xml",
]);

/** True when the media type (without parameters) is one `expect` allows. */
function contentTypeAllowed(mediaType: string, expect: "json" | "xml"): boolean {
  if (expect === "json") return mediaType === "application/json" || mediaType.endsWith("+json");
  return XML_TYPES.has(mediaType);
}

function deadlineError(url: string, doing: string, cause?: unknown, verb = "GET"): SourceHttpError {
  return new SourceHttpError(
    `${verb} ${url}: the source's deadline passed ${doing}; the server is slow or unreachable — check that it answers quickly, it will be tried again next tick`,
    { url, retryable: true, cause },
  );
}

/** Reads a body, failing as soon as it grows past `maxBytes`, wire or decoded. */
async function readCapped(
  response: OutboundResponse,
  url: string,
  maxBytes: number,
  verb = "GET",
): Promise<Uint8Array> {
  try {
    return await response.read(maxBytes);
  } catch (error) {
    if (!(error instanceof BodyRefused)) throw error;
    if (error.details.encoding !== undefined) {
      throw new SourceHttpError(
        `${verb} ${url} answered ${response.status}, but ${error.message}; check the server's compression settings`,
        { url, status: response.status, retryable: false, reason: "invalid-payload", cause: error },
      );
    }
    throw new SourceHttpError(
      `${verb} ${url} returned ${error.message}, more than the ${maxBytes}-byte limit; check that the URL points at a feed (not a full archive or page), or raise the source's maxBytes`,
      { url, status: response.status, retryable: false, reason: "too-large" },
    );
  }
}

/** The error for a request outcry would not make, or a redirect it would not follow. */
function refusedError(url: string, refusal: RequestRefused, verb = "GET"): SourceHttpError {
  const hint =
    refusal.details.reason === "redirect"
      ? `outcry follows at most ${MAX_REDIRECTS} redirects, within the URL's own origin (scheme, host and port); put the address the server redirects to in the source's settings`
      : "outcry calls public addresses only; check the host in the source's settings (for a local run against a server on this machine or network, start with --allow-private-networks)";
  const what =
    refusal.details.reason === "redirect"
      ? `${refusal.message} (${refusal.details.location})`
      : `was refused: ${refusal.message}`;
  return new SourceHttpError(`${verb} ${url} ${what}; ${hint}`, {
    url,
    retryable: false,
    reason: refusal.details.reason === "redirect" ? "redirect" : "refused-address",
    cause: refusal,
    ...(refusal.details.status === undefined ? {} : { status: refusal.details.status }),
  });
}

/**
 * Decodes with the charset the server declared, else (for XML) the document's own
 * `<?xml encoding="…"?>`, else UTF-8; an unknown label falls back to UTF-8.
 */
function decode(bytes: Uint8Array, contentType: string): string {
  const declared = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  const prolog = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const inDocument = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(prolog)?.[1];
  const charset = declared ?? inDocument;
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

function statusHint(status: number): string {
  if (status === 401 || status === 403)
    return "check that the URL is public and needs no credentials or API key";
  if (status === 404 || status === 410) return "check the URL in the source's settings";
  if (status === 429) return "the server is rate-limiting outcry; lower how often it is read";
  if (status >= 500) return "the server is failing; it will be tried again next tick";
  return "check the URL and the source's settings";
}

/**
 * The text of a 4xx answer's body when the caller asked for up to `maxBytes` of it (an
 * API naming its error there); otherwise, or when it is larger or unreadable, the body
 * is dropped and nothing is returned.
 */
async function errorBodyOf(
  response: OutboundResponse,
  maxBytes: number,
): Promise<string | undefined> {
  if (maxBytes <= 0 || response.status < 400 || response.status > 499) {
    response.discard();
    return undefined;
  }
  try {
    return new TextDecoder().decode(await response.read(maxBytes));
  } catch {
    return undefined;
  }
}

/** One attempt: resolves with a result or throws a {@link SourceHttpError}. */
async function attempt(url: string, options: FetchOptions): Promise<FetchResult> {
  const timeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const verb = options.method ?? "GET";
  const signal = AbortSignal.any([options.signal, timeout]);
  const headers: Record<string, string> = {
    "user-agent": USER_AGENT,
    accept: ACCEPT[options.expect],
  };
  if (options.validators?.etag) headers["if-none-match"] = options.validators.etag;
  if (options.validators?.lastModified)
    headers["if-modified-since"] = options.validators.lastModified;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }

  // Classifies a thrown fetch/body error: the deadline, this attempt's timeout, or the network.
  const classify = (error: unknown, doing: string): SourceHttpError => {
    if (error instanceof SourceHttpError) return error;
    if (error instanceof RequestRefused) return refusedError(url, error, verb);
    if (options.signal.aborted) return deadlineError(url, doing, error, verb);
    if (timeout.aborted) {
      return new SourceHttpError(
        `${verb} ${url} timed out after ${timeoutMs} ms ${doing}; check that the server answers quickly`,
        { url, retryable: true, cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    const hint =
      doing === "while reading the body"
        ? "the server or a proxy cut the response short; check the server if it keeps happening"
        : "check that the host name is right and the server is reachable";
    return new SourceHttpError(`${verb} ${url} failed ${doing} (${reason}); ${hint}`, {
      url,
      retryable: true,
      cause: error,
    });
  };

  let response: OutboundResponse;
  try {
    response = await outboundRequest(url, {
      method: verb,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
      signal,
      policy: options.outbound,
      redirects: "same-origin",
    });
  } catch (error) {
    throw classify(error, "before the server answered");
  }
  const finalUrl = response.url;

  if (response.status === 304) {
    response.discard();
    return {
      status: "not-modified",
      validators: validatorsOf(response.headers, options.validators),
    };
  }
  if (response.status < 200 || response.status > 299) {
    const status = response.status;
    const errorBody = await errorBodyOf(response, options.errorBodyBytes ?? 0);
    // A Retry-After means something on these two (RFC 9110 §10.2.3, RFC 6585 §4).
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfter(response.headers.get("retry-after"), Date.now())
        : null;
    throw new SourceHttpError(
      `${verb} ${finalUrl} answered ${status}${response.statusText ? ` ${response.statusText}` : ""}; ${statusHint(status)}`,
      {
        url: finalUrl,
        status,
        retryable: retryableStatus(status),
        ...(retryAfterMs === null ? {} : { retryAfterMs }),
        ...(errorBody === undefined ? {} : { body: errorBody }),
      },
    );
  }

  const contentType = response.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!contentTypeAllowed(mediaType, options.expect)) {
    response.discard();
    const got = mediaType ? `Content-Type ${mediaType}` : "no Content-Type";
    throw new SourceHttpError(
      `${verb} ${finalUrl} answered ${response.status} with ${got}, but ${EXPECTED[options.expect]} was expected; check that the URL points at the ${options.expect === "xml" ? "feed" : "API endpoint"} itself, not a web page, login or error page`,
      { url: finalUrl, status: response.status, retryable: false, reason: "wrong-content-type" },
    );
  }

  let bytes: Uint8Array;
  try {
    bytes = await readCapped(response, finalUrl, options.maxBytes ?? DEFAULT_MAX_BYTES, verb);
  } catch (error) {
    throw classify(error, "while reading the body");
  }
  return {
    status: "fresh",
    body: options.decodeBody ? options.decodeBody(bytes, finalUrl) : decode(bytes, contentType),
    validators: validatorsOf(response.headers, null),
    headers: response.headers,
    url: finalUrl,
  };
}

/**
 * GETs `url` (or POSTs `body` to it, with `method: "POST"`) with outcry's HTTP policy
 * (see the module comment).
 * @throws {SourceHttpError} naming the URL and what to check
 * @example
 * const result = await fetchWithPolicy("https://status.example.com/history.rss", {
 *   signal, expect: "xml", validators: { etag: '"abc"' },
 * });
 */
export function fetchWithPolicy(url: string, options: FetchOptions): Promise<FetchResult> {
  const { signal, deadlineAt } = options;
  return withRetries(
    () => {
      if (signal.aborted) throw deadlineError(url, "before the request was sent");
      return attempt(url, options);
    },
    {
      retries: options.retries ?? DEFAULT_RETRIES,
      backoff: { firstMs: BACKOFF_FIRST_MS, maxMs: BACKOFF_MAX_MS, jitter: true },
      signal,
      maxWaitMs: () => (deadlineAt !== undefined ? deadlineAt - Date.now() : MAX_RETRY_WAIT_MS),
      waitTooLong: (error, waitMs) => {
        const failedUrl = error instanceof SourceHttpError ? error.url : url;
        const asked = error.retryAfterMs !== undefined && error.retryAfterMs >= waitMs;
        const answered = error.status === undefined ? "failed" : `answered ${error.status}`;
        return new SourceHttpError(
          asked
            ? `GET ${failedUrl} ${answered} and asked to retry after ${Math.ceil(waitMs / 1000)} s, which is past the source's deadline, so this read fails now and the next tick tries again; if it keeps happening, read this source less often`
            : `${error.message}; no time is left before the source's deadline to try again`,
          {
            url: failedUrl,
            retryable: true,
            cause: error,
            ...(error.status === undefined ? {} : { status: error.status }),
          },
        );
      },
      abortedWhileWaiting: (error, waitMs) =>
        deadlineError(
          url,
          `while waiting ${Math.ceil(waitMs)} ms to retry after: ${error.message}`,
        ),
      gaveUp: (error, attempts) => {
        if (attempts > 1) error.message += ` (gave up after ${attempts} attempts)`;
        return error;
      },
    },
  );
}
