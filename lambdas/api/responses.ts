/**
 * API Gateway v2 (HTTP API, payload 2.0) responses: JSON and HTML bodies, problem
 * details, validators for conditional requests, and gzip for large bodies (HTTP APIs do
 * not compress responses themselves). Headers every answer carries are added by
 * `security-headers.ts`.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { HttpError } from "./http-error";

/** A JSON response. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

/** A JSON response whose body is already serialized. */
export function jsonText(status: number, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { "content-type": "application/json; charset=utf-8" },
    body,
  };
}

/** A body of another media type (a feed, an image), already written. */
export function typed(
  status: number,
  contentType: string,
  body: string,
): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { "content-type": contentType }, body };
}

/**
 * An HTML page; its own CSP (a meta tag) limits what it loads. It may not be framed
 * unless `framedBy` lists who may (CSP sources: `'self'`, origins), which a meta policy
 * cannot say.
 */
export function html(
  status: number,
  page: string,
  framedBy: readonly string[] = [],
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `frame-ancestors ${framedBy.length > 0 ? framedBy.join(" ") : "'none'"}`,
      "referrer-policy": "no-referrer",
    },
    body: page,
  };
}

/** An RFC 9457 problem response for an {@link HttpError}. */
export function problem(error: HttpError): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: error.status,
    headers: { "content-type": "application/problem+json", ...error.headers },
    body: JSON.stringify({
      type: "about:blank",
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(error.field ? { field: error.field } : {}),
    }),
  };
}

/** A strong validator of a body: its SHA-1, enough to tell versions apart. */
export function entityTag(body: string): string {
  return `"${createHash("sha1").update(body).digest("base64url")}"`;
}

/** True when an `If-None-Match` header names `tag` (or is `*`); weak tags compare too. */
function matchesTag(ifNoneMatch: string, tag: string): boolean {
  return ifNoneMatch
    .split(",")
    .map((candidate) => candidate.trim().replace(/^W\//, ""))
    .some((candidate) => candidate === tag || candidate === "*");
}

/** Adds `ETag` (of the uncompressed body) and `Cache-Control` to a successful answer. */
export function withValidator(
  result: APIGatewayProxyStructuredResultV2,
  cacheControl: string,
): APIGatewayProxyStructuredResultV2 {
  const tag = entityTag(result.body ?? "");
  return { ...result, headers: { ...result.headers, etag: tag, "cache-control": cacheControl } };
}

/** `304 Not Modified` (no body) when the client already holds the answer's version. */
export function notModifiedIf(
  result: APIGatewayProxyStructuredResultV2,
  ifNoneMatch: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  const tag = result.headers?.etag;
  if (ifNoneMatch === undefined || typeof tag !== "string" || !matchesTag(ifNoneMatch, tag)) {
    return result;
  }
  const { "content-type": _type, "content-encoding": _encoding, ...headers } = result.headers ?? {};
  return { statusCode: 304, headers };
}

/** Bodies below this many characters go out as they are: gzip would save little. */
const COMPRESS_FROM_CHARS = 8192;

/** True when an `Accept-Encoding` header accepts gzip (by name or `*`, with q above 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const qualities = new Map<string, number>();
  for (const entry of (acceptEncoding ?? "").split(",")) {
    const [name = "", ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    const quality = parameters.find((p) => p.startsWith("q="));
    qualities.set(name, quality ? Number(quality.slice(2)) : 1);
  }
  // An explicit gzip entry wins over `*` (RFC 9110: "gzip;q=0, *" refuses gzip).
  const gzip = qualities.get("gzip") ?? qualities.get("*");
  return gzip !== undefined && gzip > 0;
}

/**
 * Gzips a large body when the client accepts gzip, and gives the gzipped answer its own
 * strong validator. (@middy/http-content-encoding has no release for middy 6, needs
 * http-content-negotiation to pick the coding, and leaves the uncompressed body's `ETag`
 * on the compressed one.)
 */
export function compressed(
  result: APIGatewayProxyStructuredResultV2,
  gzip: boolean,
): APIGatewayProxyStructuredResultV2 {
  const body = result.body;
  if (!body || result.isBase64Encoded || body.length < COMPRESS_FROM_CHARS) return result;
  if (!gzip) {
    return { ...result, headers: { ...result.headers, vary: "accept-encoding" } };
  }
  // A different coding is a different representation: its strong validator differs too.
  const etag = result.headers?.etag;
  return {
    ...result,
    headers: {
      ...result.headers,
      ...(typeof etag === "string" ? { etag: etag.replace(/"$/, '-gz"') } : {}),
      "content-encoding": "gzip",
      vary: "accept-encoding",
    },
    body: gzipSync(body).toString("base64"),
    isBase64Encoded: true,
  };
}
