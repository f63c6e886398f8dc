/**
 * The trusted edge: CloudFront's viewer headers are believed only beside the front
 * door's origin secret (either value while it rotates), and every other request keeps
 * API Gateway's own client address and has no viewer.
 */
import { describe, expect, it } from "vitest";
import { HttpError } from "../../lambdas/api/http-error";
import {
  ORIGIN_SECRET_HEADER,
  type TrustedEdge,
  throughTrustedEdge,
  viewerOf,
} from "../../lambdas/api/trusted-edge";
import { httpEvent } from "../support/lambda-events";

const CURRENT = "c".repeat(48);
const PREVIOUS = "p".repeat(48);
const EDGE: TrustedEdge = {
  origin: "https://d111111abcdef8.cloudfront.net",
  secrets: async () => [CURRENT, PREVIOUS],
};
/** API Gateway's sourceIp for every request here: one of CloudFront's addresses. */
const CLOUDFRONT_IP = "130.176.1.1";

/** A request as API Gateway hands it over, with these headers (names lower-cased). */
function request(headers: Record<string, string>) {
  return httpEvent("POST", "/reports", { headers, sourceIp: CLOUDFRONT_IP });
}

/** What the function takes from a request: its client address, host, and viewer. */
async function seen(headers: Record<string, string>, edge: TrustedEdge | "none" = EDGE) {
  const event = await throughTrustedEdge(edge === "none" ? undefined : edge, request(headers));
  return {
    sourceIp: event.requestContext.http.sourceIp,
    host: event.headers.host,
    domainName: event.requestContext.domainName,
    viewer: viewerOf(event),
    secretLeft: ORIGIN_SECRET_HEADER.toLowerCase() in event.headers,
  };
}

const TEXAS = {
  "cloudfront-viewer-address": "198.51.100.10:46532",
  "cloudfront-viewer-country": "US",
  "cloudfront-viewer-country-region": "TX",
};

describe("throughTrustedEdge", () => {
  it("takes the viewer's address, the distribution's host and the viewer's place beside the secret", async () => {
    // Act
    const result = await seen({ ...TEXAS, "x-outcry-origin-secret": CURRENT });

    // Assess
    expect(result).toEqual({
      sourceIp: "198.51.100.10",
      host: "d111111abcdef8.cloudfront.net",
      domainName: "d111111abcdef8.cloudfront.net",
      viewer: { country: "US", subdivision: "TX" },
      secretLeft: false,
    });
  });

  it("takes the previous secret too, while a rotation reaches every edge location", async () => {
    expect((await seen({ ...TEXAS, "x-outcry-origin-secret": PREVIOUS })).sourceIp).toBe(
      "198.51.100.10",
    );
  });

  it.each([
    ["without the secret", {}],
    ["with a wrong secret", { "x-outcry-origin-secret": "guess" }],
    ["with the secret one character short", { "x-outcry-origin-secret": CURRENT.slice(1) }],
    ["with an empty secret", { "x-outcry-origin-secret": "" }],
  ])("ignores forged viewer headers %s", async (_, secret: Record<string, string>) => {
    // Act
    const result = await seen({ ...TEXAS, ...secret });

    // Assess
    expect(result.sourceIp).toBe(CLOUDFRONT_IP);
    expect(result.viewer).toBeUndefined();
    expect(result.domainName).toBeUndefined();
  });

  it("ignores every viewer header when there is no front door, even beside a right secret", async () => {
    // Act
    const result = await seen({ ...TEXAS, "x-outcry-origin-secret": CURRENT }, "none");

    // Assess
    expect(result.sourceIp).toBe(CLOUDFRONT_IP);
    expect(result.viewer).toBeUndefined();
  });

  it.each([
    ["IPv4 with its port", "203.0.113.7:443", "203.0.113.7"],
    ["IPv6 with its port", "2001:db8:85a3::8a2e:370:7334:46532", "2001:db8:85a3::8a2e:370:7334"],
    ["IPv6 in brackets with its port", "[2001:db8::1]:8080", "2001:db8::1"],
    ["an IPv4-mapped IPv6 address", "::ffff:198.51.100.4:1234", "::ffff:198.51.100.4"],
  ])("reads %s", async (_, address, expected) => {
    // Act
    const result = await seen({
      "cloudfront-viewer-address": address,
      "x-outcry-origin-secret": CURRENT,
    });

    // Assess
    expect(result.sourceIp).toBe(expected);
  });

  it.each([
    ["no header", undefined],
    ["an address without its port", "203.0.113.7"],
    ["a name", "example.com:443"],
    ["two addresses", "203.0.113.7:443, 198.51.100.1:80"],
  ])("answers 502 naming the header for %s beside a right secret", async (_, address) => {
    // Act
    const error = await throughTrustedEdge(
      EDGE,
      request({
        ...(address === undefined ? {} : { "cloudfront-viewer-address": address }),
        "x-outcry-origin-secret": CURRENT,
      }),
    ).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(502);
    expect((error as HttpError).message).toContain("CloudFront-Viewer-Address");
  });

  it("gives no viewer place the edge did not name", async () => {
    // Act
    const result = await seen({
      "cloudfront-viewer-address": "203.0.113.7:443",
      "cloudfront-viewer-country": " ",
      "x-outcry-origin-secret": CURRENT,
    });

    // Assess
    expect(result.viewer).toEqual({});
  });
});
