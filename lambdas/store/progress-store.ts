/**
 * How far collect has got (`pk = PROGRESS`, `sk = collect`): the newest bucket whose
 * sources have all been read. detect uses it to work on a bucket as soon as collect has
 * finished with it, instead of waiting a schedule period to be sure. The mark only moves
 * forward, so a delayed collect cannot pull it back.
 *
 * Beside it, a data version (`sk = version`) that every tick bumps: the API caches its
 * answers under it, so a cached answer is never older than the data.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ProgressStore } from "../domain/ports";
import { isConditionFailure, type TableRef } from "./client";

const KEY = { pk: "PROGRESS", sk: "collect" };
const VERSION_KEY = { pk: "PROGRESS", sk: "version" };

/** {@link ProgressStore} on the outcry table. */
export class DynamoProgressStore implements ProgressStore {
  constructor(private readonly table: TableRef) {}

  async markCollected(bucketStart: number): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: KEY,
          UpdateExpression: "SET through = :through",
          ConditionExpression: "attribute_not_exists(through) OR through < :through",
          ExpressionAttributeValues: { ":through": bucketStart },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async markChanged(): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: VERSION_KEY,
        UpdateExpression: "ADD version :one",
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );
  }

  async dataVersion(): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: VERSION_KEY, ConsistentRead: true }),
    );
    return (Item?.version as number | undefined) ?? 0;
  }

  async collectedThrough(): Promise<number | null> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: KEY, ConsistentRead: true }),
    );
    return (Item?.through as number | undefined) ?? null;
  }
}
