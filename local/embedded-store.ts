/**
 * The embedded DynamoDB-compatible store of the local runtime: dynalite serving the real
 * DynamoDB HTTP protocol on loopback, its data kept in a folder across restarts.
 */
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { ensureTable } from "../lambdas/store/table-schema";

/** A running embedded store. */
export interface EmbeddedStore {
  endpoint: string;
  tableName: string;
  /** Stops serving and flushes to disk. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port and creates the table if it is new.
 * @param dataDir - folder for the data; omit to keep everything in memory (tests)
 * @example const store = await startEmbeddedStore({ dataDir: ".outcry/db", tableName: "outcry" });
 */
export async function startEmbeddedStore(options: {
  dataDir?: string;
  tableName: string;
}): Promise<EmbeddedStore> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await ensureTable(client, options.tableName);
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    tableName: options.tableName,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}
