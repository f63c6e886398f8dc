/**
 * The notification outbox in DynamoDB (`pk = OUTBOX`, `sk = <incident id>#<transition>`).
 * A message is recorded before it is sent; the conditional put makes the record happen
 * once however many ticks compute the same transition, and a lease keeps two senders from
 * delivering it twice while a crashed sender's lease simply runs out. Each channel that
 * has the message is noted (`sentTo`), so a retry after a partial failure skips it; a
 * failed attempt waits until `retryAt`. Who it went to is kept (`audience`), so that the
 * incident's resolution later reaches exactly those who were told of it.
 */
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { IncidentTransition } from "../domain/incident";
import type {
  DeliveryPart,
  OutboxEntry,
  OutboxMessage,
  OutboxRecord,
  OutboxState,
  OutboxStore,
} from "../domain/ports";
import { expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";

const PARTITION = "OUTBOX";
/** Sent messages are kept this long for the API, then expire. */
const KEEP_SENT_DAYS = 30;

/** Where an item stands: pending until it is sent, held back or given up on. */
function toRecord(item: Record<string, unknown>): OutboxRecord {
  const state: OutboxState =
    item.pending !== undefined
      ? "pending"
      : item.suppressedAt !== undefined
        ? "suppressed"
        : item.deadAt !== undefined
          ? "dead"
          : "sent";
  return {
    message: item.message as OutboxMessage,
    state,
    audience: (item.audience as string[] | undefined) ?? null,
    sentAt: (item.sentAt as number | undefined) ?? null,
    parts: (item.parts as DeliveryPart[] | undefined) ?? null,
    retryAt: (item.retryAt as number | undefined) ?? null,
    channels: [...((item.sentTo as Set<string> | undefined) ?? [])].sort(),
  };
}

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

  /** Every pending item, oldest first (the partition is small: sent items expire). */
  private async pendingItems(): Promise<Record<string, unknown>[]> {
    // Every page: the partition is in key order, not creation order, so the oldest
    // pending message may sit on a later page.
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk",
      FilterExpression: "attribute_exists(pending)",
      ExpressionAttributeValues: { ":pk": PARTITION },
    });
    return items.sort(
      (a, b) => (a.message as OutboxMessage).createdAt - (b.message as OutboxMessage).createdAt,
    );
  }

  async pending(limit: number): Promise<OutboxMessage[]> {
    return (await this.pendingItems()).slice(0, limit).map((item) => item.message as OutboxMessage);
  }

  async markSuppressed(key: string, nowMs: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression:
          "SET suppressedAt = :now, expiresAt = :expires REMOVE pending, leaseUntil, retryAt",
        ExpressionAttributeValues: { ":now": nowMs, ":expires": expiresAt(nowMs, KEEP_SENT_DAYS) },
      }),
    );
  }

  async recordAudience(key: string, audience: readonly string[]): Promise<string[]> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: "SET audience = if_not_exists(audience, :audience)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":audience": [...audience] },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return (Attributes?.audience as string[] | undefined) ?? [...audience];
  }

  async recordParts(key: string, parts: readonly DeliveryPart[]): Promise<DeliveryPart[]> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: "SET parts = if_not_exists(parts, :parts)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":parts": parts.map((part) => ({ ...part })) },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return (Attributes?.parts as DeliveryPart[] | undefined) ?? [...parts];
  }

  async record(key: string): Promise<OutboxRecord | null> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        ConsistentRead: true,
      }),
    );
    return Item ? toRecord(Item) : null;
  }

  async incidentRecords(incidentId: string): Promise<OutboxRecord[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": PARTITION, ":prefix": `${incidentId}#` },
      ConsistentRead: true,
    });
    return items.map(toRecord);
  }

  async sentSince(transition: IncidentTransition, sinceMs: number): Promise<OutboxMessage[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk",
      FilterExpression: "sentAt >= :since",
      ExpressionAttributeValues: { ":pk": PARTITION, ":since": sinceMs },
    });
    return items
      .map((item) => item.message as OutboxMessage)
      .filter((message) => message.transition === transition);
  }

  async due(nowMs: number, limit: number): Promise<OutboxEntry[]> {
    return (await this.pendingItems())
      .filter((item) => item.retryAt === undefined || (item.retryAt as number) <= nowMs)
      .slice(0, limit)
      .map((item) => ({
        message: item.message as OutboxMessage,
        attempts: (item.attempts as number | undefined) ?? 0,
        sentTo: [...((item.sentTo as Set<string> | undefined) ?? [])].sort(),
      }));
  }

  async claim(key: string, nowMs: number, leaseUntil: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: PARTITION, sk: key },
          UpdateExpression: "SET leaseUntil = :lease ADD attempts :one",
          ConditionExpression:
            "attribute_exists(pending) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (attribute_not_exists(retryAt) OR retryAt <= :now)",
          ExpressionAttributeValues: { ":lease": leaseUntil, ":now": nowMs, ":one": 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markChannelSent(key: string, channel: string): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: "ADD sentTo :channel",
        ExpressionAttributeValues: { ":channel": new Set([channel]) },
      }),
    );
  }

  async markSent(key: string, nowMs: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression:
          "SET sentAt = :now, expiresAt = :expires REMOVE pending, leaseUntil, lastError, retryAt",
        ExpressionAttributeValues: { ":now": nowMs, ":expires": expiresAt(nowMs, KEEP_SENT_DAYS) },
      }),
    );
  }

  async markFailed(key: string, error: string, retryAt?: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: `SET lastError = :error${retryAt === undefined ? "" : ", retryAt = :retry"} REMOVE leaseUntil`,
        ExpressionAttributeValues: {
          ":error": error.slice(0, 500),
          ...(retryAt === undefined ? {} : { ":retry": retryAt }),
        },
      }),
    );
  }

  async markDead(key: string, error: string, nowMs: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression:
          "SET deadAt = :now, lastError = :error, expiresAt = :expires REMOVE pending, leaseUntil, retryAt",
        ExpressionAttributeValues: {
          ":now": nowMs,
          ":error": error.slice(0, 500),
          ":expires": expiresAt(nowMs, KEEP_SENT_DAYS),
        },
      }),
    );
  }
}
