/**
 * DynamoSourceHealthStore: when each source of a service last worked and last failed,
 * the class of that failure (never its message), how many times in a row it failed and
 * when its current run began; and items written before that layout, which hold the
 * message and time no run, read and upgrade correctly.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { SourceHealth } from "../../lambdas/domain/ports";
import type { TableRef } from "../../lambdas/store/client";
import { DynamoSourceHealthStore } from "../../lambdas/store/source-health-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T02:00:00Z");
const NOT_FOUND = { reason: "http-status", httpStatus: 404 } as const;
const UNAVAILABLE = { reason: "http-status", httpStatus: 503 } as const;
const TIMEOUT = { reason: "timeout" } as const;

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(): Promise<{ store: DynamoSourceHealthStore; table: TableRef }> {
  const table = await testTable.freshTable();
  return { store: new DynamoSourceHealthStore(table), table };
}

async function healthOf(
  store: DynamoSourceHealthStore,
  service: string,
  source: string,
): Promise<SourceHealth | undefined> {
  return (await store.list(service)).find((h) => h.source === source);
}

/** An item as the release before classes wrote it: the message, no class, no run times. */
async function putLegacyItem(table: TableRef, item: Record<string, unknown>): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

async function rawItem(table: TableRef, service: string, source: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: `H#${service}`, sk: source } }),
  );
  return Item;
}

describe("DynamoSourceHealthStore", () => {
  it("counts failures in a row after a success, keeps the last one's class and when the run began", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.recordSuccess("t-mobile", "status_page", T0);

    // Act
    await store.recordFailure("t-mobile", "status_page", T0 + MINUTE_MS, TIMEOUT);
    await store.recordFailure("t-mobile", "status_page", T0 + 2 * MINUTE_MS, UNAVAILABLE);
    await store.recordFailure("t-mobile", "status_page", T0 + 3 * MINUTE_MS, NOT_FOUND);

    // Assess
    expect(await healthOf(store, "t-mobile", "status_page")).toEqual({
      service: "t-mobile",
      source: "status_page",
      lastSuccessAt: T0,
      lastErrorAt: T0 + 3 * MINUTE_MS,
      lastFailure: NOT_FOUND,
      consecutiveFailures: 3,
      since: T0 + MINUTE_MS,
      memory: null,
    });
  });

  it("resets the count on a success, starts a run of successes, and still shows the last failure", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.recordFailure("t-mobile", "status_page", T0, UNAVAILABLE);
    await store.recordFailure("t-mobile", "status_page", T0 + MINUTE_MS, UNAVAILABLE);

    // Act
    await store.recordSuccess("t-mobile", "status_page", T0 + 2 * MINUTE_MS);
    await store.recordSuccess("t-mobile", "status_page", T0 + 3 * MINUTE_MS);

    // Assess
    expect(await healthOf(store, "t-mobile", "status_page")).toEqual({
      service: "t-mobile",
      source: "status_page",
      lastSuccessAt: T0 + 3 * MINUTE_MS,
      lastErrorAt: T0 + MINUTE_MS,
      lastFailure: UNAVAILABLE,
      consecutiveFailures: 0,
      since: T0 + 2 * MINUTE_MS,
      memory: null,
    });
  });

  it("counts again from one after a success breaks a run of failures, and drops a status the new class lacks", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.recordFailure("t-mobile", "rss", T0, NOT_FOUND);
    await store.recordFailure("t-mobile", "rss", T0 + MINUTE_MS, NOT_FOUND);
    await store.recordSuccess("t-mobile", "rss", T0 + 2 * MINUTE_MS);

    // Act
    await store.recordFailure("t-mobile", "rss", T0 + 3 * MINUTE_MS, { reason: "network" });

    // Assess
    const health = await healthOf(store, "t-mobile", "rss");
    expect(health?.consecutiveFailures).toBe(1);
    expect(health?.lastFailure).toEqual({ reason: "network" });
    expect(health?.since).toBe(T0 + 3 * MINUTE_MS);
  });

  it("shows a source that has never worked with no success time", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act
    await store.recordFailure("t-mobile", "mastodon", T0, {
      reason: "http-status",
      httpStatus: 401,
    });

    // Assess
    expect(await healthOf(store, "t-mobile", "mastodon")).toEqual({
      service: "t-mobile",
      source: "mastodon",
      lastSuccessAt: null,
      lastErrorAt: T0,
      lastFailure: { reason: "http-status", httpStatus: 401 },
      consecutiveFailures: 1,
      since: T0,
      memory: null,
    });
  });

  it("shows a source that has only worked with no failure", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act
    await store.recordSuccess("t-mobile", "reports", T0);

    // Assess
    expect(await healthOf(store, "t-mobile", "reports")).toEqual({
      service: "t-mobile",
      source: "reports",
      lastSuccessAt: T0,
      lastErrorAt: null,
      lastFailure: null,
      consecutiveFailures: 0,
      since: T0,
      memory: null,
    });
  });

  it("stores a failure as its class only", async () => {
    // Prepare
    const { store, table } = await freshStore();

    // Act
    await store.recordFailure("t-mobile", "feed", T0, NOT_FOUND);

    // Assess: nothing in the item but times, counts and the class
    expect(await rawItem(table, "t-mobile", "feed")).toEqual({
      pk: "H#t-mobile",
      sk: "feed",
      lastErrorAt: T0,
      lastErrorReason: "http-status",
      lastErrorHttpStatus: 404,
      failingSince: T0,
      consecutiveFailures: 1,
    });
  });

  it("lists each source of the service once, and only that service's sources", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.recordSuccess("t-mobile", "reports", T0);
    await store.recordSuccess("t-mobile", "status_page", T0);
    await store.recordFailure("t-mobile", "status_page", T0 + MINUTE_MS, UNAVAILABLE);
    await store.recordFailure("t-mobile", "mastodon", T0, NOT_FOUND);
    await store.recordSuccess("t-mobile-us", "reports", T0);
    await store.recordSuccess("verizon", "reports", T0);

    // Act
    const list = await store.list("t-mobile");

    // Assess
    expect(list.map((h) => h.source).sort()).toEqual(["mastodon", "reports", "status_page"]);
    expect(list.every((h) => h.service === "t-mobile")).toBe(true);
    expect(list.find((h) => h.source === "status_page")?.consecutiveFailures).toBe(1);
  });

  it("lists nothing for a service with no records", async () => {
    // Prepare
    const { store } = await freshStore();
    await store.recordSuccess("verizon", "reports", T0);

    // Act
    const list = await store.list("t-mobile");

    // Assess
    expect(list).toEqual([]);
  });

  it("keeps what a source asks to remember until a later success replaces it", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act
    await store.recordSuccess("t-mobile", "rss", T0, {
      etag: '"a1"',
      lastModified: "Tue, 14 Feb 2023 03:00:00 GMT",
    });
    await store.recordFailure("t-mobile", "rss", T0 + MINUTE_MS, TIMEOUT);
    const kept = await healthOf(store, "t-mobile", "rss");
    await store.recordSuccess("t-mobile", "rss", T0 + 2 * MINUTE_MS, { etag: '"a2"' });
    const replaced = await healthOf(store, "t-mobile", "rss");

    // Assess
    expect(kept?.memory).toEqual({ etag: '"a1"', lastModified: "Tue, 14 Feb 2023 03:00:00 GMT" });
    expect(replaced?.memory).toEqual({ etag: '"a2"' });
  });
});

describe("DynamoSourceHealthStore on items from before failure classes", () => {
  const SECRET = "https://feeds.example.com/count?token=s3cret";
  const legacyFailing = {
    pk: "H#t-mobile",
    sk: "feed",
    lastSuccessAt: T0,
    lastErrorAt: T0 + 2 * MINUTE_MS,
    lastError: `GET ${SECRET} answered 404 Not Found; check the URL in the source's settings`,
    consecutiveFailures: 2,
    memory: { etag: '"e1"' },
  };
  const legacyWorking = {
    pk: "H#t-mobile",
    sk: "status",
    lastSuccessAt: T0 + 2 * MINUTE_MS,
    lastErrorAt: T0,
    lastError: `GET ${SECRET} timed out after 2500 ms before the server answered`,
    consecutiveFailures: 0,
  };

  it("reads an old failure as internal, never its message, and an old run's start as unknown", async () => {
    // Prepare
    const { store, table } = await freshStore();
    await putLegacyItem(table, legacyFailing);
    await putLegacyItem(table, legacyWorking);

    // Act
    const list = await store.list("t-mobile");

    // Assess
    expect(list.find((h) => h.source === "feed")).toEqual({
      service: "t-mobile",
      source: "feed",
      lastSuccessAt: T0,
      lastErrorAt: T0 + 2 * MINUTE_MS,
      lastFailure: { reason: "internal" },
      consecutiveFailures: 2,
      since: null,
      memory: { etag: '"e1"' },
    });
    expect(list.find((h) => h.source === "status")).toMatchObject({
      lastFailure: { reason: "internal" },
      consecutiveFailures: 0,
      since: null,
    });
    expect(JSON.stringify(list)).not.toContain("s3cret");
  });

  it("drops the old message on the next write, and times a run only from a change it sees", async () => {
    // Prepare
    const { store, table } = await freshStore();
    await putLegacyItem(table, legacyFailing);
    await putLegacyItem(table, legacyWorking);
    await putLegacyItem(table, { ...legacyWorking, sk: "turning" });
    await putLegacyItem(table, { ...legacyFailing, sk: "recovering" });
    const at = T0 + 3 * MINUTE_MS;

    // Act: the runs of feed (failing) and status (working) go on; the other two change
    await store.recordFailure("t-mobile", "feed", at, NOT_FOUND);
    await store.recordSuccess("t-mobile", "status", at);
    await store.recordFailure("t-mobile", "turning", at, TIMEOUT);
    await store.recordSuccess("t-mobile", "recovering", at);
    await store.recordFailure("t-mobile", "feed", at + MINUTE_MS, NOT_FOUND);
    await store.recordSuccess("t-mobile", "status", at + MINUTE_MS);
    const list = await store.list("t-mobile");
    const items = await Promise.all(
      ["feed", "status", "turning", "recovering"].map((sk) => rawItem(table, "t-mobile", sk)),
    );

    // Assess
    const bySource = Object.fromEntries(list.map((h) => [h.source, h]));
    expect(bySource.feed).toMatchObject({
      lastFailure: NOT_FOUND,
      consecutiveFailures: 4,
      since: null,
      memory: { etag: '"e1"' },
    });
    expect(bySource.status).toMatchObject({ consecutiveFailures: 0, since: null });
    expect(bySource.turning).toMatchObject({
      lastFailure: TIMEOUT,
      consecutiveFailures: 1,
      since: at,
    });
    expect(bySource.recovering).toMatchObject({
      lastSuccessAt: at,
      consecutiveFailures: 0,
      since: at,
    });
    expect(items.every((item) => item !== undefined && !("lastError" in item))).toBe(true);
  });

  it("times the next run of an old item once its unknown run ends", async () => {
    // Prepare
    const { store, table } = await freshStore();
    await putLegacyItem(table, legacyWorking);
    const at = T0 + 3 * MINUTE_MS;
    await store.recordSuccess("t-mobile", "status", at);

    // Act
    await store.recordFailure("t-mobile", "status", at + MINUTE_MS, UNAVAILABLE);
    const failing = await healthOf(store, "t-mobile", "status");
    await store.recordSuccess("t-mobile", "status", at + 2 * MINUTE_MS);
    const working = await healthOf(store, "t-mobile", "status");

    // Assess
    expect(failing).toMatchObject({ consecutiveFailures: 1, since: at + MINUTE_MS });
    expect(working).toMatchObject({ consecutiveFailures: 0, since: at + 2 * MINUTE_MS });
  });

  it("keeps the buckets a failure marked until the next success, which forgets them", async () => {
    // Prepare
    const { store } = await freshStore();
    const buckets = [String(T0), String(T0 + 5 * MINUTE_MS)];

    // Act
    await store.recordFailure("t-mobile", "rss", T0, UNAVAILABLE, buckets);
    const marked = await healthOf(store, "t-mobile", "rss");
    // A failure that gives no marks leaves them as they were
    await store.recordFailure("t-mobile", "rss", T0 + MINUTE_MS, UNAVAILABLE);
    const kept = await healthOf(store, "t-mobile", "rss");
    await store.recordSuccess("t-mobile", "rss", T0 + 2 * MINUTE_MS);
    const working = await healthOf(store, "t-mobile", "rss");

    // Assess
    expect(marked?.marked).toEqual(buckets);
    expect(kept?.marked).toEqual(buckets);
    expect(working).not.toHaveProperty("marked");
  });
});
