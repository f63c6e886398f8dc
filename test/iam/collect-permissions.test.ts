/**
 * collect's policy, proven on the calls its code makes: one service with every kind of
 * source (crowd reports, replay, Statuspage, RSS/Atom, Mastodon, http-json, Bluesky) read
 * from recorded payloads, over two ticks (the second with conditional requests and items
 * already seen), every DynamoDB and Secrets Manager call (the Bluesky app password) signed
 * as collect and decided against its policy from the synthesized template; and no grant
 * in that policy that the ticks did not use.
 */

import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { createCollectHandler } from "../../lambdas/handlers/collect";
import { SqsShardQueue } from "../../lambdas/queue/sqs-shard-queue";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { DynamoReportStore } from "../../lambdas/store/report-store";
import type { CollectResult } from "../../lambdas/usecases/collect-counts";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { SecretsManagerSecretReader } from "../../lambdas/wiring/secret-readers";
import { fixture } from "../sources/source-harness";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { type GatedStack, startGatedStack } from "../support/iam/gated-stack";
import { lambdaContext } from "../support/lambda-events";
import { FIXTURE_NETWORK } from "../support/outbound";
import { shardedTick } from "../support/shard-ticks";

/** The tick of 03:31 UTC on 2023-02-14 reads the buckets 03:15, 03:20 and 03:25. */
const NOW = Date.parse("2023-02-14T03:31:00Z");
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const TAG_PATH = "/api/v1/timelines/tag/tmobile";

let server: FixtureServer;
let gated: GatedStack;

function routeFixtures(): void {
  const etagged =
    (body: string, etag: string, type: Record<string, string>) =>
    ({ headers }: { headers: Record<string, string | undefined> }) =>
      headers["if-none-match"] === etag
        ? { status: 304, headers: { etag } }
        : { headers: { ...type, etag }, body };
  server.route(
    "/api/v2/summary.json",
    etagged(fixture("statuspage", "summary.json"), '"s1"', JSON_TYPE),
  );
  server.route("/api/v2/incidents.json", {
    headers: JSON_TYPE,
    body: fixture("statuspage", "incidents.json"),
  });
  server.route(
    "/r/tmobile/new/.rss",
    etagged(fixture("feeds", "reddit-subreddit.atom"), '"r1"', {
      "content-type": "application/atom+xml; charset=UTF-8",
    }),
  );
  server.route(TAG_PATH, ({ query }) => ({
    headers: JSON_TYPE,
    body: fixture("mastodon", query.get("max_id") ? "tag-page-2.json" : "tag-page-1.json"),
  }));
  server.route("/xrpc/com.atproto.server.createSession", {
    headers: JSON_TYPE,
    body: fixture("bluesky", "session.json"),
  });
  server.route("/xrpc/app.bsky.feed.searchPosts", ({ query }) => ({
    headers: JSON_TYPE,
    body: fixture("bluesky", query.get("cursor") ? "search-page-2.json" : "search-page-1.json"),
  }));
  server.route("/api/v2/tickets/count", {
    headers: { "content-type": "application/json" },
    body: fixture("http-json", "zendesk-ticket-count.json"),
  });
}

beforeAll(async () => {
  server = await startFixtureServer();
  routeFixtures();
  gated = await startGatedStack(
    {
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [
            { kind: "replay", file: "data/counts.csv" },
            { kind: "statuspage", url: `${server.url}/` },
            { kind: "rss", url: `${server.url}/r/tmobile/new/.rss` },
            { kind: "mastodon", instance: `${server.url}/`, hashtag: "tmobile" },
            {
              kind: "http-json",
              url: `${server.url}/api/v2/tickets/count`,
              pointer: "/count/value",
            },
            {
              kind: "bluesky",
              url: server.url,
              q: "t-mobile outage",
              identifier: "outcry-bot.bsky.social",
            },
          ],
        },
      ],
    },
    {
      files: {
        "data/counts.csv": [
          "timestamp,service,count",
          "2023-02-14T03:15:00Z,t-mobile,40",
          "2023-02-14T03:20:00Z,t-mobile,90",
          "2023-02-14T03:25:00Z,t-mobile,300",
        ].join("\n"),
      },
    },
  );
}, 60_000);

afterAll(async () => {
  await gated?.close();
  await server?.close();
});

describe("collect through the IAM gate", () => {
  it("reads every kind of source and stores what it read, with nothing refused", async () => {
    // Prepare: a crowd report in the newest bucket, and collect built as its handler builds it
    const reports = new DynamoReportStore(gated.unchecked, {
      bucketMinutes: 5,
      dedupMinutes: gated.config.reports.dedupMinutes,
      shards: gated.config.reports.shards,
      retentionDays: 30,
      perNetwork: gated.config.reports.perNetwork,
    });
    // An earlier report too: the table has taken reports a while, so the newest window's
    // markers are believed, and collect reads them.
    for (const [reporter, at] of [
      ["r-0", "2023-02-14T02:00:00Z"],
      ["r-1", "2023-02-14T03:27:00Z"],
    ] as const) {
      await reports.record({
        service: "t-mobile",
        problem: "no-signal",
        reporter,
        network: "n-1",
        at: Date.parse(at),
      });
    }
    // The Bluesky app password, in the secret the source names by default.
    gated.aws.setSecret("abcd-efgh-ijkl-mnop", "outcry/bluesky");
    const secrets = new SecretsManagerSecretReader(gated.clientSettings("collect"));
    const deps = buildDependencies({
      config: gated.config,
      tableName: gated.identity("collect").environment.TABLE_NAME as string,
      client: gated.documents("collect"),
      notifiers: () => [],
      sources: (service, stores) =>
        sourcesForService(service, { ...stores, secrets }, FIXTURE_NETWORK),
      salt: () => Promise.reject(new Error("collect has no salt")),
      now: () => NOW,
    });
    const queueUrl = gated.identity("collect").environment.SHARD_QUEUE_URL as string;
    const queue = new SqsShardQueue(new SQSClient(gated.clientSettings("collect")), queueUrl);
    let wall = NOW;
    const handler = createCollectHandler(
      () => deps.collect,
      () => deps.leases,
      () => queue,
      () => wall,
    );
    const tick = async (at: number) => {
      wall = at;
      const shards = await shardedTick<CollectResult>(
        handler,
        gated.aws,
        queueUrl,
        at,
        lambdaContext("collect", 50_000),
      );
      expect(shards.flatMap((s) => s.batchItemFailures)).toEqual([]);
      return shards.flatMap((s) => s.results);
    };

    // Act: two ticks, the second a minute later (conditional requests, items seen before)
    const [first] = await tick(NOW);
    const [second] = await tick(NOW + MINUTE_MS);
    const [point] = await deps.collect.series.range(
      "t-mobile",
      Date.parse("2023-02-14T03:25:00Z"),
      Date.parse("2023-02-14T03:25:00Z"),
    );
    const health = await deps.collect.health.list("t-mobile");

    // Assess
    expect(gated.gate.refusals()).toEqual([]);
    expect(first?.failures).toEqual([]);
    expect(second?.failures).toEqual([]);
    // Every kind of source counted, and its health recorded.
    const kinds = ["bluesky", "http-json", "mastodon", "replay", "reports", "rss", "statuspage"];
    expect(Object.keys(point?.counts ?? {}).sort()).toEqual(kinds);
    expect(point?.counts.reports).toBe(1);
    expect(point?.counts.bluesky).toBe(2);
    expect(gated.aws.secretReads).toBe(1);
    expect(health.map((h) => h.source).sort()).toEqual(kinds);
  });

  it("has no grant that those ticks did not use", () => {
    // Act: what Lambda itself does with collect's role (its logs, its failure destination)
    gated.lambdaServiceCalls("collect");

    // Assess
    expect(gated.unusedGrants("collect")).toEqual([]);
  });
});
