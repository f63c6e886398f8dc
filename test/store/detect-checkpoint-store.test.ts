/**
 * DynamoDetectCheckpointStore: one small item per detect shard, telling the next tick how
 * far every one of the shard's services was saved, what it read back exactly as written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../lambdas/domain/incident";
import type { DetectCheckpoint } from "../../lambdas/domain/ports";
import { DynamoDetectCheckpointStore } from "../../lambdas/store/detect-checkpoint-store";
import { countedClient } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2024-01-01T00:00:00Z");

let testTable: TestTable;
beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => testTable?.close());

async function freshStore() {
  return new DynamoDetectCheckpointStore(await testTable.freshTable(), () => T0);
}

const checkpoint: DetectCheckpoint = {
  services: "fingerprint-of-three",
  through: T0,
  quietSince: { "t-mobile-20240101T0000Z": T0 - 600_000 },
  open: [{ id: "t-mobile-20240101T0000Z", service: "t-mobile", peak: { count: 900, at: T0 } }],
};

describe("DynamoDetectCheckpointStore", () => {
  it("gives null for a shard that has none", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const read = await store.read({ index: 0, count: 1 });

    // Assess
    expect(read).toBeNull();
  });

  it("reads back what was written, and the newest write of a shard", async () => {
    // Prepare
    const store = await freshStore();
    const quiet = { ...checkpoint, through: T0 - 300_000, quietSince: {}, open: [] };

    // Act
    await store.write({ index: 2, count: 3 }, quiet);
    const first = await store.read({ index: 2, count: 3 });
    await store.write({ index: 2, count: 3 }, checkpoint);

    // Assess
    expect(first).toEqual(quiet);
    expect(await store.read({ index: 2, count: 3 })).toEqual(checkpoint);
  });

  it("keeps each shard apart, and each shard count", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    await store.write({ index: 1, count: 3 }, checkpoint);

    // Assess
    expect(await store.read({ index: 0, count: 3 })).toBeNull();
    expect(await store.read({ index: 1, count: 4 })).toBeNull();
    expect(await store.read({ index: 1, count: 3 })).toEqual(checkpoint);
  });

  it("keeps of an open incident only what a tick reports, in one write unit", async () => {
    // Prepare: a shard whose every service is in an outage, incidents given whole
    const { client, sent } = countedClient(testTable.store.endpoint);
    const store = new DynamoDetectCheckpointStore(
      { client, tableName: (await testTable.freshTable()).tableName },
      () => T0,
    );
    const [open] = checkpoint.open;
    if (!open) throw new Error("the checkpoint above has an open incident");
    const whole: Incident = {
      ...open,
      ...{ startedAt: T0, openedAt: T0, countAtOpen: 900, baselineAtOpen: 10, resolvedAt: null },
      falloffs: [{ at: T0, count: 400 }],
      correlatedWith: ["verizon"],
    };

    // Act
    await store.write({ index: 0, count: 1 }, { ...checkpoint, open: [whole] });
    const read = await store.read({ index: 0, count: 1 });

    // Assess
    expect(read?.open).toEqual([open]);
    expect(sent.find((r) => r.command === "PutItem")?.units).toBe(1);
    expect(sent.find((r) => r.command === "GetItem")?.units).toBe(0.5);
  });
});
