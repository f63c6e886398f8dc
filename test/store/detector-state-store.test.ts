/**
 * DynamoDetectorStateStore: the detector's memory per service, saved only on the revision
 * that was read, so two concurrent detect ticks cannot both advance a service.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DetectorState, initialDetectorState } from "../../lambdas/domain/detector";
import { DynamoDetectorStateStore } from "../../lambdas/store/detector-state-store";
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
});

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
