/**
 * CORS for the read API, answered by the function itself through middy's http-cors (API
 * Gateway's own CORS would need the origins at deploy time and could not be tested
 * locally): pages on the configured origins may read; no other site may post crowd
 * reports on its visitors' behalf, since only GET and HEAD are allowed across origins.
 */
import type middy from "@middy/core";
import httpCors, { type Options } from "@middy/http-cors";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { API_KEY_HEADER } from "./access";

/** Headers a SigV4-signed request carries (for signed reads, `api.auth` iam). */
const SIGV4_HEADERS = "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256";

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

type ApiMiddleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * The CORS middleware for `origins` (each `'*'` or a scheme and host), read when the
 * first request arrives; it adds its headers to every answer, errors included.
 * @example middy(handler).use(corsFor(() => config.api.corsOrigins))
 */
export function corsFor(origins: () => readonly string[]): ApiMiddleware {
  let cors: ApiMiddleware | undefined;
  const middleware = (): ApiMiddleware => {
    if (cors) return cors;
    // Browsers send the origin lower-cased; the configuration may not be.
    const allowed = origins().map((origin) => origin.toLowerCase());
    // `vary` is an option of http-cors 6 that its type declarations leave out.
    const options: Options & { vary?: string } = {
      origins: allowed,
      // An answer to one listed origin differs from the answer to any other, so shared
      // caches must key on Origin; http-cors says so itself only for several origins.
      vary: allowed.length === 1 && allowed[0] !== "*" ? "Origin" : undefined,
      methods: "GET, HEAD",
      headers: `content-type, ${API_KEY_HEADER}, if-none-match, ${SIGV4_HEADERS}`,
      exposeHeaders: "etag, retry-after",
      maxAge: PREFLIGHT_MAX_AGE,
    };
    cors = httpCors(options) as ApiMiddleware;
    return cors;
  };
  // http-cors sets the headers on the answer object itself, and a cached answer is shared
  // between requests: each request gets its own copy first, or one origin's headers
  // would be served to the next.
  const ownCopy = (
    request: middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>,
  ) => {
    if (request.response) request.response = { ...request.response };
  };
  return {
    after: (request) => {
      ownCopy(request);
      return middleware().after?.(request);
    },
    onError: (request) => {
      ownCopy(request);
      return middleware().onError?.(request);
    },
  };
}
