/**
 * Crowd reports in DynamoDB, one conditional write per report. A report is an item keyed
 * by service, dedup window, shard and reporter
 * (`pk = R#<service>#<window start ISO>#<shard>`, `sk = <reporter hash>`):
 * - the window is the `dedupMinutes` slot of the UTC day the report falls in, so the
 *   put's `attribute_not_exists` condition alone makes one reporter count once per
 *   service per window, even when identical submissions race, with no read before it;
 * - the shard comes from the reporter hash, so a flood for one service spreads over
 *   `shards` partitions (DynamoDB takes about 1,000 writes/s per partition) while the key
 *   of any reporter's report stays computable;
 * - counts are derived by reading the buckets' windows, each partition once per tick
 *   (tallied by bucket), so re-running a tick gives the same numbers; the read grows with
 *   the window's reports, and more shards spread it over more partitions.
 */
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { bucketStart as alignBucket, toIso } from "../domain/buckets";
import type { CrowdReport, ReportStore } from "../domain/ports";
import { expiresAt, isConditionFailure, type TableRef } from "./client";

/** Options of the report store (from the config's `bucketMinutes` and `reports`). */
export interface ReportStoreOptions {
  bucketMinutes: number;
  /** A whole multiple of `bucketMinutes`, so each bucket lies inside one window. */
  dedupMinutes: number;
  shards: number;
  retentionDays: number;
}

/** {@link ReportStore} on the outcry table. */
export class DynamoReportStore implements ReportStore {
  constructor(
    private readonly table: TableRef,
    private readonly options: ReportStoreOptions,
  ) {
    if (options.dedupMinutes % options.bucketMinutes !== 0) {
      throw new Error("dedupMinutes must be a whole multiple of bucketMinutes");
    }
  }

  /** A stable shard for any reporter id (FNV-1a), hex hash or not. */
  private shardOf(reporter: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < reporter.length; i++) {
      hash = Math.imul(hash ^ reporter.charCodeAt(i), 0x01000193) >>> 0;
    }
    return hash % this.options.shards;
  }

  private partition(service: string, timeMs: number, shard: number): string {
    const window = alignBucket(timeMs, this.options.dedupMinutes);
    return `R#${service}#${toIso(window)}#${shard}`;
  }

  async record(report: CrowdReport): Promise<"accepted" | "duplicate"> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: this.partition(report.service, report.at, this.shardOf(report.reporter)),
            sk: report.reporter,
            bucket: toIso(alignBucket(report.at, this.options.bucketMinutes)),
            problem: report.problem,
            reportedAt: report.at,
            expiresAt: expiresAt(report.at, this.options.retentionDays),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return "accepted";
    } catch (error) {
      if (isConditionFailure(error)) return "duplicate";
      throw error;
    }
  }

  /** Reports per problem kind in one bucket (a convenience over {@link countBuckets}). */
  async countBucket(service: string, bucket: number): Promise<Record<string, number>> {
    return (await this.countBuckets(service, [bucket])).get(bucket) ?? {};
  }

  async countBuckets(
    service: string,
    buckets: readonly number[],
  ): Promise<Map<number, Record<string, number>>> {
    const counts = new Map<number, Record<string, number>>(buckets.map((b) => [b, {}]));
    const wanted = new Map(buckets.map((b) => [toIso(b), b]));
    // Buckets of one window share its partitions: each is read once, whatever it holds.
    const windows = [...new Set(buckets.map((b) => alignBucket(b, this.options.dedupMinutes)))];
    const shards = Array.from({ length: this.options.shards }, (_, shard) => shard);
    await Promise.all(
      windows.flatMap((window) =>
        shards.map(async (shard) => {
          let cursor: Record<string, unknown> | undefined;
          do {
            const page = await this.table.client.send(
              new QueryCommand({
                TableName: this.table.tableName,
                KeyConditionExpression: "pk = :pk",
                ExpressionAttributeNames: { "#bucket": "bucket" },
                ExpressionAttributeValues: { ":pk": this.partition(service, window, shard) },
                ProjectionExpression: "#bucket, problem",
                ConsistentRead: true,
                ExclusiveStartKey: cursor,
              }),
            );
            for (const item of page.Items ?? []) {
              const bucket = wanted.get(item.bucket as string);
              const tally = bucket === undefined ? undefined : counts.get(bucket);
              if (!tally) continue;
              const problem = item.problem as string;
              tally[problem] = (tally[problem] ?? 0) + 1;
            }
            cursor = page.LastEvaluatedKey;
          } while (cursor);
        }),
      ),
    );
    return counts;
  }
}
