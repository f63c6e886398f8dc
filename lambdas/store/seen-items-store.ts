/**
 * Item ids seen per service, source and bucket (`pk = I#<service>#<source>`,
 * `sk = <bucket ISO>`), as a DynamoDB string set. Adding to a set is idempotent, so a feed
 * read twice, a page overlapping the last one, or a retried tick never counts an item
 * twice, and an item that has since dropped off a feed stays counted.
 */
import { createHash } from "node:crypto";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { toIso } from "../domain/buckets";
import type { SeenItemsStore } from "../domain/ports";
import { expiresAt, queryAll, type TableRef } from "./client";

/** Ids are stored as short hashes: a busy bucket stays far below the 400 KB item limit. */
function shortId(id: string): string {
  return createHash("sha256").update(id).digest("base64url").slice(0, 16);
}

/** {@link SeenItemsStore} on the outcry table. */
export class DynamoSeenItemsStore implements SeenItemsStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  async add(
    service: string,
    source: string,
    bucketStart: number,
    ids: readonly string[],
  ): Promise<number> {
    const key = { pk: `I#${service}#${source}`, sk: toIso(bucketStart) };
    if (ids.length === 0) {
      const { Item } = await this.table.client.send(
        new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }),
      );
      return (Item?.ids as Set<string> | undefined)?.size ?? 0;
    }
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: key,
        UpdateExpression: "ADD ids :ids SET expiresAt = :expires",
        ExpressionAttributeValues: {
          ":ids": new Set(ids.map(shortId)),
          ":expires": expiresAt(bucketStart, this.retentionDays),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return (Attributes?.ids as Set<string> | undefined)?.size ?? 0;
  }

  async addOnce(
    service: string,
    source: string,
    idsByBucket: ReadonlyMap<number, readonly string[]>,
  ): Promise<Map<number, number>> {
    const buckets = [...idsByBucket.keys()].sort((a, b) => a - b);
    const first = buckets[0];
    const last = buckets[buckets.length - 1];
    const counts = new Map<number, number>();
    if (first === undefined || last === undefined) return counts;
    // One query reads every set of the window: which ids are held, and where.
    const held = new Set<string>();
    const stored = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": `I#${service}#${source}`,
        ":from": toIso(first),
        ":to": toIso(last),
      },
      ConsistentRead: true,
    });
    for (const item of stored) {
      const ids = (item.ids as Set<string> | undefined) ?? new Set<string>();
      counts.set(Date.parse(item.sk as string), ids.size);
      for (const id of ids) held.add(id);
    }
    await Promise.all(
      buckets.map(async (bucket) => {
        const fresh = [...new Set((idsByBucket.get(bucket) ?? []).map(shortId))].filter(
          (id) => !held.has(id),
        );
        // Nothing new: the stored count stands, and no write is made.
        if (fresh.length === 0) {
          counts.set(bucket, counts.get(bucket) ?? 0);
          return;
        }
        const { Attributes } = await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: { pk: `I#${service}#${source}`, sk: toIso(bucket) },
            UpdateExpression: "ADD ids :ids SET expiresAt = :expires",
            ExpressionAttributeValues: {
              ":ids": new Set(fresh),
              ":expires": expiresAt(bucket, this.retentionDays),
            },
            ReturnValues: "ALL_NEW",
          }),
        );
        counts.set(bucket, (Attributes?.ids as Set<string> | undefined)?.size ?? 0);
      }),
    );
    return counts;
  }
}
