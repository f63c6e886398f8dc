/**
 * The incidents providers' sources state, in DynamoDB: one partition (`pk = UP`,
 * `sk = <service>#<source>#<key>`). It holds what is stated now and what stopped being
 * stated in the last {@link CLEARED_KEPT_DAYS} days (then TTL deletes it), so it stays a
 * few items however many status pages are read, and the inference reads it in one Query.
 * Writes come only when a read states something new or stops stating something (collect
 * remembers the stated keys with the source), not on every read.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { StatedIncident } from "../domain/count-source";
import type { StatedIncidentStore } from "../domain/ports";
import type { StatedRecord } from "../domain/upstream";
import { expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";

const PARTITION = "UP";
/** How long an incident no longer stated is kept, for waves that outlast the statement. */
export const CLEARED_KEPT_DAYS = 2;

/** {@link StatedIncidentStore} on the outcry table. */
export class DynamoStatedIncidentStore implements StatedIncidentStore {
  /** @param retentionDays - when an incident stated that long without end is let go */
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  async record(
    service: string,
    source: string,
    started: readonly StatedIncident[],
    ended: readonly string[],
    nowMs: number,
  ): Promise<void> {
    const { client, tableName } = this.table;
    for (const incident of started) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: PARTITION, sk: `${service}#${source}#${incident.key}` },
          UpdateExpression:
            "SET #service = :service, #source = :source, #key = :key, title = :title, scopes = :scopes, #where = :where, startedAt = if_not_exists(startedAt, :startedAt), expiresAt = :expiresAt REMOVE clearedAt",
          ExpressionAttributeNames: {
            "#service": "service",
            "#source": "source",
            "#key": "key",
            "#where": "where",
          },
          ExpressionAttributeValues: {
            ":service": service,
            ":source": source,
            ":key": incident.key,
            ":title": incident.title,
            ":scopes": incident.scopes,
            ":where": incident.where ?? null,
            ":startedAt": incident.startedAt,
            ":expiresAt": expiresAt(Math.max(incident.startedAt, nowMs), this.retentionDays),
          },
        }),
      );
    }
    for (const key of ended) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: PARTITION, sk: `${service}#${source}#${key}` },
            UpdateExpression: "SET clearedAt = :now, expiresAt = :expiresAt",
            // Only a record still stated ends: an end is not moved, nothing is created.
            ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(clearedAt)",
            ExpressionAttributeValues: {
              ":now": nowMs,
              ":expiresAt": expiresAt(nowMs, CLEARED_KEPT_DAYS),
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async recent(sinceMs: number): Promise<StatedRecord[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": PARTITION },
    });
    const records: StatedRecord[] = [];
    for (const item of items) {
      const clearedAt = typeof item.clearedAt === "number" ? item.clearedAt : null;
      if (clearedAt !== null && clearedAt < sinceMs) continue;
      records.push({
        service: String(item.service),
        source: String(item.source),
        key: String(item.key),
        title: String(item.title ?? ""),
        scopes: Array.isArray(item.scopes) ? item.scopes.map(String) : [],
        where: typeof item.where === "string" ? item.where : null,
        startedAt: Number(item.startedAt),
        clearedAt,
      });
    }
    return records;
  }
}
