/**
 * DynamoSubscriptionStore against dynalite: a subscription is recorded once, read back
 * whole, changed field by field (a removed one stays removed), and the confirmations an
 * address is sent are counted per UTC day, whichever container counts them.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../lambdas/domain/buckets";
import type { SelfSubscription } from "../../lambdas/domain/subscription";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSubscriptionStore } from "../../lambdas/store/subscription-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2026-12-07T10:00:00Z");

let testTable: TestTable;
beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => {
  await testTable?.close();
});

const waiting: SelfSubscription = {
  id: "self-aaaaaaaaaaaaaaaaaaaa",
  channel: "sms",
  destination: "0123abcd",
  services: ["t-mobile"],
  updates: true,
  state: "pending",
  createdAt: T0,
  confirmedAt: null,
  expiresAt: T0 + 15 * 60_000,
  endpoint: "",
  codeHash: "c0de",
  codeAttempts: 0,
};

describe("DynamoSubscriptionStore", () => {
  it("records a subscription once and reads it back whole", async () => {
    // Arrange
    const store = new DynamoSubscriptionStore(await testTable.freshTable());
    // Act
    const first = await store.add(waiting);
    const again = await store.add({ ...waiting, channel: "email" });
    // Assert
    expect([first, again]).toEqual([true, false]);
    expect(await store.get(waiting.id)).toEqual({ ...waiting, categories: undefined });
    expect(await store.all()).toHaveLength(1);
  });

  it("confirms by changing fields, clearing the ones set to null", async () => {
    // Arrange
    const store = new DynamoSubscriptionStore(await testTable.freshTable());
    await store.add(waiting);
    // Act
    await store.update(waiting.id, { endpoint: "arn:aws:sns:us-east-1:0:outcry:1" });
    await store.update(waiting.id, {
      state: "confirmed",
      confirmedAt: T0 + 60_000,
      expiresAt: null,
      codeHash: null,
    });
    // Assert
    expect(await store.get(waiting.id)).toMatchObject({
      state: "confirmed",
      confirmedAt: T0 + 60_000,
      expiresAt: null,
      codeHash: null,
      endpoint: "arn:aws:sns:us-east-1:0:outcry:1",
    });
  });

  it("keeps a pending subscription's time out of the table's TTL attribute", async () => {
    // Arrange
    const table = await testTable.freshTable();
    const store = new DynamoSubscriptionStore(table);
    await store.add(waiting);
    // Act
    const { Items = [] } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
    // Assert: TTL would delete it without ending its SNS subscription
    expect(Items[0]?.expiresAt).toBeUndefined();
    expect(Items[0]?.dropAt).toBe(waiting.expiresAt);
  });

  it("counts wrong codes, and leaves a removed subscription removed", async () => {
    // Arrange
    const store = new DynamoSubscriptionStore(await testTable.freshTable());
    await store.add(waiting);
    // Act
    const counts = [await store.countWrongCode(waiting.id), await store.countWrongCode(waiting.id)];
    await store.remove(waiting.id);
    await store.update(waiting.id, { state: "confirmed" });
    // Assert
    expect(counts).toEqual([1, 2]);
    expect(await store.get(waiting.id)).toBeNull();
    expect(await store.countWrongCode(waiting.id)).toBe(Number.POSITIVE_INFINITY);
  });

  it("lets two containers together send an address its confirmations of a day once", async () => {
    // Arrange
    const { tableName } = await testTable.freshTable();
    const containers = [1, 2].map(
      () =>
        new DynamoSubscriptionStore({
          client: createDocumentClient({ endpoint: testTable.store.endpoint }),
          tableName,
        }),
    );
    // Act
    const taken = await Promise.all(
      Array.from({ length: 6 }, (_, i) => containers[i % 2]?.takeConfirmation("d", 3, T0)),
    );
    const nextDay = await containers[0]?.takeConfirmation("d", 3, T0 + DAY_MS);
    // Assert
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(nextDay).toBe(true);
  });
});
