/**
 * `api.frontDoor` through the real api handler over a real store (dynalite): a report
 * with forged CloudFront viewer headers and no origin secret gets no region and counts
 * under API Gateway's client address; with the secret it counts in the viewer's state,
 * as the viewer's address; and the dashboard's own reports and the feeds' links go by
 * the distribution's name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrustedEdge } from "../../lambdas/api/trusted-edge";
import { bucketStart } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { createApiHandler } from "../../lambdas/handlers/api";
import { buildDependencies, type Dependencies } from "../../lambdas/wiring/dependencies";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { httpEvent, lambdaContext } from "../support/lambda-events";

const NOW = Date.parse("2024-03-01T10:02:00Z");
const SECRET = "s".repeat(48);
const DISTRIBUTION = "d111111abcdef8.cloudfront.net";
const EDGE: TrustedEdge = { origin: `https://${DISTRIBUTION}`, secrets: async () => [SECRET] };
/** Where every request reaches API Gateway from behind the distribution. */
const CLOUDFRONT_IP = "130.176.1.1";
const TEXAS = {
  "cloudfront-viewer-country": "US",
  "cloudfront-viewer-country-region": "TX",
};

const config = parseConfig({
  services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier", area: "us" }],
  api: { frontDoor: {} },
  reports: { challenge: false },
});

let table: TestTable;
let deps: Dependencies;
let call: (event: ReturnType<typeof httpEvent>) => Promise<{ status: number; body: string }>;

beforeAll(async () => {
  table = await startTestTable();
  deps = buildDependencies({
    config,
    tableName: table.tableName,
    client: table.client,
    notifiers: () => [],
    salt: async () => "salt",
    edge: EDGE,
    now: () => NOW,
  });
  const handler = createApiHandler(() => deps.api);
  call = async (event) => {
    const result = await handler(event, lambdaContext("api"));
    return { status: result.statusCode ?? 0, body: String(result.body ?? "") };
  };
});

afterAll(async () => {
  await table?.close();
});

/** A report as the distribution would forward it, from `viewer` (address and port). */
function report(viewer: string, headers: Record<string, string>) {
  return call(
    httpEvent("POST", "/reports", {
      body: { service: "t-mobile", problem: "no-signal" },
      headers: { "cloudfront-viewer-address": viewer, ...headers },
      sourceIp: CLOUDFRONT_IP,
    }),
  );
}

/** Counted reports per region in this bucket. */
async function regionCounts(): Promise<Record<string, number>> {
  const bucket = bucketStart(NOW, config.bucketMinutes);
  return (await deps.api.reports.countBuckets("t-mobile", [bucket])).get(bucket)?.regions ?? {};
}

describe("POST /reports behind the front door", () => {
  it("gives a report with forged viewer headers and no secret no region, under API Gateway's address", async () => {
    // Act
    const forged = await report("198.51.100.10:46532", TEXAS);
    // The same CloudFront address again, from a "different viewer": the same reporter.
    const again = await report("198.51.100.11:46532", TEXAS);

    // Assess
    expect(forged.status).toBe(202);
    expect(JSON.parse(forged.body)).toMatchObject({ status: "accepted", region: null });
    expect(JSON.parse(again.body)).toMatchObject({ status: "duplicate" });
    expect(await regionCounts()).toEqual({});
  });

  it("counts a report with the secret in the viewer's state, as the viewer's own", async () => {
    // Act
    const secret = { "x-outcry-origin-secret": SECRET };
    const first = await report("203.0.113.20:46532", { ...TEXAS, ...secret });
    const other = await report("2001:db8::20:51000", { ...TEXAS, ...secret });
    const picked = await call(
      httpEvent("POST", "/reports", {
        body: { service: "t-mobile", problem: "no-signal", region: "US-CA" },
        headers: { "cloudfront-viewer-address": "192.0.2.30:443", ...TEXAS, ...secret },
        sourceIp: CLOUDFRONT_IP,
      }),
    );

    // Assess
    expect(JSON.parse(first.body)).toMatchObject({ status: "accepted", region: "US-TX" });
    // Another viewer behind the same CloudFront address is another reporter.
    expect(JSON.parse(other.body)).toMatchObject({ status: "accepted", region: "US-TX" });
    // The reporter's own pick wins over where the edge saw them.
    expect(JSON.parse(picked.body)).toMatchObject({ status: "accepted", region: "US-CA" });
    expect(await regionCounts()).toEqual({ "US-TX": 2, "US-CA": 1 });
  });

  it("takes the dashboard's own report through the distribution as same-origin", async () => {
    // Act
    const page = { origin: `https://${DISTRIBUTION}`, "sec-fetch-site": "same-origin" };
    const through = await report("192.0.2.40:443", {
      ...page,
      "x-outcry-origin-secret": SECRET,
    });
    const direct = await report("192.0.2.41:443", page);

    // Assess
    expect(through.status).toBe(202);
    // Without the secret the request names API Gateway's host, not the distribution's.
    expect(direct.status).toBe(403);
  });
});

describe("feeds behind the front door", () => {
  it("link to the distribution when reached through it", async () => {
    // Act
    const feed = await call(
      httpEvent("GET", "/feed.json", {
        headers: {
          "cloudfront-viewer-address": "192.0.2.50:443",
          "x-outcry-origin-secret": SECRET,
        },
        sourceIp: CLOUDFRONT_IP,
      }),
    );

    // Assess
    expect(feed.status).toBe(200);
    expect(JSON.parse(feed.body).home_page_url).toMatch(`https://${DISTRIBUTION}/`);
  });
});
