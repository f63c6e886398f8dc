/**
 * Whether a request came through outcry's own CloudFront front door (`api.frontDoor`),
 * and what that edge saw of the viewer. Behind the distribution every request reaches
 * API Gateway from CloudFront's addresses, so the reporter is the address CloudFront
 * names in `CloudFront-Viewer-Address`. That header, like the viewer's country headers,
 * is believed only when the request also carries the secret origin header the
 * distribution adds: a client calling API Gateway's own URL can write any header but
 * does not know the secret, and without it those headers are ignored entirely.
 */
import { isIP } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { HttpError } from "./http-error";
import { sameSecret } from "./same-secret";

/** The header the distribution adds to every request it forwards, holding the secret. */
export const ORIGIN_SECRET_HEADER = "X-Outcry-Origin-Secret";

/**
 * The CloudFront headers the distribution forwards: the viewer's address and port, its
 * country, and the country's subdivision (a US state's code). Nothing finer (city,
 * postal code, coordinates) is ever forwarded.
 */
export const VIEWER_HEADERS = {
  address: "CloudFront-Viewer-Address",
  country: "CloudFront-Viewer-Country",
  subdivision: "CloudFront-Viewer-Country-Region",
} as const;

/** A header's value: API Gateway hands the function header names lower-cased. */
const header = (headers: APIGatewayProxyEventV2["headers"], name: string) =>
  headers[name.toLowerCase()];

/** The front door, as the api function knows it. */
export interface TrustedEdge {
  /** The origin the distribution serves the API at, e.g. `https://d111111abcdef8.cloudfront.net`. */
  origin: string;
  /**
   * The values the secret origin header may hold: the current one, and the previous one
   * while a rotation reaches every edge location.
   */
  secrets: () => Promise<readonly string[]>;
}

/** Where the edge saw the viewer: ISO 3166 codes as CloudFront writes them. */
export interface Viewer {
  country?: string;
  subdivision?: string;
}

/** The viewers of the requests that proved they came through the edge. */
const viewers = new WeakMap<APIGatewayProxyEventV2, Viewer>();

/**
 * The address in a `CloudFront-Viewer-Address` value: CloudFront writes the address and
 * the source port after its last colon (`198.51.100.10:46532`,
 * `2001:db8::8a2e:370:7334:46532`); brackets around an IPv6 address are taken too.
 */
function viewerAddress(value: string | undefined): string | undefined {
  const raw = value?.trim() ?? "";
  const colon = raw.lastIndexOf(":");
  if (colon < 0 || !/^\d{1,5}$/.test(raw.slice(colon + 1))) return undefined;
  const host = raw.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return isIP(host) === 0 ? undefined : host;
}

/** A header's value trimmed, or nothing when it is absent or blank. */
function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * The request as the viewer made it, when it provably came through the front door: the
 * viewer's address as the client address, the distribution's name as the host it was
 * sent to (so feeds link to it and the dashboard's own reports count as same-origin),
 * and the secret header dropped; {@link viewerOf} then tells where the viewer was.
 * Any other request (no front door, no secret or a wrong one) is returned as it came,
 * and its viewer headers are never read.
 * @throws HttpError 502 when the secret is right but CloudFront named no usable viewer address
 * @example const seen = await throughTrustedEdge(deps.edge, event);
 */
export async function throughTrustedEdge(
  edge: TrustedEdge | undefined,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyEventV2> {
  const given = header(event.headers, ORIGIN_SECRET_HEADER);
  if (!edge || given === undefined) return event;
  const secrets = await edge.secrets();
  if (!secrets.some((secret) => sameSecret(given, secret))) return event;
  const sourceIp = viewerAddress(header(event.headers, VIEWER_HEADERS.address));
  if (!sourceIp) {
    throw new HttpError(
      502,
      "Bad Gateway",
      "the front door forwarded no viewer address and port; its origin request policy must forward CloudFront-Viewer-Address",
    );
  }
  const host = new URL(edge.origin).host;
  const { [ORIGIN_SECRET_HEADER.toLowerCase()]: _secret, ...headers } = event.headers;
  const seen: APIGatewayProxyEventV2 = {
    ...event,
    headers: { ...headers, host },
    requestContext: {
      ...event.requestContext,
      domainName: host,
      http: { ...event.requestContext.http, sourceIp },
    },
  };
  const country = present(header(headers, VIEWER_HEADERS.country));
  const subdivision = present(header(headers, VIEWER_HEADERS.subdivision));
  viewers.set(seen, {
    ...(country ? { country } : {}),
    ...(subdivision ? { subdivision } : {}),
  });
  return seen;
}

/**
 * Where the edge saw the viewer of `event`, when {@link throughTrustedEdge} proved it came
 * through the front door; undefined for every other request, whatever headers it carries.
 * @example submitReport(deps, { ..., viewer: viewerOf(event) })
 */
export function viewerOf(event: APIGatewayProxyEventV2): Viewer | undefined {
  return viewers.get(event);
}
