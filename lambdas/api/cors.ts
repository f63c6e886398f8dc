/**
 * CORS for the read API, answered by the function itself (API Gateway's own CORS would
 * need the origins at deploy time and could not be tested locally): pages on the
 * configured origins may read; no other site may post crowd reports on its visitors'
 * behalf, since only GET and HEAD are allowed across origins.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { API_KEY_HEADER } from "./access";

/** Headers a SigV4-signed request carries. */
const SIGV4_HEADERS = "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256";

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/**
 * Adds the CORS headers a request from `origin` may see. Requests without an Origin
 * header (not from a browser page) get none.
 * @example withCors(result, "https://status.example.com", ["https://status.example.com"], false)
 */
export function withCors(
  result: APIGatewayProxyStructuredResultV2,
  origin: string | undefined,
  allowOrigins: readonly string[],
  preflight: boolean,
): APIGatewayProxyStructuredResultV2 {
  if (!origin) return result;
  const anyOrigin = allowOrigins.includes("*");
  const headers: Record<string, string> = {};
  if (anyOrigin) headers["access-control-allow-origin"] = "*";
  else if (allowOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase())) {
    headers["access-control-allow-origin"] = origin;
  }
  if (!anyOrigin) headers.vary = mergeVary(result.headers?.vary, "origin");
  if (headers["access-control-allow-origin"]) {
    if (preflight) {
      headers["access-control-allow-methods"] = "GET, HEAD";
      // The SigV4 headers too, for signed reads (api.auth iam).
      headers["access-control-allow-headers"] =
        `content-type, ${API_KEY_HEADER}, if-none-match, ${SIGV4_HEADERS}`;
      headers["access-control-max-age"] = String(PREFLIGHT_MAX_AGE);
    } else {
      headers["access-control-expose-headers"] = "etag, retry-after";
    }
  }
  return { ...result, headers: { ...result.headers, ...headers } };
}

function mergeVary(existing: string | number | boolean | undefined, add: string): string {
  return existing ? `${existing}, ${add}` : add;
}
