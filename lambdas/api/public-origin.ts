/**
 * The origin absolute links in feeds are built on. It comes from API Gateway's
 * `requestContext.domainName` (the name it was reached by), never from `Host` or
 * `X-Forwarded-*`, which any client sets to whatever it likes. Behind the front door
 * that name is the distribution's: `throughTrustedEdge` (`trusted-edge.ts`) sets it from
 * the deployed configuration for requests that proved they came through it.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** A host name with an optional port: anything else is not one API Gateway would give. */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** A loopback name: only the local runtime (plain HTTP) is reached by one, never API Gateway. */
const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d{1,5})?$/;

/**
 * `https://<domain name>` of the request (`http://` for the local runtime's loopback
 * address), or `https://localhost` when it has none usable.
 * @example publicOrigin(event) // "https://abc123.execute-api.eu-west-1.amazonaws.com"
 */
export function publicOrigin(event: APIGatewayProxyEventV2): string {
  const domain = event.requestContext.domainName ?? "";
  if (!HOST.test(domain)) return "https://localhost";
  return `${LOOPBACK.test(domain) ? "http" : "https"}://${domain}`;
}
