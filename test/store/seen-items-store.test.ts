/**
 * DynamoSeenItemsStore: distinct item ids per service, source and bucket, so a feed read
 * again, overlapping pages or a retried tick never count an item twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSeenItemsStore } from "../../lambdas/store/seen-items-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const BUCKET = Date.parse("2023-02-14T03:20:00Z");
let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => testTable?.close());

describe("DynamoSeenItemsStore", () => {
  it("counts distinct ids across reads, and keeps ids that a later read no longer has", async () => {
    // Prepare
    const store = new DynamoSeenItemsStore(await testTable.freshTable(), 30);

    // Act
    const first = await store.add("t-mobile", "rss", BUCKET, ["a", "b", "c"]);
    const overlap = await store.add("t-mobile", "rss", BUCKET, ["b", "c", "d"]);
    const nothingNew = await store.add("t-mobile", "rss", BUCKET, []);
    const dropped = await store.add("t-mobile", "rss", BUCKET, ["d"]);

    // Assess
    expect([first, overlap, nothingNew, dropped]).toEqual([3, 4, 4, 4]);
  });

  it("keeps buckets, sources and services apart", async () => {
    // Prepare
    const store = new DynamoSeenItemsStore(await testTable.freshTable(), 30);
    await store.add("t-mobile", "rss", BUCKET, ["a", "b"]);

    // Act
    const counts = await Promise.all([
      store.add("t-mobile", "rss", BUCKET + 5 * 60_000, ["a"]),
      store.add("t-mobile", "mastodon", BUCKET, ["a"]),
      store.add("verizon", "rss", BUCKET, []),
    ]);

    // Assess
    expect(counts).toEqual([1, 1, 0]);
  });

  it("counts each id once when the same ids are added concurrently", async () => {
    // Prepare
    const store = new DynamoSeenItemsStore(await testTable.freshTable(), 30);
    const ids = Array.from({ length: 50 }, (_, i) => `https://example.org/post/${i}`);

    // Act
    await Promise.all(Array.from({ length: 8 }, () => store.add("t-mobile", "rss", BUCKET, ids)));

    // Assess
    expect(await store.add("t-mobile", "rss", BUCKET, [])).toBe(50);
  });

  it("adds an id once across the window, where it was first seen", async () => {
    // Prepare
    const store = new DynamoSeenItemsStore(await testTable.freshTable(), 30);
    const next = BUCKET + 5 * 60_000;
    await store.add("t-mobile", "rss", BUCKET, ["moved", "stays"]);

    // Act
    const counts = await store.addOnce(
      "t-mobile",
      "rss",
      new Map([
        [BUCKET, ["stays"]],
        [next, ["moved", "new"]],
      ]),
    );

    // Assess
    expect([...counts.entries()]).toEqual([
      [BUCKET, 2],
      [next, 1],
    ]);
    expect(await store.add("t-mobile", "rss", next, [])).toBe(1);
  });
});
