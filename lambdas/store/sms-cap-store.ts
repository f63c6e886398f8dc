/**
 * The SMS cap's states in DynamoDB (`pk = CAP`, `sk = <subscriber>#<category>`): one item
 * per SMS subscriber and category that had a text, so a round reads them all with one
 * query of a partition whose size is set by the configuration, not by the outage.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { FoldedText, SmsCapState, SmsCapStore } from "../domain/ports";
import { capId } from "../domain/sms-cap";
import { expiresAt, queryAll, type TableRef } from "./client";

const PARTITION = "CAP";
/** A state no text touched for this long is of no use: it expires. */
const KEEP_DAYS = 2;

/** {@link SmsCapStore} on the outcry table. */
export class DynamoSmsCapStore implements SmsCapStore {
  constructor(private readonly table: TableRef) {}

  async all(): Promise<SmsCapState[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": PARTITION },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      subscriber: item.subscriber as string,
      category: item.category as string,
      lastAt: item.lastAt as number,
      folded: (item.folded as number | undefined) ?? 0,
      foldedSince: (item.foldedSince as number | undefined) ?? null,
      latest: (item.latest as FoldedText | undefined) ?? null,
    }));
  }

  async save(state: SmsCapState): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          pk: PARTITION,
          sk: capId(state.subscriber, state.category),
          ...state,
          expiresAt: expiresAt(Math.max(state.lastAt, state.foldedSince ?? 0), KEEP_DAYS),
        },
      }),
    );
  }
}
