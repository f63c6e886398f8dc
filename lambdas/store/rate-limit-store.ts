/**
 * Per-client minute limits in DynamoDB, so a limit holds across every container of the
 * api function: one conditional counter per client, purpose and minute
 * (`pk = L#<client hash>`, `sk = <purpose>#<minute ISO>`), taken by an `ADD` that only
 * succeeds while the count is below the limit. Each client is its own partition, so a
 * flood from many addresses spreads over the table, and one address's flood meets its
 * own item only after each container's in-memory limit has let it through. The items
 * expire by TTL soon after their minute.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { MINUTE_MS, toIso } from "../domain/buckets";
import type { RateLimitPurpose, SharedRateLimit } from "../domain/ports";
import { isConditionFailure, type TableRef } from "./client";

/** Partition-key prefix of the limit counters. */
export const RATE_LIMIT_PREFIX = "L#";

/** How long a counter outlives its minute before TTL may delete it, in seconds. */
const KEEP_SECONDS = 10 * 60;

/** {@link SharedRateLimit} on the outcry table. */
export class DynamoSharedRateLimit implements SharedRateLimit {
  constructor(private readonly table: TableRef) {}

  async take(
    purpose: RateLimitPurpose,
    client: string,
    limit: number,
    nowMs: number,
  ): Promise<boolean> {
    const minute = nowMs - (nowMs % MINUTE_MS);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: `${RATE_LIMIT_PREFIX}${client}`, sk: `${purpose}#${toIso(minute)}` },
          UpdateExpression: "ADD taken :one SET expiresAt = :expires",
          ConditionExpression: "attribute_not_exists(taken) OR taken < :limit",
          ExpressionAttributeValues: {
            ":one": 1,
            ":limit": limit,
            ":expires": Math.floor((minute + MINUTE_MS) / 1000) + KEEP_SECONDS,
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
