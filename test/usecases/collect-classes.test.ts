/**
 * Keyword classes of a social source through collect on dynalite: a Mastodon source with
 * `classes`, reading recorded hashtag pages from a local server, has its count of each
 * bucket split by class in the series, beside its count, and the split adds up with the
 * crowd reports' kinds in a span's mix; a tick that reads the same posts again counts
 * none of them twice.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { mixOf } from "../../lambdas/domain/report-mix";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";
import { pipelineOn } from "./pipeline-fixture";

const page = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", "mastodon", name), "utf8");
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const TAG_PATH = "/api/v1/timelines/tag/tmobile";
/** The tick of 03:21 collects the 5-minute buckets 03:05, 03:10 and 03:15. */
const NOW = parseIso("2023-02-14T03:21:00Z");

let table: TestTable;
let server: FixtureServer;
beforeAll(async () => {
  [table, server] = await Promise.all([startTestTable(), startFixtureServer()]);
  server.route(TAG_PATH, ({ query }) => ({
    headers: JSON_TYPE,
    body: page(query.get("max_id") ? "tag-page-2.json" : "tag-page-1.json"),
  }));
});
afterAll(async () => {
  await Promise.all([table.close(), server.close()]);
});

describe("collect with a social source's keyword classes", () => {
  it("stores each bucket's split by class beside the source's count", async () => {
    // Prepare
    const config = parseConfig({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [
            {
              kind: "mastodon",
              instance: server.url,
              hashtag: "tmobile",
              classes: {
                calls: ["calls", "voice"],
                texts: ["texts", "SMS"],
                "no-signal": ["no signal", "SOS", "no service"],
                "mobile-data": ["mobile data", "lte", "5g"],
              },
            },
          ],
        },
      ],
    });
    const { deps } = await pipelineOn(table, config, () => NOW, FIXTURE_NETWORK);

    // A crowd report of calls in the 03:15 bucket, beside the posts.
    await deps.api.reports.record({
      service: "t-mobile",
      problem: "calls",
      reporter: "r-1",
      network: "n-1",
      at: parseIso("2023-02-14T03:16:00Z"),
    });

    // Act: two ticks read the same posts
    const first = await collectCounts(deps.collect, NOW);
    await collectCounts(deps.collect, NOW + 60_000);
    const points = await deps.collect.series.range(
      "t-mobile",
      parseIso("2023-02-14T03:05:00Z"),
      parseIso("2023-02-14T03:15:00Z"),
    );

    // Assess: 03:05 #4 "no service"; 03:10 #6 "Mobile data" and an ad in no class; 03:15
    // #9 "Calls fail & texts won't send" (calls comes first) and #7 "no signal"
    expect(first.failures).toEqual([]);
    expect(points.map((p) => [p.counts.mastodon, p.breakdowns?.mastodon])).toEqual([
      [1, { "no-signal": 1 }],
      [2, { "mobile-data": 1 }],
      [2, { calls: 1, "no-signal": 1 }],
    ]);
    expect(points[2]?.breakdowns?.reports).toEqual({ calls: 1 });
    // Classes named as the category's kinds add up with the crowd reports in a span's mix.
    expect(mixOf(points).problems).toEqual({ "no-signal": 2, "mobile-data": 1, calls: 2 });
  });
});
