/**
 * Incidents in DynamoDB: one partition (`pk = INC`), sorted by start time
 * (`sk = <started ISO>#<service>`). Incidents are rare (a handful a day even for many
 * services), so one partition serves "newest first" with a single Query.
 */
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { toIso } from "../domain/buckets";
import { type Incident, type IncidentSummary, parseIncidentId } from "../domain/incident";
import { type IncidentStore, InvalidCursorError, type StoredIncident } from "../domain/ports";
import { expiresAt, isConditionFailure, type TableRef } from "./client";

const PARTITION = "INC";

function sortKey(incident: { startedAt: number; service: string }): string {
  return `${toIso(incident.startedAt)}#${incident.service}`;
}

/** Encodes a sort key as an opaque cursor for the API. */
function toCursor(sk: string): string {
  return Buffer.from(sk, "utf8").toString("base64url");
}

function fromCursor(cursor: string): string | null {
  const sk = Buffer.from(cursor, "base64url").toString("utf8");
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z#[a-z0-9-]+$/.test(sk) ? sk : null;
}

/** {@link IncidentStore} on the outcry table. */
export class DynamoIncidentStore implements IncidentStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  async put(incident: Incident, summary: IncidentSummary, asOf: number): Promise<void> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: PARTITION,
            sk: sortKey(incident),
            incident,
            summary,
            status: incident.resolvedAt === null ? "open" : "resolved",
            asOf,
            expiresAt: expiresAt(incident.startedAt, this.retentionDays),
          },
          ConditionExpression: "attribute_not_exists(pk) OR asOf <= :asOf",
          ExpressionAttributeValues: { ":asOf": asOf },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  cursorAfter(incident: Incident): string {
    return toCursor(sortKey(incident));
  }

  async get(id: string): Promise<StoredIncident | null> {
    const parsed = parseIncidentId(id);
    if (!parsed) return null;
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: sortKey(parsed) },
      }),
    );
    return Item
      ? { incident: Item.incident as Incident, summary: Item.summary as IncidentSummary }
      : null;
  }

  async list(options: { fromMs?: number; toMs?: number; limit: number; after?: string }) {
    const from = options.fromMs === undefined ? "0" : toIso(options.fromMs);
    const to = options.toMs === undefined ? "9" : `${toIso(options.toMs)}#~`;
    let startKey: Record<string, string> | undefined;
    if (options.after !== undefined) {
      const sk = fromCursor(options.after);
      if (!sk) throw new InvalidCursorError();
      // DynamoDB refuses a start key outside the key condition, as a server error.
      if (sk < from || sk > to) throw new InvalidCursorError("it points outside from/to");
      startKey = { pk: PARTITION, sk };
    }
    // One more than asked tells whether another page exists without a second request.
    const page = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": PARTITION, ":from": from, ":to": to },
        ScanIndexForward: false,
        Limit: options.limit + 1,
        ExclusiveStartKey: startKey,
      }),
    );
    const rows = page.Items ?? [];
    const items: StoredIncident[] = rows.slice(0, options.limit).map((item) => ({
      incident: item.incident as Incident,
      summary: item.summary as IncidentSummary,
    }));
    const last = rows[options.limit - 1];
    const next = rows.length > options.limit && last ? toCursor(last.sk as string) : null;
    return { items, next };
  }
}
