/**
 * Each service's status in DynamoDB, as `GET /services` lists it. Two kinds of item:
 *
 * - **The record**, one per service: `pk = ST#<shard>`, `sk = <service>`, holding the
 *   status, the open incident and `asOf` (the bucket it was derived after). The shard is
 *   a hash of the id modulo {@link STATUS_SHARDS}, so a page of services in config order
 *   is one BatchGetItem of known keys, spread over ten partitions: one partition serves
 *   about 3,000 read units a second, and ten keep a crawl of every page by many API
 *   containers at once (each reads a page at most once per data version) far below
 *   that.
 * - **The listing by status**, for the statuses a reader asks for because they are rare
 *   (elevated, outage): `pk = SX#<status>`, `sk = <service>`, the same attributes. A
 *   query of that partition answers `?status=outage` a page at a time however many
 *   services are normal; normal services, nearly all of them, are listed from the
 *   config instead (a service with no record is normal), so they need no second item.
 *
 * detect writes only when a status changes (`record-service-status.ts`): the listing
 * entry first, then the old one removed, then the record. Every write is conditioned on
 * `asOf`, so a late tick cannot put back an older status. Items are small (under 200
 * bytes): 10,000 services are 2 MB in all. `STATUS_SHARDS` is part of the keys: changing
 * it orphans the records (detect would write them again only as statuses change).
 */
import { DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { IndexedStatus, ServiceStatusStore, StoredServiceStatus } from "../domain/ports";
import type { ServiceStatus, StatusRecord } from "../domain/service-status";
import { batchGetAll, isConditionFailure, type TableRef } from "./client";

/** Partitions the records are spread over. */
export const STATUS_SHARDS = 10;

/** The statuses with a listing of their own. */
const INDEXED: ReadonlySet<ServiceStatus> = new Set<IndexedStatus>(["elevated", "outage"]);

/** FNV-1a of the id, modulo the shards: stable across releases and runtimes. */
export function statusShard(service: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    hash ^= service.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % STATUS_SHARDS;
}

const recordKey = (service: string) => ({ pk: `ST#${statusShard(service)}`, sk: service });
const listingKey = (status: ServiceStatus, service: string) => ({
  pk: `SX#${status}`,
  sk: service,
});

function storedOf(item: Record<string, unknown>): StoredServiceStatus {
  return {
    service: item.sk as string,
    status: item.status as ServiceStatus,
    openIncident: (item.openIncident as string | null | undefined) ?? null,
    asOf: item.asOf as number,
  };
}

/** {@link ServiceStatusStore} on the outcry table. */
export class DynamoServiceStatusStore implements ServiceStatusStore {
  constructor(private readonly table: TableRef) {}

  async record(service: string, previous: StatusRecord, next: StatusRecord, asOf: number) {
    const attributes = { status: next.status, openIncident: next.openIncident, asOf };
    // The listings first and the record last: a record never claims a status whose
    // listing was not written (a failure in between is written again on the next tick,
    // which finds the same change).
    await Promise.all([
      INDEXED.has(next.status) ? this.put(listingKey(next.status, service), attributes) : null,
      INDEXED.has(previous.status) && previous.status !== next.status
        ? this.remove(listingKey(previous.status, service), asOf)
        : null,
    ]);
    await this.put(recordKey(service), attributes);
  }

  /** Puts an item unless a newer one is there. */
  private async put(key: Record<string, string>, attributes: Record<string, unknown>) {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...key, ...attributes },
          ConditionExpression: "attribute_not_exists(pk) OR asOf <= :asOf",
          ExpressionAttributeValues: { ":asOf": attributes.asOf },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Deletes a listing entry written before `asOf` (a newer one stays). */
  private async remove(key: Record<string, string>, asOf: number) {
    try {
      await this.table.client.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: key,
          ConditionExpression: "asOf <= :asOf",
          ExpressionAttributeValues: { ":asOf": asOf },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async readMany(services: readonly string[]) {
    const items = await batchGetAll(this.table, services.map(recordKey));
    return new Map(items.map((item) => [item.sk as string, storedOf(item)]));
  }

  async listByStatus(status: IndexedStatus, options: { after?: string; limit: number }) {
    const page = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `SX#${status}` },
        Limit: options.limit,
        ExclusiveStartKey:
          options.after === undefined ? undefined : listingKey(status, options.after),
      }),
    );
    const items = (page.Items ?? []).map(storedOf);
    const next = (page.LastEvaluatedKey?.sk as string | undefined) ?? null;
    return { items, next };
  }
}
