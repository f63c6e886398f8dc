/**
 * Messages held for a digest in DynamoDB (`pk = HELD`, `sk = <kind>#<target>#<incident>`):
 * one item per incident and per recipient in quiet hours (or per service in maintenance),
 * refreshed in place however many of its messages are held, so the partition's size is
 * set by the open incidents and the configuration, not by the messages. A round reads at
 * most a page of it; an item nobody released (its recipient removed from the
 * configuration) expires.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { HeldMessage, HeldStore } from "../domain/ports";
import { expiresAt, type TableRef } from "./client";

const PARTITION = "HELD";
/** Longer than any quiet hours or maintenance window a digest waits out. */
const KEEP_DAYS = 14;

const sortKey = (m: Pick<HeldMessage, "kind" | "target" | "incidentId">) =>
  `${m.kind}#${m.target}#${m.incidentId}`;

/** {@link HeldStore} on the outcry table. */
export class DynamoHeldStore implements HeldStore {
  constructor(private readonly table: TableRef) {}

  async hold(message: HeldMessage): Promise<void> {
    const { heldAt, level, ...rest } = message;
    const fields = Object.entries(rest);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: sortKey(message) },
        UpdateExpression: `SET ${[
          ...fields.map((_, i) => `#f${i} = :f${i}`),
          "heldAt = if_not_exists(heldAt, :heldAt)",
          "expiresAt = :expires",
          ...(level ? ["#level = :level"] : []),
        ].join(", ")}`,
        ExpressionAttributeNames: {
          ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ...(level ? { "#level": "level" } : {}),
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
          ":heldAt": heldAt,
          ":expires": expiresAt(heldAt, KEEP_DAYS),
          ...(level ? { ":level": level } : {}),
        },
      }),
    );
  }

  async list(limit: number): Promise<HeldMessage[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": PARTITION },
          ConsistentRead: true,
          Limit: limit - items.length,
          ExclusiveStartKey: cursor,
        }),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor && items.length < limit);
    return items
      .map((item) => ({
        kind: item.kind as HeldMessage["kind"],
        target: item.target as string,
        incidentId: item.incidentId as string,
        service: item.service as string,
        serviceName: item.serviceName as string,
        category: item.category as string,
        heldAt: item.heldAt as number,
        subject: item.subject as string,
        ...(item.level ? { level: item.level as { count: number; at: number } } : {}),
      }))
      .sort((a, b) => a.heldAt - b.heldAt || sortKey(a).localeCompare(sortKey(b)));
  }

  async release(message: HeldMessage): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: sortKey(message) },
      }),
    );
  }
}
