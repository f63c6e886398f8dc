/**
 * DynamoSourceHealthStore: when each source of a service last worked, its last error and
 * how many times in a row it failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { SourceHealth } from "../../lambdas/domain/ports";
import { DynamoSourceHealthStore } from "../../lambdas/store/source-health-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T02:00:00Z");

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(): Promise<DynamoSourceHealthStore> {
  return new DynamoSourceHealthStore(await testTable.freshTable());
}

async function healthOf(
  store: DynamoSourceHealthStore,
  service: string,
  source: string,
): Promise<SourceHealth | undefined> {
  return (await store.list(service)).find((h) => h.source === source);
}

describe("DynamoSourceHealthStore", () => {
  it("counts failures in a row after a success and keeps the last error", async () => {
    // Prepare
    const store = await freshStore();
    await store.recordSuccess("t-mobile", "status_page", T0);

    // Act
    await store.recordFailure("t-mobile", "status_page", T0 + MINUTE_MS, "timeout after 10 s");
    await store.recordFailure("t-mobile", "status_page", T0 + 2 * MINUTE_MS, "HTTP 503");
    await store.recordFailure("t-mobile", "status_page", T0 + 3 * MINUTE_MS, "HTTP 502");

    // Assess
    expect(await healthOf(store, "t-mobile", "status_page")).toEqual({
      service: "t-mobile",
      source: "status_page",
      lastSuccessAt: T0,
      lastErrorAt: T0 + 3 * MINUTE_MS,
      lastError: "HTTP 502",
      consecutiveFailures: 3,
      memory: null,
    });
  });

  it("resets the count on a success but still shows the last error and when it was", async () => {
    // Prepare
    const store = await freshStore();
    await store.recordFailure("t-mobile", "status_page", T0, "HTTP 503");
    await store.recordFailure("t-mobile", "status_page", T0 + MINUTE_MS, "HTTP 503");

    // Act
    await store.recordSuccess("t-mobile", "status_page", T0 + 2 * MINUTE_MS);

    // Assess
    expect(await healthOf(store, "t-mobile", "status_page")).toEqual({
      service: "t-mobile",
      source: "status_page",
      lastSuccessAt: T0 + 2 * MINUTE_MS,
      lastErrorAt: T0 + MINUTE_MS,
      lastError: "HTTP 503",
      consecutiveFailures: 0,
      memory: null,
    });
  });

  it("counts again from one after a success breaks a run of failures", async () => {
    // Prepare
    const store = await freshStore();
    await store.recordFailure("t-mobile", "rss", T0, "DNS");
    await store.recordFailure("t-mobile", "rss", T0 + MINUTE_MS, "DNS");
    await store.recordSuccess("t-mobile", "rss", T0 + 2 * MINUTE_MS);

    // Act
    await store.recordFailure("t-mobile", "rss", T0 + 3 * MINUTE_MS, "HTTP 429");

    // Assess
    const health = await healthOf(store, "t-mobile", "rss");
    expect(health?.consecutiveFailures).toBe(1);
    expect(health?.lastError).toBe("HTTP 429");
  });

  it("shows a source that has never worked with no success time", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    await store.recordFailure("t-mobile", "mastodon", T0, "HTTP 401 Unauthorized");

    // Assess
    expect(await healthOf(store, "t-mobile", "mastodon")).toEqual({
      service: "t-mobile",
      source: "mastodon",
      lastSuccessAt: null,
      lastErrorAt: T0,
      lastError: "HTTP 401 Unauthorized",
      consecutiveFailures: 1,
      memory: null,
    });
  });

  it("shows a source that has only worked with no error", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    await store.recordSuccess("t-mobile", "reports", T0);

    // Assess
    expect(await healthOf(store, "t-mobile", "reports")).toEqual({
      service: "t-mobile",
      source: "reports",
      lastSuccessAt: T0,
      lastErrorAt: null,
      lastError: null,
      consecutiveFailures: 0,
      memory: null,
    });
  });

  it("keeps a very long error short enough to store and show", async () => {
    // Prepare
    const store = await freshStore();
    const huge = `HTTP 500: ${"<html>".repeat(50_000)}`;

    // Act
    await store.recordFailure("t-mobile", "status_page", T0, huge);

    // Assess
    const health = await healthOf(store, "t-mobile", "status_page");
    expect(health?.lastError?.startsWith("HTTP 500: <html>")).toBe(true);
    expect(health?.lastError?.length).toBeLessThanOrEqual(1000);
  });

  it("lists each source of the service once, and only that service's sources", async () => {
    // Prepare
    const store = await freshStore();
    await store.recordSuccess("t-mobile", "reports", T0);
    await store.recordSuccess("t-mobile", "status_page", T0);
    await store.recordFailure("t-mobile", "status_page", T0 + MINUTE_MS, "HTTP 503");
    await store.recordFailure("t-mobile", "mastodon", T0, "HTTP 401");
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
    const store = await freshStore();
    await store.recordSuccess("verizon", "reports", T0);

    // Act
    const list = await store.list("t-mobile");

    // Assess
    expect(list).toEqual([]);
  });

  it("keeps what a source asks to remember until a later success replaces it", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    await store.recordSuccess("t-mobile", "rss", T0, {
      etag: '"a1"',
      lastModified: "Tue, 14 Feb 2023 03:00:00 GMT",
    });
    await store.recordFailure("t-mobile", "rss", T0 + MINUTE_MS, "timeout");
    const kept = await healthOf(store, "t-mobile", "rss");
    await store.recordSuccess("t-mobile", "rss", T0 + 2 * MINUTE_MS, { etag: '"a2"' });
    const replaced = await healthOf(store, "t-mobile", "rss");

    // Assess
    expect(kept?.memory).toEqual({ etag: '"a1"', lastModified: "Tue, 14 Feb 2023 03:00:00 GMT" });
    expect(replaced?.memory).toEqual({ etag: '"a2"' });
  });
});
