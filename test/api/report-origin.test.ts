import { describe, expect, it } from "vitest";
import { HttpError } from "../../lambdas/api/http-error";
import { refuseForeignReportOrigin } from "../../lambdas/api/report-origin";

const HOST = "api.example.com";
const EMBED = ["https://status.example.org"];

/** The status a report with these headers gets from the origin rule: 0 when it passes. */
function refusal(headers: Record<string, string | undefined>): number {
  try {
    refuseForeignReportOrigin({ host: HOST, ...headers }, EMBED);
    return 0;
  } catch (error) {
    return error instanceof HttpError ? error.status : -1;
  }
}

describe("refuseForeignReportOrigin", () => {
  it.each([
    ["a script (no Origin, no Sec-Fetch-Site)", {}],
    ["the API's own dashboard", { origin: `https://${HOST}`, "sec-fetch-site": "same-origin" }],
    ["an older browser on the dashboard", { origin: `https://${HOST}` }],
    [
      "a listed embed origin",
      { origin: "https://status.example.org", "sec-fetch-site": "cross-site" },
    ],
    ["a listed origin, in other letter case", { origin: "HTTPS://Status.Example.org" }],
  ])("lets %s report", (_, headers) => {
    expect(refusal(headers)).toBe(0);
  });

  it.each([
    ["another site", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ["another site, without Sec-Fetch-Site", { origin: "https://evil.example" }],
    ["a sibling subdomain", { origin: "https://www.example.com", "sec-fetch-site": "same-site" }],
    ["the same host on another scheme's port", { origin: `https://${HOST}:8443` }],
    ["a sandboxed frame or a local file", { origin: "null" }],
    ["a cross-site page that hides its Origin", { "sec-fetch-site": "cross-site" }],
    ["a malformed Origin", { origin: "javascript:alert(1)" }],
  ])("refuses %s with 403", (_, headers) => {
    expect(refusal(headers)).toBe(403);
  });

  it("names the setting that would allow an embed, and echoes a long origin truncated", () => {
    // Act
    const long = `https://${"a".repeat(500)}.example`;
    let message = "";
    try {
      refuseForeignReportOrigin({ host: HOST, origin: long }, []);
    } catch (error) {
      message = (error as Error).message;
    }

    // Assess
    expect(message).toContain("reports.embedOrigins");
    expect(message.length).toBeLessThan(400);
  });
});
