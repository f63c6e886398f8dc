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
import { expiresAt, type TableRef } from "./client";

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
}
