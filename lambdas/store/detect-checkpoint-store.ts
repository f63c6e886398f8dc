/**
 * Detect checkpoints in DynamoDB (`pk = CHECKPOINT`, `sk = detect#<count>#<index>`): one
 * small item per detect shard, read at the start of each of its ticks and written after
 * a tick that saved every one of its services. A new bucket closes only every few ticks,
 * so most ticks find the checkpoint through their bucket already and read no state.
 *
 * Reads are eventually consistent: a stale answer is an older checkpoint, which only
 * makes the tick read the states and find what it would have skipped. Writes are plain
 * puts: two ticks racing leave either's checkpoint, each true when written. An item is
 * kept a week after its last write, so a shard count no longer configured leaves nothing
 * behind for long.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DetectCheckpoint, DetectCheckpointStore } from "../domain/ports";
import type { ShardRef } from "../domain/shards";
import { expiresAt, type TableRef } from "./client";

/** Partition key of the checkpoints. */
export const CHECKPOINT_PARTITION = "CHECKPOINT";
const KEPT_DAYS = 7;

const keyOf = (shard: ShardRef) => ({
  pk: CHECKPOINT_PARTITION,
  sk: `detect#${shard.count}#${shard.index}`,
});

/** {@link DetectCheckpointStore} on the outcry table. */
export class DynamoDetectCheckpointStore implements DetectCheckpointStore {
  constructor(
    private readonly table: TableRef,
    private readonly now: () => number = Date.now,
  ) {}

  async read(shard: ShardRef): Promise<DetectCheckpoint | null> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keyOf(shard) }),
    );
    if (!Item) return null;
    return {
      services: Item.services as string,
      through: Item.through as number,
      quietSince: (Item.quietSince as Record<string, number> | undefined) ?? {},
      open: (Item.open as DetectCheckpoint["open"] | undefined) ?? [],
    };
  }

  async write(shard: ShardRef, checkpoint: DetectCheckpoint): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keyOf(shard),
          services: checkpoint.services,
          through: checkpoint.through,
          quietSince: checkpoint.quietSince,
          open: checkpoint.open.map(({ id, service, peak }) => ({
            id,
            service,
            peak: { count: peak.count, at: peak.at },
          })),
          expiresAt: expiresAt(this.now(), KEPT_DAYS),
        },
      }),
    );
  }
}
