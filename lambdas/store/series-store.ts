/**
 * Series in DynamoDB: one item per service and bucket (`pk = S#<service>`,
 * `sk = <bucket start ISO>`), one number attribute per source (`c_<source>`) and, where a
 * source splits its count by kind, one map (`b_<source>`), and by region, another
 * (`g_<source>`, a US state or country code to a count), so each source's count is SET
 * on its own and a re-run never double counts. A string set (`failed`) names the sources
 * whose read failed for the bucket while they had no count in it; a source's count, once
 * written, takes it out of the set (a set with nothing left is removed).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { toIso } from "../domain/buckets";
import type { SeriesPoint, SeriesStore } from "../domain/ports";
import { batchGetAll, expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";

const PREFIX = "c_";
const BREAKDOWN_PREFIX = "b_";
const REGIONS_PREFIX = "g_";
const FAILED = "failed";

/** {@link SeriesStore} on the outcry table. */
export class DynamoSeriesStore implements SeriesStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  async putCount(
    service: string,
    source: string,
    bucketStart: number,
    count: number,
    breakdown?: Readonly<Record<string, number>>,
    regions?: Readonly<Record<string, number>>,
  ) {
    const sets = ["#count = :count", "expiresAt = :expires"];
    if (breakdown) sets.push("#split = :split");
    if (regions) sets.push("#regions = :regions");
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: `S#${service}`, sk: toIso(bucketStart) },
        // DELETE from a set that is not there changes nothing: no read first.
        UpdateExpression: `SET ${sets.join(", ")} DELETE #failed :source`,
        ExpressionAttributeNames: {
          "#count": `${PREFIX}${source}`,
          "#failed": FAILED,
          ...(breakdown ? { "#split": `${BREAKDOWN_PREFIX}${source}` } : {}),
          ...(regions ? { "#regions": `${REGIONS_PREFIX}${source}` } : {}),
        },
        ExpressionAttributeValues: {
          ":count": count,
          ":expires": expiresAt(bucketStart, this.retentionDays),
          ":source": new Set([source]),
          ...(breakdown ? { ":split": breakdown } : {}),
          ...(regions ? { ":regions": regions } : {}),
        },
      }),
    );
  }

  async markFailed(service: string, source: string, bucketStarts: readonly number[]) {
    for (const bucketStart of bucketStarts) {
      try {
        await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: { pk: `S#${service}`, sk: toIso(bucketStart) },
            // ADD to a set is idempotent; expiresAt so that a bucket with nothing but
            // marks expires like the others.
            UpdateExpression: "ADD #failed :source SET expiresAt = :expires",
            // A source with a count in the bucket is not missing from it.
            ConditionExpression: "attribute_not_exists(#count)",
            ExpressionAttributeNames: { "#failed": FAILED, "#count": `${PREFIX}${source}` },
            ExpressionAttributeValues: {
              ":source": new Set([source]),
              ":expires": expiresAt(bucketStart, this.retentionDays),
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async range(service: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": `S#${service}`,
        ":from": toIso(fromMs),
        ":to": toIso(toMs),
      },
      // detect runs beside collect: it must see the bucket collect has just written.
      ConsistentRead: true,
    });
    return items.map(pointOf);
  }

  async pointsAt(services: readonly string[], bucketStarts: readonly number[]) {
    const keys = services.flatMap((service) =>
      bucketStarts.map((bucket) => ({ pk: `S#${service}`, sk: toIso(bucket) })),
    );
    const byService = new Map<string, SeriesPoint[]>();
    for (const item of await batchGetAll(this.table, keys)) {
      const service = (item.pk as string).slice(2);
      const points = byService.get(service) ?? [];
      points.push(pointOf(item));
      byService.set(service, points);
    }
    for (const points of byService.values()) points.sort((a, b) => a.bucketStart - b.bucketStart);
    return byService;
  }
}

/** A stored item as a point: its counts and splits (by kind, by region) by source. */
function pointOf(item: Record<string, unknown>): SeriesPoint {
  const counts: Record<string, number> = {};
  const breakdowns: Record<string, Record<string, number>> = {};
  const regions: Record<string, Record<string, number>> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(PREFIX) && typeof value === "number") {
      counts[name.slice(PREFIX.length)] = value;
    } else if (name.startsWith(BREAKDOWN_PREFIX) && typeof value === "object") {
      breakdowns[name.slice(BREAKDOWN_PREFIX.length)] = value as Record<string, number>;
    } else if (name.startsWith(REGIONS_PREFIX) && typeof value === "object") {
      regions[name.slice(REGIONS_PREFIX.length)] = value as Record<string, number>;
    }
  }
  const point: SeriesPoint = { bucketStart: Date.parse(item.sk as string), counts };
  if (Object.keys(breakdowns).length > 0) point.breakdowns = breakdowns;
  if (Object.keys(regions).length > 0) point.regions = regions;
  const failed = item[FAILED];
  if (failed instanceof Set && failed.size > 0) point.failed = [...failed].map(String).sort();
  return point;
}
