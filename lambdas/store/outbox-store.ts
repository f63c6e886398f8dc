/**
 * The notification outbox in DynamoDB (`pk = OUTBOX`, `sk = <incident id>#<transition>`).
 * A message is recorded before it is sent; the conditional put makes the record happen
 * once however many ticks compute the same transition, and a lease keeps two senders from
 * delivering it twice while a crashed sender's lease simply runs out. Each channel that
 * has the message is noted (`sentTo`), so a retry after a partial failure skips it; a
 * failed attempt waits until `retryAt`. Who it went to is kept (`audience`), so that the
 * incident's resolution later reaches exactly those who were told of it.
 *
 * **Found through a sparse index, never by reading the partition.** The partition holds
 * 30 days of sent messages; a round must not read them. Each item that a round may look
 * for carries the keys of the `queue` index (`QUEUE_INDEX`): a pending message is in
 * queue `OUTBOX#due` at `queueAt` = when it may next be claimed (its creation, the end of
 * its lease, its retry time), and leaves it when sent, dead or held back; a sent message
 * is in `OUTBOX#sent#<transition>` at its `sentAt`, so the openings a new one may join
 * are read from the last two windows only. A round therefore reads what is due (a key
 * condition `queueAt <= now`, not a filter) and the recent openings, whatever the history.
 * A global index rather than a partition of pointers: DynamoDB keeps it in step with the
 * item in the same write, so no transaction is needed and no pointer can go stale; it
 * is read eventually consistent, which is harmless because every claim is a conditional
 * write on the item itself, and the messages this store recorded itself are merged in so
 * that a message is delivered in the tick that recorded it even if the index lags.
 *
 * **Items from before the index** have no `queue`. The first read of a store looks for
 * a marker item (`sk = ~queue`, one read per container); without it, it reads the
 * partition once, gives every pending message and every sent opening its queue keys, and
 * writes the marker: an upgraded table keeps delivering what it held, and is never read
 * whole again.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { inParallel, STORE_CONCURRENCY } from "../domain/in-parallel";
import type { IncidentTransition } from "../domain/incident";
import type {
  DeliveryPart,
  OutboxEntry,
  OutboxMessage,
  OutboxRecord,
  OutboxState,
  OutboxStore,
} from "../domain/ports";
import { expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";
import { QUEUE_INDEX } from "./queue-index";

const PARTITION = "OUTBOX";
/** Sent messages are kept this long for the API, then expire. */
const KEEP_SENT_DAYS = 30;
/** The queue of pending messages, ordered by when each may next be claimed. */
const DUE_QUEUE = `${PARTITION}#due`;
/** The queue of sent messages of one transition, ordered by when they were sent. */
const sentQueue = (transition: string) => `${PARTITION}#sent#${transition}`;
/** The marker that the items of the partition have their queue keys. */
const QUEUED_MARKER = "~queue";
const queueNames = { "#queue": QUEUE_INDEX.partitionKey, "#at": QUEUE_INDEX.sortKey };

/** The transition a key names: `…#opened`, `…#resolved`, `…#update-10x`. */
function transitionOfKey(key: string): string {
  return (key.slice(key.lastIndexOf("#") + 1).split("-")[0] ?? "").toLowerCase();
}

/** Where an item stands: pending until it is sent, held back or given up on. */
function toRecord(item: Record<string, unknown>): OutboxRecord {
  const state: OutboxState =
    item.pending !== undefined
      ? "pending"
      : item.suppressedAt !== undefined
        ? "suppressed"
        : item.deadAt !== undefined
          ? "dead"
          : "sent";
  return {
    message: item.message as OutboxMessage,
    state,
    audience: (item.audience as string[] | undefined) ?? null,
    sentAt: (item.sentAt as number | undefined) ?? null,
    parts: (item.parts as DeliveryPart[] | undefined) ?? null,
    retryAt: (item.retryAt as number | undefined) ?? null,
    channels: [...((item.sentTo as Set<string> | undefined) ?? [])].sort(),
  };
}

function toEntry(item: Record<string, unknown>): OutboxEntry {
  return {
    message: item.message as OutboxMessage,
    attempts: (item.attempts as number | undefined) ?? 0,
    sentTo: [...((item.sentTo as Set<string> | undefined) ?? [])].sort(),
    ...(typeof item.group === "string" ? { group: item.group } : {}),
  };
}

const byCreation = (a: OutboxEntry, b: OutboxEntry) =>
  a.message.createdAt - b.message.createdAt || a.message.key.localeCompare(b.message.key);

/** {@link OutboxStore} on the outcry table. */
export class DynamoOutboxStore implements OutboxStore {
  /** Set once the partition's items are known to carry their queue keys. */
  private queued: Promise<void> | undefined;
  /**
   * Messages this store recorded and neither handed to a round nor touched since: the
   * index may not show them yet (it follows the table within a second or so).
   */
  private readonly recorded = new Map<string, OutboxMessage>();

  constructor(private readonly table: TableRef) {}

  async add(message: OutboxMessage): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: PARTITION,
            sk: message.key,
            message,
            attempts: 0,
            pending: 1,
            queue: DUE_QUEUE,
            queueAt: message.createdAt,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      this.recorded.set(message.key, message);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Items of `queue` in `queueAt` order from the index, at most `limit` (every one when
   * absent), within `range`.
   */
  private async fromQueue(
    queue: string,
    range: { atMost?: number; atLeast?: number },
    limit?: number,
  ): Promise<Record<string, unknown>[]> {
    await this.ensureQueued();
    const bound =
      range.atMost !== undefined
        ? " AND #at <= :at"
        : range.atLeast !== undefined
          ? " AND #at >= :at"
          : "";
    const at = range.atMost ?? range.atLeast;
    const items: Record<string, unknown>[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          IndexName: QUEUE_INDEX.name,
          KeyConditionExpression: `#queue = :queue${bound}`,
          ExpressionAttributeNames: {
            "#queue": QUEUE_INDEX.partitionKey,
            ...(bound ? { "#at": QUEUE_INDEX.sortKey } : {}),
          },
          ExpressionAttributeValues: { ":queue": queue, ...(bound ? { ":at": at } : {}) },
          ...(limit !== undefined ? { Limit: limit - items.length } : {}),
          ExclusiveStartKey: cursor,
        }),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor && (limit === undefined || items.length < limit));
    return items;
  }

  async pending(limit: number): Promise<OutboxMessage[]> {
    // Every pending message (few: they leave the queue when sent), then the oldest.
    const entries = (await this.fromQueue(DUE_QUEUE, {})).map(toEntry).sort(byCreation);
    return entries.slice(0, limit).map((entry) => entry.message);
  }

  async due(nowMs: number, limit: number): Promise<OutboxEntry[]> {
    const entries = (await this.fromQueue(DUE_QUEUE, { atMost: nowMs }, limit)).map(toEntry);
    // What this store recorded itself and the index does not show yet: as recorded.
    const listed = new Set(entries.map((entry) => entry.message.key));
    for (const message of this.recorded.values()) {
      if (entries.length >= limit) break;
      if (!listed.has(message.key) && message.createdAt <= nowMs) {
        entries.push({ message, attempts: 0, sentTo: [] });
      }
    }
    this.recorded.clear();
    return entries.sort(byCreation);
  }

  async sentSince(transition: IncidentTransition, sinceMs: number): Promise<OutboxMessage[]> {
    const items = await this.fromQueue(sentQueue(transition), { atLeast: sinceMs });
    return items.map((item) => item.message as OutboxMessage);
  }

  /**
   * Gives the items written before the queue index their queue keys, once per table: a
   * marker says it was done, so each container reads one item, not the partition.
   */
  private ensureQueued(): Promise<void> {
    this.queued ??= this.queueOlderItems().catch((error: unknown) => {
      this.queued = undefined;
      throw error;
    });
    return this.queued;
  }

  private async queueOlderItems(): Promise<void> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: QUEUED_MARKER },
        ConsistentRead: true,
      }),
    );
    if (Item) return;
    const older = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk",
      FilterExpression:
        "attribute_not_exists(#queue) AND (attribute_exists(pending) OR (attribute_exists(sentAt) AND attribute_not_exists(deadAt) AND attribute_not_exists(suppressedAt)))",
      ExpressionAttributeNames: { "#queue": QUEUE_INDEX.partitionKey },
      ExpressionAttributeValues: { ":pk": PARTITION },
      ConsistentRead: true,
    });
    await inParallel(older, STORE_CONCURRENCY, async (item) => {
      const key = item.sk as string;
      const message = item.message as OutboxMessage | undefined;
      if (!message) return;
      const isPending = item.pending !== undefined;
      // A pending one is due when its retry time and lease allow, as the claim decides.
      const at = isPending
        ? Math.max(
            message.createdAt,
            (item.retryAt as number | undefined) ?? 0,
            (item.leaseUntil as number | undefined) ?? 0,
          )
        : (item.sentAt as number);
      try {
        await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: { pk: PARTITION, sk: key },
            UpdateExpression: "SET #queue = :queue, #at = :at",
            ConditionExpression: isPending
              ? "attribute_not_exists(#queue) AND attribute_exists(pending)"
              : "attribute_not_exists(#queue) AND attribute_exists(sentAt)",
            ExpressionAttributeNames: queueNames,
            ExpressionAttributeValues: {
              ":queue": isPending ? DUE_QUEUE : sentQueue(transitionOfKey(key)),
              ":at": at,
            },
          }),
        );
      } catch (error) {
        // Moved on meanwhile (sent, or queued by a newer write): nothing to give it.
        if (!isConditionFailure(error)) throw error;
      }
    });
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { pk: PARTITION, sk: QUEUED_MARKER, queuedItems: older.length },
      }),
    );
  }

  async note(
    message: OutboxMessage,
    outcome: { state: "sent" | "suppressed"; audience: readonly string[]; nowMs: number },
  ): Promise<boolean> {
    const { state, audience, nowMs } = outcome;
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          // No queue keys: a note is never due and never joins a group.
          Item: {
            pk: PARTITION,
            sk: message.key,
            message,
            attempts: 0,
            audience: [...audience],
            ...(state === "sent" ? { sentAt: nowMs } : { suppressedAt: nowMs }),
            expiresAt: expiresAt(nowMs, KEEP_SENT_DAYS),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markSuppressed(key: string, nowMs: number): Promise<void> {
    this.recorded.delete(key);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression:
          "SET suppressedAt = :now, expiresAt = :expires REMOVE pending, leaseUntil, retryAt, #queue, #at",
        ExpressionAttributeNames: queueNames,
        ExpressionAttributeValues: { ":now": nowMs, ":expires": expiresAt(nowMs, KEEP_SENT_DAYS) },
      }),
    );
  }

  async recordAudience(key: string, audience: readonly string[]): Promise<string[]> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: "SET audience = if_not_exists(audience, :audience)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":audience": [...audience] },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return (Attributes?.audience as string[] | undefined) ?? [...audience];
  }

  async recordParts(
    key: string,
    parts: readonly DeliveryPart[],
    options: { group?: string | undefined; audience?: readonly string[] | undefined } = {},
  ): Promise<DeliveryPart[]> {
    const { group, audience } = options;
    const sets = [
      "parts = if_not_exists(parts, :parts)",
      ...(group ? ["#group = if_not_exists(#group, :group)"] : []),
      ...(audience ? ["audience = if_not_exists(audience, :audience)"] : []),
    ];
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "attribute_exists(pk)",
        ...(group ? { ExpressionAttributeNames: { "#group": "group" } } : {}),
        ExpressionAttributeValues: {
          ":parts": parts.map((part) => ({ ...part })),
          ...(group ? { ":group": group } : {}),
          ...(audience ? { ":audience": [...audience] } : {}),
        },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return (Attributes?.parts as DeliveryPart[] | undefined) ?? [...parts];
  }

  async record(key: string): Promise<OutboxRecord | null> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        ConsistentRead: true,
      }),
    );
    return Item ? toRecord(Item) : null;
  }

  async incidentRecords(incidentId: string): Promise<OutboxRecord[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": PARTITION, ":prefix": `${incidentId}#` },
      ConsistentRead: true,
    });
    return items.map(toRecord);
  }

  async claim(key: string, nowMs: number, leaseUntil: number): Promise<boolean> {
    this.recorded.delete(key);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: PARTITION, sk: key },
          // Out of the due queue until the lease runs out.
          UpdateExpression: "SET leaseUntil = :lease, #at = :lease ADD attempts :one",
          ConditionExpression:
            "attribute_exists(pending) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (attribute_not_exists(retryAt) OR retryAt <= :now)",
          ExpressionAttributeNames: { "#at": QUEUE_INDEX.sortKey },
          ExpressionAttributeValues: { ":lease": leaseUntil, ":now": nowMs, ":one": 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markChannelSent(key: string, channel: string): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression: "ADD sentTo :channel",
        ExpressionAttributeValues: { ":channel": new Set([channel]) },
      }),
    );
  }

  async markSent(key: string, nowMs: number, channels: readonly string[] = []): Promise<void> {
    this.recorded.delete(key);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        // From the due queue to the sent one of its transition.
        UpdateExpression: `SET sentAt = :now, expiresAt = :expires, #queue = :sent, #at = :now REMOVE pending, leaseUntil, lastError, retryAt${channels.length > 0 ? " ADD sentTo :channels" : ""}`,
        ExpressionAttributeNames: queueNames,
        ExpressionAttributeValues: {
          ":now": nowMs,
          ":expires": expiresAt(nowMs, KEEP_SENT_DAYS),
          ":sent": sentQueue(transitionOfKey(key)),
          ...(channels.length > 0 ? { ":channels": new Set(channels) } : {}),
        },
      }),
    );
  }

  async markFailed(
    key: string,
    error: string,
    retryAt?: number,
    channels: readonly string[] = [],
  ): Promise<void> {
    this.recorded.delete(key);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        // Due again at its retry time, or at once. Only the time: a message no longer
        // pending never goes back into the due queue.
        UpdateExpression: `SET lastError = :error, #at = :at${retryAt === undefined ? "" : ", retryAt = :retry"} REMOVE leaseUntil${channels.length > 0 ? " ADD sentTo :channels" : ""}`,
        ExpressionAttributeNames: { "#at": QUEUE_INDEX.sortKey },
        ExpressionAttributeValues: {
          ":error": error.slice(0, 500),
          ":at": retryAt ?? 0,
          ...(retryAt === undefined ? {} : { ":retry": retryAt }),
          ...(channels.length > 0 ? { ":channels": new Set(channels) } : {}),
        },
      }),
    );
  }

  async markDead(key: string, error: string, nowMs: number): Promise<void> {
    this.recorded.delete(key);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: { pk: PARTITION, sk: key },
        UpdateExpression:
          "SET deadAt = :now, lastError = :error, expiresAt = :expires REMOVE pending, leaseUntil, retryAt, #queue, #at",
        ExpressionAttributeNames: queueNames,
        ExpressionAttributeValues: {
          ":now": nowMs,
          ":error": error.slice(0, 500),
          ":expires": expiresAt(nowMs, KEEP_SENT_DAYS),
        },
      }),
    );
  }
}
