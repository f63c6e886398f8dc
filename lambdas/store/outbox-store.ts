/**
 * The notification outbox in DynamoDB (`pk = OUTBOX`, `sk = <incident id>#<transition>`).
 * A message is recorded before it is sent; the conditional put makes the record happen
 * once however many ticks compute the same transition, and a lease keeps two senders from
 * delivering it twice while a crashed sender's lease simply runs out.
 */
import { PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OutboxMessage, OutboxStore } from "../domain/ports";
import { expiresAt, isConditionFailure, type TableRef } from "./client";

const PARTITION = "OUTBOX";
/** Sent messages are kept this long for the API, then expire. */
const KEEP_SENT_DAYS = 30;

/** {@link OutboxStore} on the outcry table. */
export class DynamoOutboxStore implements OutboxStore {
  constructor(private readonly table: TableRef) {}

  async add(message: OutboxMessage): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { pk: PARTITION, sk: message.key, message, attempts: 0, pending: 1 },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async pending(limit: number): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: "pk = :pk",
          FilterExpression: "attribute_exists(pending)",
          ExpressionAttributeValues: { ":pk": PARTITION },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) out.push(item.message as OutboxMessage);
      cursor = page.LastEvaluatedKey;
      // Read every page: the partition is in key order, not creation order, so the oldest
      // pending message may sit on a later page than the first `limit` found.
    } while (cursor);
    return out.sort((a, b) => a.createdAt - b.createdAt).slice(0, limit);
  }

  async claim(key: string, nowMs: number, leaseUntil: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: PARTITION, sk: key },
          UpdateExpression: "SET leaseUntil = :lease ADD attempts :one",
          ConditionExpression:
            "attribute_exists(pending) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
          ExpressionAttributeValues: { ":lease": leaseUntil, ":now": nowMs, ":one": 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markSent(key: string, nowMs: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression:
          "SET sentAt = :now, expiresAt = :expires REMOVE pending, leaseUntil, lastError",
        ExpressionAttributeValues: { ":now": nowMs, ":expires": expiresAt(nowMs, KEEP_SENT_DAYS) },
      }),
    );
  }

  async markFailed(key: string, error: string): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: "SET lastError = :error REMOVE leaseUntil",
        ExpressionAttributeValues: { ":error": error.slice(0, 500) },
      }),
    );
  }
}
