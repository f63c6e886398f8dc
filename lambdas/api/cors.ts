/**
 * CORS, answered by the function itself through middy's http-cors (API Gateway's own
 * CORS would need the origins at deploy time and could not be tested locally):
 * - the read routes: pages on `api.corsOrigins` may read (GET and HEAD);
 * - the report routes (`POST /reports`, `GET /reports/challenge`): only pages on
 *   `reports.embedOrigins` get a CORS answer (none by default), so a browser on any other
 *   site fails the preflight of a JSON report and cannot read a challenge. That is a
 *   courtesy to browsers, not the guard: a page can still send a request the browser
 *   does not preflight, which `report-origin.ts` refuses on the server.
 */
import type middy from "@middy/core";
import httpCors, { type Options } from "@middy/http-cors";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { API_KEY_HEADER } from "./access";
import { routedPath } from "./route-path";

/** Headers a SigV4-signed request carries (for signed reads, `api.auth` iam). */
const SIGV4_HEADERS = "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256";

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

type ApiMiddleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Where each kind of route may be called from. */
export interface CorsOrigins {
  /** Origins whose pages may read (`api.corsOrigins`; `'*'` for any). */
  read: readonly string[];
  /** Origins whose pages may post reports (`reports.embedOrigins`). */
  report: readonly string[];
}

/** The paths whose CORS answer is the report one (as the router matches them). */
const REPORT_PATHS: ReadonlySet<string> = new Set([
  "/reports",
  "/reports/challenge",
  "/subscriptions",
  "/subscriptions/confirm",
  "/subscriptions/unsubscribe",
]);

/** The http-cors middleware for `options`, origins lower-cased (browsers send them so). */
function corsMiddleware(
  origins: readonly string[],
  options: Pick<Options, "methods" | "headers" | "exposeHeaders">,
): ApiMiddleware {
  const allowed = origins.map((origin) => origin.toLowerCase());
  // `vary` is an option of http-cors 6 that its type declarations leave out.
  const settings: Options & { vary?: string } = {
    ...options,
    origins: allowed,
    // An answer to one listed origin differs from the answer to any other, so shared
    // caches must key on Origin; http-cors says so itself only for several origins.
    vary: allowed.length === 1 && allowed[0] !== "*" ? "Origin" : undefined,
    maxAge: PREFLIGHT_MAX_AGE,
  };
  return httpCors(settings) as ApiMiddleware;
}

/**
 * The CORS middleware for the configured origins, read when the first request arrives;
 * it adds its headers to every answer, errors included.
 * @example middy(handler).use(corsFor(() => ({ read: ["*"], report: [] })))
 */
export function corsFor(origins: () => CorsOrigins): ApiMiddleware {
  let built: { read: ApiMiddleware; report: ApiMiddleware | undefined } | undefined;
  const middlewareFor = (path: string): ApiMiddleware | undefined => {
    if (!built) {
      const { read, report } = origins();
      built = {
        read: corsMiddleware(read, {
          methods: "GET, HEAD",
          headers: `content-type, ${API_KEY_HEADER}, if-none-match, ${SIGV4_HEADERS}`,
          exposeHeaders: "etag, retry-after",
        }),
        report:
          report.length === 0
            ? undefined
            : corsMiddleware(report, {
                methods: "GET, POST",
                headers: "content-type",
                exposeHeaders: "retry-after",
              }),
      };
    }
    return REPORT_PATHS.has(routedPath(path)) ? built.report : built.read;
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
      return middlewareFor(request.event.rawPath)?.after?.(request);
    },
    onError: (request) => {
      ownCopy(request);
      return middlewareFor(request.event.rawPath)?.onError?.(request);
    },
  };
}
