/**
 * The benches' instrumented store: calls counted by command, units right for known item
 * sizes (DynamoDB's rounding and minimums), and the latency waited before each call.
 */

import { readdirSync } from "node:fs";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meteredClient, roleOfFile, StoreMeter } from "../../bench/support/store-meter";
import { parseConfig } from "../../lambdas/domain/config";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { type EmbeddedStore, startEmbeddedStore } from "../../local/embedded-store";

const TableName = "outcry";
// pk "T#1" (2 + 3 bytes), sk "a" (2 + 1), blob (4 + 2,500): 2,512 bytes, 3 write units
// (1 KB each, rounded up) and one read unit (4 KB) to read strongly consistent.
const blob = "x".repeat(2500);

describe("StoreMeter", () => {
  let store: EmbeddedStore;
  beforeAll(async () => {
    store = await startEmbeddedStore({ tableName: TableName });
  });
  afterAll(() => store.close());

  it("counts calls by command and item kind, with the units DynamoDB would charge", async () => {
    const meter = new StoreMeter();
    const client = meteredClient(store.endpoint, meter);
    for (const sk of ["a", "b", "c"]) {
      await client.send(new PutCommand({ TableName, Item: { pk: "T#1", sk, blob } }));
    }
    await client.send(
      new GetCommand({ TableName, Key: { pk: "T#1", sk: "a" }, ConsistentRead: true }),
    );
    await client.send(new GetCommand({ TableName, Key: { pk: "T#1", sk: "a" } }));
    // Three items of 2,512 bytes: 7,536 bytes, two 4 KB units.
    const query = (pk: string) =>
      new QueryCommand({
        TableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        ConsistentRead: true,
      });
    await client.send(query("T#1"));
    // A query that finds nothing still costs one unit.
    await client.send(query("T#empty"));
    // A write refused by its condition is charged (one unit here).
    await expect(
      client.send(
        new UpdateCommand({
          TableName,
          Key: { pk: "PROGRESS", sk: "x" },
          UpdateExpression: "SET v = :v",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":v": 1 },
        }),
      ),
    ).rejects.toThrow();
    const by = (command: string) =>
      meter
        .rows()
        .filter((row) => row.command === command)
        .reduce(
          (sum, row) => ({
            calls: sum.calls + row.calls,
            read: sum.read + row.readUnits,
            write: sum.write + row.writeUnits,
            items: sum.items + row.items,
          }),
          { calls: 0, read: 0, write: 0, items: 0 },
        );
    expect(by("PutItem")).toEqual({ calls: 3, read: 0, write: 9, items: 0 });
    expect(by("GetItem")).toEqual({ calls: 2, read: 1.5, write: 0, items: 2 });
    expect(by("Query")).toEqual({ calls: 2, read: 3, write: 0, items: 3 });
    expect(by("UpdateItem")).toEqual({ calls: 1, read: 0, write: 1, items: 0 });
    expect(meter.rows().find((row) => row.command === "UpdateItem")).toMatchObject({
      failedConditions: 1,
      item: "PROGRESS/x",
    });
    expect(new Set(meter.rows().map((row) => row.item))).toEqual(new Set(["T#", "PROGRESS/x"]));
    // Calls from outside lambdas/ belong to the phase the bench set.
    expect(meter.functions()).toEqual(["other"]);
    expect(meter.total()).toMatchObject({ calls: 8, readUnits: 4.5, writeUnits: 10 });
    client.destroy();
  });

  it("waits the injected latency before each call, counted or not", async () => {
    const meter = new StoreMeter(40);
    meter.recording = false;
    const client = meteredClient(store.endpoint, meter);
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      await client.send(new GetCommand({ TableName, Key: { pk: "T#1", sk: "a" } }));
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 40 - 3);
    expect(meter.total().calls).toBe(0);
    client.destroy();
  });

  it("attributes each call to the use case and store method that made it", async () => {
    const meter = new StoreMeter();
    const client = meteredClient(store.endpoint, meter);
    const deps = buildDependencies({
      config: parseConfig({ services: [{ id: "a", name: "A", category: "app" }] }),
      tableName: TableName,
      client,
      notifiers: () => [],
      salt: async () => "test",
      now: Date.now,
      sources: (service, stores) => sourcesForService(service, stores, PUBLIC_ONLY),
    });
    const now = Date.parse("2024-06-01T00:11:00Z");
    await collectCounts(deps.collect, now);
    await detectIncidents(deps.detect, now);
    const sites = (fn: string) =>
      new Set(
        meter
          .rows()
          .filter((r) => r.fn === fn)
          .map((r) => r.site),
      );
    expect(meter.functions().sort()).toEqual(["collect", "detect"]);
    expect(sites("collect")).toContain("SeriesStore.putCount");
    expect(sites("collect")).toContain("ReportStore.countBuckets");
    expect(sites("detect")).toContain("DetectorStateStore.load");
    expect(meter.rows().find((r) => r.site === "SeriesStore.putCount")).toMatchObject({
      command: "UpdateItem",
      item: "S#",
      calls: 3,
    });
    client.destroy();
  });

  it("knows the function of every use case, and counts the status writes and the hand-outs for theirs", () => {
    // Act
    const roles = readdirSync(new URL("../../lambdas/usecases/", import.meta.url))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => [f, roleOfFile(`usecases/${f}`)]);

    // Assess: none throws, and the ones a tick runs count for the tick's function
    expect(Object.fromEntries(roles)).toMatchObject({
      "dispatch-collect.ts": "collect",
      "dispatch-detect.ts": "detect",
      "record-service-status.ts": "detect",
      "sms-cap-round.ts": "detect",
      "run-bounded.ts": undefined,
      "list-services.ts": "api",
    });
    expect(roleOfFile("handlers/shard-worker.ts", { pk: "LEASE", sk: "detect#3" })).toBe("detect");
    expect(() => roleOfFile("usecases/unheard-of.ts")).toThrow(/no function for use case/);
  });
});
