/**
 * The SMS cap's states in DynamoDB (`pk = CAP`, `sk = <subscriber>#<category>`): one item
 * per SMS subscriber and category that had a text, so a round reads them all with one
 * query of a partition whose size is set by the configuration, not by the outage.
 */
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { FoldedText, SmsCapState, SmsCapStore } from "../domain/ports";
import { capId } from "../domain/sms-cap";
import { expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";

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

  async fold(subscriber: string, category: string, nowMs: number, latest: FoldedText) {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: capId(subscriber, category) },
        UpdateExpression:
          "ADD folded :one SET subscriber = :subscriber, category = :category, latest = :latest, foldedSince = if_not_exists(foldedSince, :now), lastAt = if_not_exists(lastAt, :now), expiresAt = :expires",
        ExpressionAttributeValues: {
          ":one": 1,
          ":subscriber": subscriber,
          ":category": category,
          ":latest": latest,
          ":now": nowMs,
          ":expires": expiresAt(nowMs, KEEP_DAYS),
        },
      }),
    );
  }

  async restart(state: SmsCapState, seen: SmsCapState | undefined): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: PARTITION,
            sk: capId(state.subscriber, state.category),
            subscriber: state.subscriber,
            category: state.category,
            lastAt: state.lastAt,
            folded: state.folded,
            ...(state.foldedSince === null ? {} : { foldedSince: state.foldedSince }),
            ...(state.latest === null ? {} : { latest: state.latest }),
            expiresAt: expiresAt(Math.max(state.lastAt, state.foldedSince ?? 0), KEEP_DAYS),
          },
          ...(seen
            ? {
                ConditionExpression: "lastAt = :lastAt AND folded = :folded",
                ExpressionAttributeValues: { ":lastAt": seen.lastAt, ":folded": seen.folded },
              }
            : { ConditionExpression: "attribute_not_exists(pk)" }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
