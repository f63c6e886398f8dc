/**
 * DynamoAnnotationStore: timeline statements from sources, stored once each.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Annotation } from "../../lambdas/domain/ports";
import { DynamoAnnotationStore } from "../../lambdas/store/annotation-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const at = (iso: string) => Date.parse(iso);
let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => testTable?.close());

const acknowledged: Annotation = {
  service: "t-mobile",
  source: "statuspage",
  at: at("2023-02-14T03:41:00Z"),
  key: "incident-abc:investigating",
  text: "T-Mobile acknowledged an incident",
};

describe("DynamoAnnotationStore", () => {
  it("stores an annotation once however often it is put, and lists a range oldest first", async () => {
    // Prepare
    const store = new DynamoAnnotationStore(await testTable.freshTable(), 30);
    const later = {
      ...acknowledged,
      at: at("2023-02-14T05:10:00Z"),
      key: "incident-abc:resolved",
      text: "resolved",
    };

    // Act
    await store.put(later);
    await store.put(acknowledged);
    await store.put(acknowledged);
    const all = await store.range(
      "t-mobile",
      at("2023-02-14T00:00:00Z"),
      at("2023-02-14T06:00:00Z"),
    );
    const early = await store.range(
      "t-mobile",
      at("2023-02-14T00:00:00Z"),
      at("2023-02-14T04:00:00Z"),
    );
    const other = await store.range(
      "verizon",
      at("2023-02-14T00:00:00Z"),
      at("2023-02-14T06:00:00Z"),
    );

    // Assess
    expect(all).toEqual([acknowledged, later]);
    expect(early).toEqual([acknowledged]);
    expect(other).toEqual([]);
  });
});
