/**
 * DynamoServiceStatusStore against dynalite: a service's record and its place in the
 * listing of its status move together, a late write cannot put back an older status,
 * and reads are batched however many services a page holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusRecord } from "../../lambdas/domain/service-status";
import {
  DynamoServiceStatusStore,
  STATUS_SHARDS,
  statusShard,
} from "../../lambdas/store/service-status-store";
import { countedClient } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const NORMAL: StatusRecord = { status: "normal", openIncident: null };
const ELEVATED: StatusRecord = { status: "elevated", openIncident: null };
const outage = (id: string): StatusRecord => ({ status: "outage", openIncident: id });

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => testTable?.close());

async function freshStore() {
  const { tableName } = await testTable.freshTable();
  const { client, sent } = countedClient(testTable.store.endpoint);
  return { store: new DynamoServiceStatusStore({ client, tableName }), sent };
}

async function listed(store: DynamoServiceStatusStore, status: "elevated" | "outage") {
  return (await store.listByStatus(status, { limit: 100 })).items.map((i) => i.service);
}

describe("DynamoServiceStatusStore", () => {
  it("records a status and lists it under its status until it changes", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act
    await store.record("t-mobile", NORMAL, ELEVATED, T0);
    const whileElevated = await listed(store, "elevated");
    await store.record("t-mobile", ELEVATED, outage("t-mobile-1"), T0 + 1);
    const read = await store.readMany(["t-mobile", "verizon"]);
    const [elevated, outages] = [await listed(store, "elevated"), await listed(store, "outage")];
    await store.record("t-mobile", outage("t-mobile-1"), NORMAL, T0 + 2);

    // Assess
    expect(whileElevated).toEqual(["t-mobile"]);
    expect(read.get("t-mobile")).toEqual({
      service: "t-mobile",
      status: "outage",
      openIncident: "t-mobile-1",
      asOf: T0 + 1,
    });
    expect(read.has("verizon")).toBe(false);
    expect([elevated, outages]).toEqual([[], ["t-mobile"]]);
    expect(await listed(store, "outage")).toEqual([]);
    expect((await store.readMany(["t-mobile"])).get("t-mobile")?.status).toBe("normal");
  });

  it("ignores a write older than the one stored, record and listing alike", async () => {
    // Prepare: an outage recorded at T0 + 10
    const { store } = await freshStore();
    await store.record("att", NORMAL, outage("att-1"), T0 + 10);

    // Act: a late tick that still thinks the service went from outage to elevated at T0 + 5
    await store.record("att", outage("att-1"), ELEVATED, T0 + 5);

    // Assess
    expect((await store.readMany(["att"])).get("att")?.status).toBe("outage");
    expect(await listed(store, "outage")).toEqual(["att"]);
  });

  it("reads 250 records in three batched calls, over every shard", async () => {
    // Prepare
    const { store, sent } = await freshStore();
    const ids = Array.from({ length: 250 }, (_, i) => `service-${i}`);
    for (const id of ids.slice(0, 200)) await store.record(id, NORMAL, ELEVATED, T0);
    sent.length = 0;

    // Act
    const read = await store.readMany(ids);

    // Assess
    expect(read.size).toBe(200);
    expect(sent.map((r) => r.command)).toEqual(["BatchGetItem", "BatchGetItem", "BatchGetItem"]);
    const shards = new Set(sent.flatMap((r) => r.partitions));
    expect(shards.size).toBe(STATUS_SHARDS);
    expect(statusShard("t-mobile")).toBe(statusShard("t-mobile"));
  });

  it("pages the listing of a status in id order", async () => {
    // Prepare
    const { store } = await freshStore();
    const ids = ["d", "a", "e", "c", "b"];
    for (const id of ids) await store.record(id, NORMAL, outage(`${id}-1`), T0);

    // Act
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const listing = await store.listByStatus("outage", { after, limit: 2 });
      seen.push(...listing.items.map((i) => i.service));
      if (listing.next === null) break;
      after = listing.next;
    }

    // Assess
    expect(seen).toEqual(["a", "b", "c", "d", "e"]);
  });
});
