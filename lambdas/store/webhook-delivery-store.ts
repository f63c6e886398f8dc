/**
 * Webhook deliveries in DynamoDB (`pk = WEBHOOK#<webhook id>`, `sk = <delivery key>`), so
 * a message SNS delivers twice (it delivers at least once) or a Lambda retry posts to each
 * webhook once. A delivery is claimed with a conditional write and a lease before the
 * post, noted when the post succeeded, and released when it failed; a crashed claimer's
 * lease runs out on its own.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { WebhookDeliveryStore } from "../domain/ports";
import { expiresAt, isConditionFailure, type TableRef } from "./client";

/** Partition prefix of webhook delivery items; the webhook function may write only these. */
export const WEBHOOK_DELIVERY_PREFIX = "WEBHOOK#";

/** Deliveries are remembered this long: longer than SNS and Lambda ever retry. */
const KEEP_DAYS = 30;

const key = (webhook: string, deliveryKey: string) => ({
  pk: `${WEBHOOK_DELIVERY_PREFIX}${webhook}`,
  sk: deliveryKey,
});

/** {@link WebhookDeliveryStore} on the outcry table. */
export class DynamoWebhookDeliveryStore implements WebhookDeliveryStore {
  constructor(private readonly table: TableRef) {}

  async claim(
    webhook: string,
    deliveryKey: string,
    nowMs: number,
    leaseUntil: number,
  ): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key(webhook, deliveryKey),
          UpdateExpression: "SET leaseUntil = :lease, expiresAt = :expires",
          ConditionExpression:
            "attribute_not_exists(deliveredAt) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
          ExpressionAttributeValues: {
            ":lease": leaseUntil,
            ":now": nowMs,
            ":expires": expiresAt(nowMs, KEEP_DAYS),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markDelivered(webhook: string, deliveryKey: string, nowMs: number): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: key(webhook, deliveryKey),
        UpdateExpression: "SET deliveredAt = :now REMOVE leaseUntil",
        ExpressionAttributeValues: { ":now": nowMs },
      }),
    );
  }

  async release(webhook: string, deliveryKey: string): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: key(webhook, deliveryKey),
        UpdateExpression: "REMOVE leaseUntil",
      }),
    );
  }
}
