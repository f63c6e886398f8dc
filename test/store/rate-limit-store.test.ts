/**
 * DynamoSharedRateLimit: a client's minute limit holds across containers (each its own
 * client of the table), starts again the next minute, and counts purposes apart.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSharedRateLimit } from "../../lambdas/store/rate-limit-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T10:00:00Z");

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

describe("DynamoSharedRateLimit", () => {
  it("lets ten containers together take a client's limit once", async () => {
    // Arrange: ten stores with their own SDK clients, as ten containers would have.
    const { tableName } = await testTable.freshTable();
    const containers = Array.from({ length: 10 }, () => {
      const client = createDocumentClient({ endpoint: testTable.store.endpoint });
      return { client, limit: new DynamoSharedRateLimit({ client, tableName }) };
    });

    // Act: each container lets 5 requests of one client through in the same minute.
    const taken = await Promise.all(
      containers.flatMap(({ limit }) =>
        Array.from({ length: 5 }, (_, i) => limit.take("report", "client-a", 30, T0 + i * 1000)),
      ),
    );
    for (const { client } of containers) client.destroy();

    // Assess
    expect(taken.filter(Boolean)).toHaveLength(30);
  });

  it("starts again in the next minute, and keeps purposes and clients apart", async () => {
    // Arrange
    const limit = new DynamoSharedRateLimit(await testTable.freshTable());
    const takeAll = async (purpose: "report" | "challenge", client: string, at: number) => {
      const results: boolean[] = [];
      for (let i = 0; i < 4; i++) results.push(await limit.take(purpose, client, 3, at));
      return results;
    };

    // Act
    const first = await takeAll("report", "a", T0 + 59_000);
    const next = await takeAll("report", "a", T0 + MINUTE_MS);
    const challenges = await takeAll("challenge", "a", T0 + 59_000);
    const other = await takeAll("report", "b", T0 + 59_000);

    // Assess
    for (const results of [first, next, challenges, other]) {
      expect(results).toEqual([true, true, true, false]);
    }
  });

  it("writes only a hash-keyed counter that expires soon after its minute", async () => {
    // Arrange
    const table = await testTable.freshTable();
    const limit = new DynamoSharedRateLimit(table);

    // Act
    await limit.take("report", "0f0f", 3, T0 + 5_000);
    const { Items } = await table.client.send(new ScanCommand({ TableName: table.tableName }));

    // Assess
    expect(Items).toEqual([
      {
        pk: "L#0f0f",
        sk: "report#2023-02-14T10:00:00Z",
        taken: 1,
        expiresAt: (T0 + MINUTE_MS) / 1000 + 600,
      },
    ]);
  });
});
