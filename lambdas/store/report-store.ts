/**
 * Crowd reports in DynamoDB. A report is an item keyed by service, bucket, shard and
 * reporter (`pk = R#<service>#<bucket ISO>#<shard>`, `sk = <reporter hash>`):
 * - the shard comes from the reporter hash, so a flood for one service spreads over
 *   `shards` partitions (DynamoDB takes about 1,000 writes/s per partition) while the key
 *   of any reporter's report stays computable;
 * - the put is conditional, so one reporter counts once per bucket even when identical
 *   submissions race, and earlier buckets inside the dedup window are checked with
 *   BatchGet (100 keys a request) before it;
 * - counts are derived by reading the bucket's shards, so re-running a tick gives the
 *   same numbers.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { bucketStart as alignBucket, MINUTE_MS, toIso } from "../domain/buckets";
import type { CrowdReport, ReportStore } from "../domain/ports";
import { expiresAt, isConditionFailure, type TableRef } from "./client";

/** The most keys one BatchGetItem request may name. */
const BATCH_GET_MAX_KEYS = 100;

/** Options of the report store. */
export interface ReportStoreOptions {
  bucketMinutes: number;
  shards: number;
  retentionDays: number;
}

/** {@link ReportStore} on the outcry table. */
export class DynamoReportStore implements ReportStore {
  constructor(
    private readonly table: TableRef,
    private readonly options: ReportStoreOptions,
  ) {}

  /** A stable shard for any reporter id (FNV-1a), hex hash or not. */
  private shardOf(reporter: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < reporter.length; i++) {
      hash = Math.imul(hash ^ reporter.charCodeAt(i), 0x01000193) >>> 0;
    }
    return hash % this.options.shards;
  }

  private key(service: string, bucket: number, reporter: string) {
    return { pk: `R#${service}#${toIso(bucket)}#${this.shardOf(reporter)}`, sk: reporter };
  }

  async record(
    report: CrowdReport,
    bucket: number,
    dedupMs: number,
  ): Promise<"accepted" | "duplicate"> {
    const width = this.options.bucketMinutes * MINUTE_MS;
    const earlier: Record<string, string>[] = [];
    for (
      let b = alignBucket(report.at - dedupMs, this.options.bucketMinutes);
      b < bucket;
      b += width
    ) {
      earlier.push(this.key(report.service, b, report.reporter));
    }
    // BatchGet takes at most 100 keys and may hand some back unprocessed: a long window
    // of small buckets (e.g. 3 hours of 1-minute buckets) needs several requests.
    for (let start = 0; start < earlier.length; start += BATCH_GET_MAX_KEYS) {
      let keys: Record<string, unknown>[] | undefined = earlier.slice(
        start,
        start + BATCH_GET_MAX_KEYS,
      );
      while (keys && keys.length > 0) {
        const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await this.table.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table.tableName]: {
                Keys: keys,
                ProjectionExpression: "reportedAt",
                ConsistentRead: true,
              },
            },
          }),
        );
        const recent = (Responses?.[this.table.tableName] ?? []).some(
          (item) => (item.reportedAt as number) > report.at - dedupMs,
        );
        if (recent) return "duplicate";
        keys = UnprocessedKeys?.[this.table.tableName]?.Keys;
      }
    }
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...this.key(report.service, bucket, report.reporter),
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

  async countBucket(service: string, bucket: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let shard = 0; shard < this.options.shards; shard++) {
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await this.table.client.send(
          new QueryCommand({
            TableName: this.table.tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": `R#${service}#${toIso(bucket)}#${shard}` },
            ProjectionExpression: "problem",
            ConsistentRead: true,
            ExclusiveStartKey: cursor,
          }),
        );
        for (const item of page.Items ?? []) {
          const problem = item.problem as string;
          counts[problem] = (counts[problem] ?? 0) + 1;
        }
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    }
    return counts;
  }

  async hit(client: string, nowMs: number): Promise<number> {
    const minute = alignBucket(nowMs, 1);
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: `RL#${client}`, sk: toIso(minute) },
        UpdateExpression: "ADD hits :one SET expiresAt = :expires",
        ExpressionAttributeValues: { ":one": 1, ":expires": Math.floor(minute / 1000) + 3600 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return (Attributes?.hits as number | undefined) ?? 1;
  }
}
