/**
 * Crowd reports counted without a query per quiet service, on dynalite, requests counted
 * at the SDK boundary: collect reads a window's markers once a shard and the report
 * partitions of marked services only; a flood writes its marker once per container;
 * reports from before markers existed are still counted; a report that lands after the
 * markers were read is counted by the next tick.
 */
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastClosedBucket, MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { CrowdReport } from "../../lambdas/domain/ports";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { DynamoReportStore } from "../../lambdas/store/report-store";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { countedClient, type SentRequest } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";

/** A tick half a minute into 10:08: the bucket 10:00-10:05 is the newest closed. */
const NOW = parseIso("2023-02-14T10:08:30Z");
const SERVICES = Array.from({ length: 30 }, (_, i) => `service-${i}`);
const config = parseConfig({
  services: SERVICES.map((id) => ({ id, name: id, category: "app" })),
});

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function setUp() {
  const { tableName } = await table.freshTable();
  const counted = countedClient(table.store.endpoint);
  const ref = { client: counted.client, tableName };
  /** The API's report store: a container of its own. */
  const api = () =>
    new DynamoReportStore(ref, {
      bucketMinutes: config.bucketMinutes,
      dedupMinutes: config.reports.dedupMinutes,
      shards: config.reports.shards,
      retentionDays: config.retentionDays,
      perNetwork: config.reports.perNetwork,
    });
  const collect = buildDependencies({
    config,
    tableName,
    client: counted.client,
    notifiers: () => [],
    sources: (service, stores) => sourcesForService(service, stores, PUBLIC_ONLY),
    salt: async () => "salt",
    now: () => NOW,
  }).collect;
  return { ...counted, ref, api, collect };
}

function report(service: string, at: number, who = "r-1"): CrowdReport {
  return { service, problem: "no-signal", reporter: who, network: `n-${who}`, at };
}

/** The services whose report partitions (`R#`) the requests read. */
const reportReads = (sent: readonly SentRequest[]) =>
  new Set(
    sent
      .filter((r) => r.command === "Query" && r.partitions[0]?.startsWith("R#"))
      .map((r) => r.partitions[0]?.split("#")[1]),
  );

const newest = lastClosedBucket(NOW, config.bucketMinutes);

describe("crowd reports through markers", () => {
  it("queries the reports of the services reported only, and counts them as before", async () => {
    // Prepare: the table took a report an hour ago, so this window's markers are believed
    const { sent, api, collect } = await setUp();
    const store = api();
    await store.record(report("service-3", NOW - 60 * MINUTE_MS));
    await store.record(report("service-7", newest + MINUTE_MS, "a"));
    await store.record(report("service-7", newest + 2 * MINUTE_MS, "b"));
    sent.length = 0;

    // Act
    const result = await collectCounts(collect, NOW);

    // Assess
    expect(reportReads(sent)).toEqual(new Set(["service-7"]));
    // "Since" once, then 4 marker partitions of each window the look-back spans (09:45, 10:00).
    expect(sent.filter((r) => r.partitions[0]?.startsWith("RW#"))).toHaveLength(1 + 2 * 4);
    expect(result.latest["service-7"]).toBe(2);
    expect(result.latest["service-3"]).toBe(0);
    expect(result.failures).toEqual([]);
  });

  it("writes a flood's marker once per container", async () => {
    // Prepare
    const { sent, api } = await setUp();
    const [first, second] = [api(), api()];

    // Act: 40 reporters in one window, through two containers
    for (let i = 0; i < 40; i++) {
      await (i % 2 === 0 ? first : second).record(report("service-1", newest + MINUTE_MS, `r${i}`));
    }

    // Assess: one marker and one "since" put per container
    const markerPuts = sent.filter(
      (r) => r.command === "PutItem" && r.partitions[0]?.startsWith("RW#"),
    );
    expect(markerPuts.map((r) => r.partitions[0]?.startsWith("RW#SINCE"))).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });

  it("counts reports from before markers existed, and those of the first marked window", async () => {
    // Prepare: a report of the release before (its markers gone), then one of this release
    // in the same window, by another service
    const { api, ref, collect } = await setUp();
    await api().record(report("service-2", newest + MINUTE_MS));
    for (let k = 0; k < 4; k++) {
      await ref.client.send(
        new DeleteCommand({
          TableName: ref.tableName,
          Key: { pk: `RW#2023-02-14T10:00:00.000Z#${k}`, sk: "service-2" },
        }),
      );
    }
    await ref.client.send(
      new DeleteCommand({ TableName: ref.tableName, Key: { pk: "RW#SINCE", sk: "since" } }),
    );
    const unmarked = await collectCounts(collect, NOW);
    await api().record(report("service-5", newest + 2 * MINUTE_MS));

    // Act
    const firstMarked = await collectCounts(collect, NOW);

    // Assess: the first marked window and the next are read in full, markers believed after
    const store = api();
    expect(await store.servicesWithReports([parseIso("2023-02-14T10:15:00Z")])).toBeNull();
    expect(await store.servicesWithReports([parseIso("2023-02-14T10:30:00Z")])).toEqual(new Set());
    expect(unmarked.latest["service-2"]).toBe(1);
    expect(firstMarked.latest["service-2"]).toBe(1);
    expect(firstMarked.latest["service-5"]).toBe(1);
  });

  it("counts a report that lands after a tick read the markers on the next tick", async () => {
    // Prepare: markers believed; a tick runs before the report of its newest bucket lands
    const { api, collect } = await setUp();
    const store = api();
    await store.record(report("service-3", NOW - 60 * MINUTE_MS));
    const before = await collectCounts(collect, NOW);
    await store.record(report("service-9", newest + 4 * MINUTE_MS));

    // Act: the next tick re-counts that bucket in its look-back
    const next = await collectCounts(
      { ...collect, config: { ...collect.config } },
      NOW + MINUTE_MS,
    );

    // Assess
    expect(before.latest["service-9"]).toBe(0);
    expect(next.bucketStart).toBe(newest);
    expect(next.latest["service-9"]).toBe(1);
  });

  it("reads every service in full when the markers cannot be read, and counts the same", async () => {
    // Prepare: markers believed, and a store whose marker read fails
    const { api, collect } = await setUp();
    const store = api();
    await store.record(report("service-3", NOW - 60 * MINUTE_MS));
    await store.record(report("service-7", newest + MINUTE_MS));
    const failing = Object.create(store) as DynamoReportStore;
    failing.servicesWithReports = () => Promise.reject(new Error("throttled"));
    const sources = (id: string) =>
      sourcesForService(
        config.services.find((s) => s.id === id) ?? (config.services[0] as never),
        { reports: failing, seen: undefined as never },
        PUBLIC_ONLY,
      );

    // Act
    const result = await collectCounts({ ...collect, sourcesFor: sources }, NOW);

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.latest["service-7"]).toBe(1);
    expect(result.latest["service-3"]).toBe(0);
  });
});
