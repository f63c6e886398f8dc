/**
 * ensureTable on dynalite: a table made by a release before the queue index is rebuilt
 * with it, every item kept, and the outbox it held is found through the index.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { ensureTable } from "../../lambdas/store/table-schema";
import { type EmbeddedStore, startEmbeddedStore } from "../../local/embedded-store";

let store: EmbeddedStore;
let raw: DynamoDBClient;
beforeAll(async () => {
  store = await startEmbeddedStore({ tableName: "unused" });
  raw = new DynamoDBClient({
    endpoint: store.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});
afterAll(async () => {
  raw?.destroy();
  await store?.close();
});

describe("ensureTable", () => {
  it("rebuilds a table from before the queue index with the index, keeping every item", async () => {
    // Prepare: the table as the earlier release made it, with 120 items and an old pending one
    await raw.send(
      new CreateTableCommand({
        TableName: "old",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );
    const documents = createDocumentClient({ endpoint: store.endpoint });
    for (let i = 0; i < 120; i++) {
      await documents.send(
        new PutCommand({ TableName: "old", Item: { pk: "S#t-mobile", sk: String(i), n: i } }),
      );
    }
    const message: OutboxMessage = {
      key: "t-mobile-20240101T0000Z#opened",
      incidentId: "t-mobile-20240101T0000Z",
      transition: "opened",
      service: "t-mobile",
      serviceName: "T-Mobile",
      category: "carrier",
      summary: { subject: "s", text: "t", sms: "m" },
      createdAt: 1,
    };
    await documents.send(
      new PutCommand({
        TableName: "old",
        Item: { pk: "OUTBOX", sk: message.key, message, attempts: 0, pending: 1 },
      }),
    );

    // Act
    await ensureTable(raw, "old");
    await ensureTable(raw, "old");

    // Assess
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: "old" }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(["queue"]);
    const { Items } = await documents.send(new ScanCommand({ TableName: "old" }));
    expect(Items).toHaveLength(121);
    const due = await new DynamoOutboxStore({ client: documents, tableName: "old" }).due(2, 10);
    expect(due.map((entry) => entry.message.key)).toEqual([message.key]);
    await expect(
      raw.send(new DescribeTableCommand({ TableName: "old-rebuild" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    documents.destroy();
  });
});
