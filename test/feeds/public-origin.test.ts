/**
 * The origin feed links are built on: the name API Gateway was reached by, over HTTPS;
 * plain HTTP only for the local runtime's loopback address; never a client's Host.
 */
import { describe, expect, it } from "vitest";
import { publicOrigin } from "../../lambdas/api/public-origin";
import { httpEvent } from "../support/lambda-events";

const withDomain = (domainName: string, host = "evil.example") => {
  const event = httpEvent("GET", "/feed.atom", { headers: { host } });
  return { ...event, requestContext: { ...event.requestContext, domainName } };
};

describe("publicOrigin", () => {
  it.each([
    [
      "abc123.execute-api.eu-west-1.amazonaws.com",
      "https://abc123.execute-api.eu-west-1.amazonaws.com",
    ],
    ["status.example.org", "https://status.example.org"],
    ["127.0.0.1:3000", "http://127.0.0.1:3000"],
    ["localhost:3000", "http://localhost:3000"],
    ["evil.example/<script>", "https://localhost"],
  ])("reads %s as %s, whatever Host says", (domain, origin) => {
    // Act and Assert
    expect(publicOrigin(withDomain(domain))).toBe(origin);
  });
});
