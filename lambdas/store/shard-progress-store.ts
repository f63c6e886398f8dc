/**
 * Shard progress in DynamoDB (`pk = TICK`, `sk = <collect | detect>#<tick ISO>`): one item
 * per tick and kind, kept a day. A shard that finishes adds its index to the number set
 * `done` in one UpdateItem, which returns the whole item, so the shard learns in the same
 * call whether it was the last one, and reads what the others left for the finisher
 * (attributes `n<index>`). Adding to a set is idempotent: a shard delivered twice counts
 * once. The item is written by a few hundred shards a tick at most, far below one item's
 * write limit.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { toIso } from "../domain/buckets";
import type { ShardProgressStore, ShardTally } from "../domain/ports";
import type { ShardJobKind, ShardRef } from "../domain/shards";
import { expiresAt, type TableRef } from "./client";

/** Partition key of the shard progress items. */
export const TICK_PARTITION = "TICK";
/** A tick's progress is needed for minutes; a day leaves room to look into one. */
const KEPT_DAYS = 1;

/** {@link ShardProgressStore} on the outcry table. */
export class DynamoShardProgressStore implements ShardProgressStore {
  constructor(private readonly table: TableRef) {}

  async markDone(
    kind: ShardJobKind,
    tick: number,
    shard: ShardRef,
    note?: Record<string, number>,
  ): Promise<ShardTally> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: TICK_PARTITION, sk: `${kind}#${toIso(tick)}` },
        UpdateExpression: `ADD done :shard SET shards = :count, expiresAt = :expires${note ? ", #note = :note" : ""}`,
        ...(note ? { ExpressionAttributeNames: { "#note": `n${shard.index}` } } : {}),
        ExpressionAttributeValues: {
          ":shard": new Set([shard.index]),
          ":count": shard.count,
          ":expires": expiresAt(tick, KEPT_DAYS),
          ...(note ? { ":note": note } : {}),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    const done = (Attributes?.done as Set<number> | undefined) ?? new Set<number>();
    const notes = Object.entries(Attributes ?? {})
      .filter(([name]) => /^n\d+$/.test(name))
      .map(([, value]) => value as Record<string, number>);
    // A config change between two ticks can change the count: a tick is complete when
    // every shard of the count this shard was given has reported.
    const complete = Array.from({ length: shard.count }, (_, i) => i).every((i) => done.has(i));
    return { complete, notes };
  }
}
