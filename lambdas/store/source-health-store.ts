/**
 * Source health in DynamoDB (`pk = H#<service>`, `sk = <source>`): when each source last
 * worked, its last error and how many times in a row it failed.
 */
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SourceHealth, SourceHealthStore } from "../domain/ports";
import type { TableRef } from "./client";

/** {@link SourceHealthStore} on the outcry table. */
export class DynamoSourceHealthStore implements SourceHealthStore {
  constructor(private readonly table: TableRef) {}

  async recordSuccess(
    service: string,
    source: string,
    atMs: number,
    memory?: Readonly<Record<string, string | number>>,
  ): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: `H#${service}`, sk: source },
        UpdateExpression: `SET lastSuccessAt = :at, consecutiveFailures = :zero${memory ? ", memory = :memory" : ""}`,
        ExpressionAttributeValues: {
          ":at": atMs,
          ":zero": 0,
          ...(memory ? { ":memory": memory } : {}),
        },
      }),
    );
  }

  async recordFailure(service: string, source: string, atMs: number, error: string): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: `H#${service}`, sk: source },
        UpdateExpression: "SET lastErrorAt = :at, lastError = :error ADD consecutiveFailures :one",
        ExpressionAttributeValues: { ":at": atMs, ":error": error.slice(0, 300), ":one": 1 },
      }),
    );
  }

  async list(service: string): Promise<SourceHealth[]> {
    const { Items } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `H#${service}` },
      }),
    );
    return (Items ?? []).map((item) => ({
      service,
      source: item.sk as string,
      lastSuccessAt: (item.lastSuccessAt as number | undefined) ?? null,
      lastErrorAt: (item.lastErrorAt as number | undefined) ?? null,
      lastError: (item.lastError as string | undefined) ?? null,
      consecutiveFailures: (item.consecutiveFailures as number | undefined) ?? 0,
      memory: (item.memory as Record<string, string | number> | undefined) ?? null,
    }));
  }
}
