/**
 * DynamoSeriesStore against a real DynamoDB protocol (in-memory dynalite): counts are
 * SET per source and bucket, and ranges come back whole, in order and without gaps filled.
 * A source's failure mark is kept only where it has no count, and its count clears it.
 */
import { BatchWriteCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, toIso } from "../../lambdas/domain/buckets";
import type { TableRef } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T01:00:00Z");
const BUCKET = 5 * MINUTE_MS;
const at = (bucket: number) => T0 + bucket * BUCKET;

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(): Promise<{ store: DynamoSeriesStore; table: TableRef }> {
  const table = await testTable.freshTable();
  return { store: new DynamoSeriesStore(table, 90), table };
}

/** A table ref whose client counts the Query requests sent through it. */
function countingQueries(table: TableRef): { table: TableRef; queries: () => number } {
  let queries = 0;
  const client = new Proxy(table.client, {
    get(target, property, receiver) {
      if (property === "send") {
        return (command: unknown, ...rest: unknown[]) => {
          if (command instanceof QueryCommand) queries++;
          return (target.send as (...args: unknown[]) => unknown)(command, ...rest);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
  return { table: { client, tableName: table.tableName }, queries: () => queries };
}

describe("DynamoSeriesStore.putCount", () => {
  it("sets a source's split by kind with its count, replacing the earlier split", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.putCount("t-mobile", "reports", at(0), 3, { calls: 2, texts: 1 });

    // Act
    await store.putCount("t-mobile", "reports", at(0), 4, { calls: 3, texts: 1 });
    await store.putCount("t-mobile", "rss", at(0), 9);

    // Assess
    expect(await store.range("t-mobile", at(0), at(0))).toEqual([
      {
        bucketStart: at(0),
        counts: { reports: 4, rss: 9 },
        breakdowns: { reports: { calls: 3, texts: 1 } },
      },
    ]);
  });

  it("sets a source's split by region beside its kinds, replacing the earlier one", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.putCount("t-mobile", "reports", at(0), 3, { calls: 3 }, { "US-TX": 2, "US-WY": 1 });

    // Act
    await store.putCount("t-mobile", "reports", at(0), 4, { calls: 4 }, { "US-TX": 4 });
    await store.putCount("t-mobile", "replay", at(0), 7, undefined, { "US-FL": 7 });

    // Assess
    expect(await store.range("t-mobile", at(0), at(0))).toEqual([
      {
        bucketStart: at(0),
        counts: { reports: 4, replay: 7 },
        breakdowns: { reports: { calls: 4 } },
        regions: { reports: { "US-TX": 4 }, replay: { "US-FL": 7 } },
      },
    ]);
  });

  it("sets the count: re-running with the same value leaves that value, not a sum", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.putCount("t-mobile", "reports", at(0), 120);

    // Act
    await store.putCount("t-mobile", "reports", at(0), 120);
    await store.putCount("t-mobile", "reports", at(0), 120);

    // Assess
    expect(await store.range("t-mobile", at(0), at(0))).toEqual([
      { bucketStart: at(0), counts: { reports: 120 } },
    ]);
  });

  it("replaces an earlier count with a new value (a corrected re-run)", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.putCount("t-mobile", "reports", at(0), 120);

    // Act
    await store.putCount("t-mobile", "reports", at(0), 45);

    // Assess
    expect(await store.range("t-mobile", at(0), at(0))).toEqual([
      { bucketStart: at(0), counts: { reports: 45 } },
    ]);
  });

  it("keeps several sources of one bucket side by side without touching each other", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act
    await Promise.all([
      store.putCount("t-mobile", "reports", at(0), 830),
      store.putCount("t-mobile", "mastodon", at(0), 12),
      store.putCount("t-mobile", "status_page", at(0), 1),
    ]);
    await store.putCount("t-mobile", "mastodon", at(0), 14);

    // Assess
    expect(await store.range("t-mobile", at(0), at(0))).toEqual([
      { bucketStart: at(0), counts: { reports: 830, mastodon: 14, status_page: 1 } },
    ]);
  });

  it("stores a zero as a zero, which is data and not a gap", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act
    await store.putCount("t-mobile", "reports", at(0), 0);

    // Assess
    expect(await store.range("t-mobile", at(0), at(0))).toEqual([
      { bucketStart: at(0), counts: { reports: 0 } },
    ]);
  });
});

describe("DynamoSeriesStore.markFailed", () => {
  it("marks a source failed where it has no count, once however often, and its count clears it", async () => {
    // Prepare: reports counted in both buckets, the feed in the second only
    const { store, table } = await freshStore();
    await store.putCount("t-mobile", "reports", at(0), 4);
    await store.putCount("t-mobile", "reports", at(1), 5);
    await store.putCount("t-mobile", "feed", at(1), 2);

    // Act: the feed and the status page fail for both buckets, the feed's twice
    await store.markFailed("t-mobile", "feed", [at(0), at(1)]);
    await store.markFailed("t-mobile", "feed", [at(0), at(1)]);
    await store.markFailed("t-mobile", "status", [at(0), at(1), at(2)]);
    const marked = await store.range("t-mobile", at(0), at(2));

    // Assess: no mark where the feed has its count; a bucket with only a mark is there,
    // with no counts, and expires like the others
    expect(marked).toEqual([
      { bucketStart: at(0), counts: { reports: 4 }, failed: ["feed", "status"] },
      { bucketStart: at(1), counts: { reports: 5, feed: 2 }, failed: ["status"] },
      { bucketStart: at(2), counts: {}, failed: ["status"] },
    ]);
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk AND sk = :sk",
        ExpressionAttributeValues: { ":pk": "S#t-mobile", ":sk": toIso(at(2)) },
      }),
    );
    expect(Items?.[0]?.expiresAt).toBeGreaterThan(at(2) / 1000);

    // Act: the feed counts the first bucket, the status page both of the others
    await store.putCount("t-mobile", "feed", at(0), 0);
    await store.putCount("t-mobile", "status", at(1), 1);
    await store.putCount("t-mobile", "status", at(2), 1);

    // Assess: each count took its own source's mark away, and an emptied set is gone
    expect(await store.range("t-mobile", at(0), at(2))).toEqual([
      { bucketStart: at(0), counts: { reports: 4, feed: 0 }, failed: ["status"] },
      { bucketStart: at(1), counts: { reports: 5, feed: 2, status: 1 } },
      { bucketStart: at(2), counts: { status: 1 } },
    ]);
  });
});

describe("DynamoSeriesStore.range", () => {
  it("returns the buckets from `from` to `to` inclusive, oldest first", async () => {
    // Prepare: written out of order, with buckets on both sides of the range
    const { store } = await freshStore();
    for (const bucket of [4, 0, 2, 6, 1, 3, 5]) {
      await store.putCount("verizon", "reports", at(bucket), 100 + bucket);
    }

    // Act
    const points = await store.range("verizon", at(1), at(5));

    // Assess
    expect(points).toEqual(
      [1, 2, 3, 4, 5].map((b) => ({ bucketStart: at(b), counts: { reports: 100 + b } })),
    );
  });

  it("excludes other services, even one whose id starts with the same letters", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.putCount("att", "reports", at(0), 7);
    await store.putCount("att-wireless", "reports", at(0), 900);
    await store.putCount("at", "reports", at(1), 33);

    // Act
    const points = await store.range("att", at(0), at(1));

    // Assess
    expect(points).toEqual([{ bucketStart: at(0), counts: { reports: 7 } }]);
  });

  it("leaves a bucket that was never written out (a gap), rather than reporting zero", async () => {
    // Prepare: buckets 0, 1 and 3; bucket 2 never collected
    const { store } = await freshStore();
    await store.putCount("verizon", "reports", at(0), 10);
    await store.putCount("verizon", "reports", at(1), 11);
    await store.putCount("verizon", "reports", at(3), 13);

    // Act
    const points = await store.range("verizon", at(0), at(3));

    // Assess
    expect(points.map((p) => p.bucketStart)).toEqual([at(0), at(1), at(3)]);
    expect(points.find((p) => p.bucketStart === at(2))).toBeUndefined();
  });

  it("returns nothing for a service or range with no data", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.putCount("verizon", "reports", at(10), 10);

    // Act
    const unknown = await store.range("nobody", at(0), at(20));
    const before = await store.range("verizon", at(0), at(9));

    // Assess
    expect(unknown).toEqual([]);
    expect(before).toEqual([]);
  });

  it("follows DynamoDB's pages past 1 MB and returns every bucket exactly once", async () => {
    // Prepare: 20,000 one-minute buckets (about two weeks) with three sources each is
    // well over the 1 MB a single Query returns. The bulk is seeded with BatchWrite in the
    // item shape documented by the store (putCount alone would take too long), and the
    // first and last buckets go through putCount so both writers are exercised.
    const { table } = await freshStore();
    const counting = countingQueries(table);
    const store = new DynamoSeriesStore(counting.table, 90);
    const buckets = 20_000;
    const start = Date.parse("2024-03-01T00:00:00Z");
    const minute = (i: number) => start + i * MINUTE_MS;
    const requests = [];
    for (let i = 1; i < buckets - 1; i += 25) {
      const puts = [];
      for (let j = i; j < Math.min(i + 25, buckets - 1); j++) {
        puts.push({
          PutRequest: {
            Item: {
              pk: "S#t-mobile",
              sk: toIso(minute(j)),
              c_reports: 1_000_000_000 + j,
              c_mastodon: 2_000_000_000 + j,
              c_status_page: j % 2,
              expiresAt: 1_900_000_000,
            },
          },
        });
      }
      requests.push(puts);
    }
    for (let i = 0; i < requests.length; i += 20) {
      await Promise.all(
        requests
          .slice(i, i + 20)
          .map((puts) =>
            table.client.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: puts } })),
          ),
      );
    }
    for (const j of [0, buckets - 1]) {
      await store.putCount("t-mobile", "reports", minute(j), 1_000_000_000 + j);
      await store.putCount("t-mobile", "mastodon", minute(j), 2_000_000_000 + j);
      await store.putCount("t-mobile", "status_page", minute(j), j % 2);
    }

    // Act
    const points = await store.range("t-mobile", minute(0), minute(buckets - 1));

    // Assess
    expect(counting.queries()).toBeGreaterThan(1);
    expect(points).toHaveLength(buckets);
    points.forEach((point, i) => {
      if (point.bucketStart !== minute(i)) {
        throw new Error(`point ${i} is ${toIso(point.bucketStart)}, expected ${toIso(minute(i))}`);
      }
    });
    expect(points[0]).toEqual({
      bucketStart: minute(0),
      counts: { reports: 1_000_000_000, mastodon: 2_000_000_000, status_page: 0 },
    });
    expect(points[buckets - 1]).toEqual({
      bucketStart: minute(buckets - 1),
      counts: {
        reports: 1_000_000_000 + buckets - 1,
        mastodon: 2_000_000_000 + buckets - 1,
        status_page: 1,
      },
    });
  }, 30_000);
});
