/**
 * DynamoDetectorStateStore: the detector's memory per service, saved only on the revision
 * that was read, so two concurrent detect ticks cannot both advance a service, and packed
 * so that a warm state costs one write unit; states saved as plain JSON still read.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { warmDetectorState } from "../../bench/support/metered-runtime";
import { initialBaseline } from "../../lambdas/domain/baseline";
import { parseConfig } from "../../lambdas/domain/config";
import { type DetectorState, initialDetectorState } from "../../lambdas/domain/detector";
import { UnknownDetectorStateVersionError } from "../../lambdas/domain/detector-state-migration";
import type { TableRef } from "../../lambdas/store/client";
import { UnknownStateFormatError } from "../../lambdas/store/detector-state-codec";
import { DynamoDetectorStateStore } from "../../lambdas/store/detector-state-store";
import { countedClient } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T01:50:00Z");

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(): Promise<DynamoDetectorStateStore> {
  return new DynamoDetectorStateStore(await testTable.freshTable());
}

/** A state that has processed `lastBucket`, distinguishable from the initial one. */
function stateAt(lastBucket: number, quietBuckets = 0): DetectorState {
  return { ...initialDetectorState(), lastBucket, quietBuckets };
}

describe("DynamoDetectorStateStore.load", () => {
  it("gives revision 0 and no state for a service never saved", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const loaded = await store.load("t-mobile");

    // Assess
    expect(loaded).toEqual({ state: null, revision: 0 });
  });

  it("reads a state saved by the first release as the current, complete shape", async () => {
    // Prepare: the item as the first release wrote it (no quietSince, level-only baseline)
    const table = await testTable.freshTable();
    const first = {
      version: 1,
      lastBucket: T0,
      baseline: { level: 12, samples: 500 },
      pending: null,
      quietBuckets: 0,
      incident: null,
    };
    await putRaw(table, "t-mobile", JSON.stringify(first), 7);

    // Act
    const loaded = await new DynamoDetectorStateStore(table).load("t-mobile");

    // Assess
    expect(loaded).toEqual({
      state: {
        ...initialDetectorState(),
        lastBucket: T0,
        baseline: { ...initialBaseline(), level: 12, samples: 500 },
      },
      // Negated: only an earlier release's item, so the first packed save must create one.
      revision: -7,
    });
  });

  it("refuses a state saved by a newer release, naming its version", async () => {
    // Prepare
    const table = await testTable.freshTable();
    await putRaw(table, "t-mobile", JSON.stringify({ ...initialDetectorState(), version: 4 }), 1);

    // Act
    const loading = new DynamoDetectorStateStore(table).load("t-mobile");

    // Assess
    await expect(loading).rejects.toThrow(UnknownDetectorStateVersionError);
    await expect(loading).rejects.toThrow(/version 4/);
  });
});

/**
 * Writes the item as an earlier (or later) release would have, bypassing the store: a
 * string as the plain JSON `state`, bytes as the `packed` state of the release before
 * this one.
 */
async function putRaw(
  table: TableRef,
  service: string,
  stored: string | Uint8Array,
  revision: number,
) {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        pk: `D#${service}`,
        // Plain JSON where the first releases kept it; packed bytes where the last one did.
        ...(typeof stored === "string"
          ? { sk: "state", state: stored }
          : { sk: "packed", packed: stored }),
        revision,
      },
    }),
  );
}

describe("DynamoDetectorStateStore.save", () => {
  it("round-trips a saved state and bumps the revision", async () => {
    // Prepare
    const store = await freshStore();
    const state: DetectorState = {
      ...stateAt(T0, 2),
      pending: { start: T0, buckets: 1, peak: { count: 950, at: T0 } },
    };

    // Act
    const saved = await store.save("t-mobile", state, 0);
    const loaded = await store.load("t-mobile");

    // Assess
    expect(saved).toBe(true);
    expect(loaded).toEqual({ state, revision: 1 });
  });

  it("keeps each service's state apart", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    await store.save("t-mobile", stateAt(T0), 0);
    await store.save("verizon", stateAt(T0 + 300_000), 0);

    // Assess
    expect((await store.load("t-mobile")).state?.lastBucket).toBe(T0);
    expect((await store.load("verizon")).state?.lastBucket).toBe(T0 + 300_000);
  });

  it("advances revision by revision when each save names the revision it read", async () => {
    // Prepare
    const store = await freshStore();
    await store.save("t-mobile", stateAt(T0), 0);

    // Act
    const second = await store.save("t-mobile", stateAt(T0 + 300_000), 1);
    const third = await store.save("t-mobile", stateAt(T0 + 600_000), 2);

    // Assess
    expect([second, third]).toEqual([true, true]);
    expect(await store.load("t-mobile")).toEqual({ state: stateAt(T0 + 600_000), revision: 3 });
  });

  it("refuses a save on a stale revision and leaves the stored state as it was", async () => {
    // Prepare
    const store = await freshStore();
    await store.save("t-mobile", stateAt(T0), 0);
    await store.save("t-mobile", stateAt(T0 + 300_000), 1);

    // Act: a tick that read revision 1 (or nothing at all) comes late
    const stale = await store.save("t-mobile", stateAt(T0 + 900_000), 1);
    const fromScratch = await store.save("t-mobile", stateAt(T0 + 900_000), 0);

    // Assess
    expect(stale).toBe(false);
    expect(fromScratch).toBe(false);
    expect(await store.load("t-mobile")).toEqual({ state: stateAt(T0 + 300_000), revision: 2 });
  });

  it("refuses a save that expects a revision the service never had", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const saved = await store.save("t-mobile", stateAt(T0), 5);

    // Assess
    expect(saved).toBe(false);
    expect(await store.load("t-mobile")).toEqual({ state: null, revision: 0 });
  });

  it("lets exactly one of two concurrent first saves win", async () => {
    // Prepare
    const store = await freshStore();
    const a = stateAt(T0, 1);
    const b = stateAt(T0, 2);

    // Act
    const results = await Promise.all([store.save("t-mobile", a, 0), store.save("t-mobile", b, 0)]);

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const loaded = await store.load("t-mobile");
    expect(loaded.revision).toBe(1);
    expect(loaded.state).toEqual(results[0] ? a : b);
  });

  it("lets exactly one of many concurrent saves on the same revision win", async () => {
    // Prepare
    const store = await freshStore();
    await store.save("t-mobile", stateAt(T0), 0);
    const candidates = Array.from({ length: 8 }, (_, i) => stateAt(T0 + 300_000, i));

    // Act
    const results = await Promise.all(candidates.map((state) => store.save("t-mobile", state, 1)));

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = candidates[results.indexOf(true)];
    expect(await store.load("t-mobile")).toEqual({ state: winner, revision: 2 });
  });
});

/**
 * An item's size as DynamoDB bills it: each attribute's name plus its value (a string's
 * UTF-8 bytes, a binary's bytes, a number's digits two to a byte and one more).
 */
function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (typeof value === "string") bytes += Buffer.byteLength(value);
    else if (value instanceof Uint8Array) bytes += value.length;
    else if (typeof value === "number") {
      bytes += Math.ceil(String(Math.abs(value)).replace(/[.-]|e.*$/g, "").length / 2) + 1;
    } else throw new Error(`itemBytes does not size ${typeof value} attributes`);
  }
  return bytes;
}

async function rawItem(table: TableRef, service: string, sk = "packed-v3") {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: `D#${service}`, sk } }),
  );
  if (!Item) throw new Error(`no state item for ${service}`);
  return Item;
}

/**
 * The initial state as format 1 packed it when the format was made. Inflating must give
 * it back for as long as format 1 is read: a changed dictionary would fail here.
 */
const PACKED_INITIAL_STATE = "ARstXLEWrgY6JMHRQnS0EEUrRElMQaOQQA4bzIUoAA==";

/** Three weeks of a quiet service's buckets: a state as warm as a running one. */
const warm = warmDetectorState(
  parseConfig({ services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }] }),
  T0,
);

describe("DynamoDetectorStateStore packing", () => {
  it("stores a warm state in one write unit, where its plain JSON took two", async () => {
    // Prepare: a store whose requests are counted with the units the store charged
    const { client, sent } = countedClient(testTable.store.endpoint);
    const table = { client, tableName: (await testTable.freshTable()).tableName };
    const store = new DynamoDetectorStateStore(table);
    await putRaw(table, "verizon", JSON.stringify(warm), 1);
    const plain = itemBytes(await rawItem(table, "verizon", "state"));

    // Act: a first save, then one over the packed item (billed on the larger of the two)
    sent.length = 0;
    await store.save("t-mobile", warm, 0);
    await store.save("t-mobile", { ...warm, quietBuckets: 1 }, 1);
    const packed = itemBytes(await rawItem(table, "t-mobile"));

    // Assess
    expect(JSON.stringify(warm).length).toBeGreaterThan(1_700);
    expect(plain).toBeGreaterThan(1_024);
    expect(packed).toBeLessThanOrEqual(1_024);
    expect(packed).toBeLessThan(plain / 3);
    expect(sent.filter((r) => r.command === "PutItem").map((r) => r.units)).toEqual([1, 1]);
    expect(await store.load("t-mobile")).toEqual({
      state: { ...warm, quietBuckets: 1 },
      revision: 2,
    });
  });

  it("reads a state saved as plain JSON in the current shape, and packs it on its next save", async () => {
    // Prepare
    const table = await testTable.freshTable();
    const store = new DynamoDetectorStateStore(table);
    await putRaw(table, "t-mobile", JSON.stringify(warm), 4);

    // Act
    const loaded = await store.load("t-mobile");
    const saved = await store.save("t-mobile", { ...warm, quietBuckets: 3 }, loaded.revision);

    // Assess: the plain item is left for a rollback to read; the packed one goes on from it
    expect(loaded).toEqual({ state: warm, revision: -4 });
    expect(saved).toBe(true);
    expect((await rawItem(table, "t-mobile", "state")).state).toBe(JSON.stringify(warm));
    expect((await rawItem(table, "t-mobile")).packed).toBeInstanceOf(Uint8Array);
    expect(await store.load("t-mobile")).toEqual({
      state: { ...warm, quietBuckets: 3 },
      revision: 5,
    });
  });

  it("takes the plain state when a rollback moved it on, and refuses a save that raced it", async () => {
    // Prepare: packed at 10:00; then the earlier release, rolled back to, saved plain at 11:00
    const table = await testTable.freshTable();
    const store = new DynamoDetectorStateStore(table);
    await putRaw(table, "t-mobile", JSON.stringify(stateAt(T0)), 4);
    await store.save("t-mobile", stateAt(T0), -4);
    const later = T0 + 60 * 60_000;
    await putRaw(table, "t-mobile", JSON.stringify(stateAt(later)), 5);

    // Act: rolled forward again
    const loaded = await store.load("t-mobile");
    const stale = await store.save("t-mobile", stateAt(later), -5);
    const saved = await store.save("t-mobile", stateAt(later + 300_000), loaded.revision);

    // Assess
    expect(loaded).toEqual({ state: stateAt(later), revision: 5 });
    expect(stale).toBe(false);
    expect(saved).toBe(true);
    expect(await store.load("t-mobile")).toEqual({ state: stateAt(later + 300_000), revision: 6 });
  });

  it("reads packed and plain states alike in a batch (the API's loadMany)", async () => {
    // Prepare: one packed, one plain in the current shape, one plain of the first release
    const table = await testTable.freshTable();
    const store = new DynamoDetectorStateStore(table);
    await store.save("t-mobile", warm, 0);
    await putRaw(table, "verizon", JSON.stringify(stateAt(T0, 2)), 3);
    const first = { version: 1, lastBucket: T0, baseline: { level: 4, samples: 90 } };
    await putRaw(table, "att", JSON.stringify({ ...first, pending: null, quietBuckets: 0 }), 1);

    // Act
    const states = await store.loadMany(["t-mobile", "verizon", "att", "sprint"]);

    // Assess
    expect([...states.keys()].sort()).toEqual(["att", "t-mobile", "verizon"]);
    expect(states.get("t-mobile")).toEqual(warm);
    expect(states.get("verizon")).toEqual(stateAt(T0, 2));
    expect(states.get("att")?.baseline).toEqual({ ...initialBaseline(), level: 4, samples: 90 });
  });

  it("reads a state packed by format 1, whatever zlib packs it into today", async () => {
    // Prepare: the bytes format 1 wrote for the initial state, kept as they were
    const table = await testTable.freshTable();
    await putRaw(table, "t-mobile", Buffer.from(PACKED_INITIAL_STATE, "base64"), 1);

    // Act
    const loaded = await new DynamoDetectorStateStore(table).load("t-mobile");

    // Assess: the state, and a revision that says this release's item is still to be made
    expect(loaded).toEqual({ state: initialDetectorState(), revision: -1 });
  });

  it("leaves the last release's packed item for a rollback and writes its own beside it", async () => {
    // Prepare
    const table = await testTable.freshTable();
    const store = new DynamoDetectorStateStore(table);
    const earlier = Buffer.from(PACKED_INITIAL_STATE, "base64");
    await putRaw(table, "t-mobile", earlier, 3);

    // Act
    const loaded = await store.load("t-mobile");
    const saved = await store.save("t-mobile", stateAt(T0), loaded.revision);
    const raced = await store.save("t-mobile", stateAt(T0 + 300_000), loaded.revision);

    // Assess
    expect(saved).toBe(true);
    expect(raced).toBe(false);
    expect(Buffer.from((await rawItem(table, "t-mobile", "packed")).packed)).toEqual(earlier);
    expect((await rawItem(table, "t-mobile")).packed[0]).toBe(2);
    expect(await store.load("t-mobile")).toEqual({ state: stateAt(T0), revision: 4 });
  });

  it("refuses a state packed in a format it does not know, naming the format", async () => {
    // Prepare
    const table = await testTable.freshTable();
    await putRaw(table, "t-mobile", Uint8Array.from([9, 0, 0]), 1);

    // Act
    const loading = new DynamoDetectorStateStore(table).load("t-mobile");

    // Assess
    await expect(loading).rejects.toThrow(UnknownStateFormatError);
    await expect(loading).rejects.toThrow(/format 9 .*newer release/);
  });
});
