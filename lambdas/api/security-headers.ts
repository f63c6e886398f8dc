/**
 * Headers every answer of the API carries, whatever route, status or error produced it
 * (204 preflights, 405s and problem details included):
 * - `Strict-Transport-Security`: the API is HTTPS-only in AWS, and a browser that has
 *   seen it once never tries plain HTTP for it again (a year; browsers ignore the header
 *   on plain-HTTP answers, such as the local runtime's). Not `includeSubDomains`: the API
 *   may sit on a custom domain whose subdomains are not outcry's to decide.
 * - `X-Content-Type-Options: nosniff`: an answer is only ever what its type says.
 */
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** The headers, by lower-case name. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "strict-transport-security": "max-age=31536000",
  "x-content-type-options": "nosniff",
};

type ApiRequest = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Adds {@link SECURITY_HEADERS} to the answer, as a new object (answers may be cached). */
function addHeaders(request: ApiRequest): void {
  const response = request.response;
  if (!response) return;
  request.response = { ...response, headers: { ...response.headers, ...SECURITY_HEADERS } };
}

/**
 * The middleware: use it first, so that its `after` and `onError` run last, on the
 * answer every other middleware has finished.
 * @example middy(handler).use(securityHeaders()).use(corsFor(origins))
 */
export function securityHeaders(): middy.MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return { after: addHeaders, onError: addHeaders };
}
