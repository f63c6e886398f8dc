/**
 * Series in DynamoDB: one item per service and bucket (`pk = S#<service>`,
 * `sk = <bucket start ISO>`), one number attribute per source (`c_<source>`), so each
 * source's count is SET on its own and a re-run never double counts.
 */
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { toIso } from "../domain/buckets";
import type { SeriesPoint, SeriesStore } from "../domain/ports";
import { expiresAt, type TableRef } from "./client";

const PREFIX = "c_";

/** {@link SeriesStore} on the outcry table. */
export class DynamoSeriesStore implements SeriesStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  async putCount(service: string, source: string, bucketStart: number, count: number) {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: `S#${service}`, sk: toIso(bucketStart) },
        UpdateExpression: "SET #count = :count, expiresAt = :expires",
        ExpressionAttributeNames: { "#count": `${PREFIX}${source}` },
        ExpressionAttributeValues: {
          ":count": count,
          ":expires": expiresAt(bucketStart, this.retentionDays),
        },
      }),
    );
  }

  async range(service: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const points: SeriesPoint[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": `S#${service}`,
            ":from": toIso(fromMs),
            ":to": toIso(toMs),
          },
          // detect runs beside collect: it must see the bucket collect has just written.
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of page.Items ?? []) {
        const counts: Record<string, number> = {};
        for (const [name, value] of Object.entries(item)) {
          if (name.startsWith(PREFIX) && typeof value === "number")
            counts[name.slice(PREFIX.length)] = value;
        }
        points.push({ bucketStart: Date.parse(item.sk as string), counts });
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return points;
  }
}
