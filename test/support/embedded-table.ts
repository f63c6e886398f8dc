/**
 * A fresh table on an in-memory dynalite for each test file: real DynamoDB HTTP protocol,
 * nothing on disk.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDocumentClient, type TableRef } from "../../lambdas/store/client";
import { ensureTable } from "../../lambdas/store/table-schema";
import { type EmbeddedStore, startEmbeddedStore } from "../../local/embedded-store";

/** A running in-memory store with a document client on one table. */
export interface TestTable extends TableRef {
  store: EmbeddedStore;
  /** Creates another empty table on the same store, for tests that need isolation. */
  freshTable(): Promise<TableRef>;
  close(): Promise<void>;
}

/** Starts dynalite in memory with one table. */
export async function startTestTable(): Promise<TestTable> {
  const store = await startEmbeddedStore({ tableName: "outcry" });
  const client = createDocumentClient({ endpoint: store.endpoint });
  return {
    store,
    client,
    tableName: store.tableName,
    async freshTable() {
      const tableName = `t-${randomUUID()}`;
      const raw = new DynamoDBClient({
        endpoint: store.endpoint,
        region: "local",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      await ensureTable(raw, tableName);
      raw.destroy();
      return { client, tableName };
    },
    async close() {
      client.destroy();
      await store.close();
    },
  };
}
