/**
 * Self-service subscriptions in DynamoDB: one item each (`pk = SUB`, `sk = <id>`), so a
 * delivery round reads them all with one query of a partition no bigger than
 * `subscriptions.max`; and per address, a day's count of confirmations sent to it
 * (`pk = SD#<destination hash>`, `sk = <UTC day>`, expiring after the day). Neither holds
 * an address, only its keyed hash (see `domain/subscription.ts`).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { DAY_MS, toIso } from "../domain/buckets";
import type { SelfSubscription } from "../domain/subscription";
import type { SubscriptionStore } from "../domain/subscription-ports";
import { expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";

/** Partition of the subscriptions. */
export const SUBSCRIPTION_PARTITION = "SUB";
/** Partition-key prefix of the per-address counts of confirmations. */
export const DESTINATION_PREFIX = "SD#";

const FIELDS = [
  "id",
  "channel",
  "destination",
  "services",
  "categories",
  "updates",
  "state",
  "createdAt",
  "confirmedAt",
  "expiresAt",
  "endpoint",
  "codeHash",
  "codeAttempts",
] as const;

function fromItem(item: Record<string, unknown>): SelfSubscription {
  return {
    id: item.id as string,
    channel: item.channel as SelfSubscription["channel"],
    destination: item.destination as string,
    services: item.services as string[] | undefined,
    categories: item.categories as string[] | undefined,
    updates: item.updates === true,
    state: item.state as SelfSubscription["state"],
    createdAt: item.createdAt as number,
    confirmedAt: (item.confirmedAt as number | undefined) ?? null,
    expiresAt: (item.dropAt as number | undefined) ?? null,
    endpoint: (item.endpoint as string | undefined) ?? "",
    codeHash: (item.codeHash as string | undefined) ?? null,
    codeAttempts: (item.codeAttempts as number | undefined) ?? 0,
  };
}

/**
 * The attribute a field is stored as: a pending subscription's `expiresAt` is `dropAt`,
 * since the table's TTL attribute is `expiresAt` (in seconds) and a subscription must not
 * vanish by TTL: dropping one also ends its SNS subscription.
 */
const attributeOf = (field: string) => (field === "expiresAt" ? "dropAt" : field);

/** The item's attributes of `subscription`, leaving out what is null or absent. */
function toAttributes(subscription: Partial<SelfSubscription>): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = subscription[field];
    if (value !== undefined && value !== null) attributes[attributeOf(field)] = value;
  }
  return attributes;
}

/** {@link SubscriptionStore} on the outcry table. */
export class DynamoSubscriptionStore implements SubscriptionStore {
  constructor(private readonly table: TableRef) {}

  async all(): Promise<SelfSubscription[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": SUBSCRIPTION_PARTITION },
      ConsistentRead: true,
    });
    return items.map(fromItem);
  }

  async get(id: string): Promise<SelfSubscription | null> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: SUBSCRIPTION_PARTITION, sk: id },
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : null;
  }

  async add(subscription: SelfSubscription): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { pk: SUBSCRIPTION_PARTITION, sk: subscription.id, ...toAttributes(subscription) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async update(
    id: string,
    changes: Partial<
      Pick<SelfSubscription, "endpoint" | "state" | "confirmedAt" | "expiresAt" | "codeHash">
    >,
  ): Promise<void> {
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = attributeOf(field);
      if (value === null) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (set.length + remove.length === 0) return;
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: SUBSCRIPTION_PARTITION, sk: id },
          UpdateExpression: [
            set.length > 0 ? `SET ${set.join(", ")}` : "",
            remove.length > 0 ? `REMOVE ${remove.join(", ")}` : "",
          ]
            .join(" ")
            .trim(),
          // Only a subscription still recorded: one removed meanwhile stays removed.
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async countWrongCode(id: string): Promise<number> {
    try {
      const { Attributes } = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: SUBSCRIPTION_PARTITION, sk: id },
          UpdateExpression: "ADD codeAttempts :one",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return (Attributes?.codeAttempts as number | undefined) ?? 1;
    } catch (error) {
      if (isConditionFailure(error)) return Number.POSITIVE_INFINITY;
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: { pk: SUBSCRIPTION_PARTITION, sk: id },
      }),
    );
  }

  async takeConfirmation(destination: string, limit: number, nowMs: number): Promise<boolean> {
    const day = nowMs - (nowMs % DAY_MS);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: `${DESTINATION_PREFIX}${destination}`, sk: toIso(day).slice(0, 10) },
          UpdateExpression: "ADD sent :one SET expiresAt = :expires",
          ConditionExpression: "attribute_not_exists(sent) OR sent < :limit",
          ExpressionAttributeValues: {
            ":one": 1,
            ":limit": limit,
            ":expires": expiresAt(day + DAY_MS, 1),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
