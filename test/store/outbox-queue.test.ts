/**
 * The outbox's sparse queue index, on dynalite: a round reads what is due and the recent
 * openings, never the history; a leased or waiting message stays out of the due queue
 * until its time; and items written before the index (an upgraded table) are still found,
 * after one read of the partition that a marker keeps from happening again.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { incidentId } from "../../lambdas/domain/incident";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { createDocumentClient, type TableRef } from "../../lambdas/store/client";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { deliverPending } from "../../lambdas/usecases/deliver-notifications";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { RecordingNotifier } from "../usecases/pipeline-fixture";

const T0 = Date.parse("2024-03-01T12:00:00Z");

let testTable: TestTable;
beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => testTable?.close());

/** What the store asked DynamoDB: each call by command, and the items each query read. */
interface Reads {
  calls: string[];
  /** Items DynamoDB read for each Query (`ScannedCount`: what a query is billed for). */
  scanned: number[];
  reset(): void;
}

/** A fresh table and a store on a client that counts its calls. */
async function countingStore(
  ref?: TableRef,
): Promise<{ store: DynamoOutboxStore; reads: Reads; ref: TableRef }> {
  const table = ref ?? (await testTable.freshTable());
  const client = createDocumentClient({ endpoint: testTable.store.endpoint });
  const reads: Reads = {
    calls: [],
    scanned: [],
    reset() {
      this.calls.length = 0;
      this.scanned.length = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      reads.calls.push(context.commandName ?? "?");
      const output = result.output as { ScannedCount?: number };
      if (context.commandName === "QueryCommand") reads.scanned.push(output.ScannedCount ?? 0);
      return result;
    },
    { step: "initialize", name: "countCalls" },
  );
  return {
    store: new DynamoOutboxStore({ client, tableName: table.tableName }),
    reads,
    ref: table,
  };
}

function message(service: string, createdAt: number, transition = "opened"): OutboxMessage {
  const id = incidentId(service, createdAt);
  return {
    key: `${id}#${transition}`,
    incidentId: id,
    transition: transition as OutboxMessage["transition"],
    service,
    serviceName: service,
    category: "carrier",
    summary: {
      subject: `${service} ${transition}`,
      text: `${service} text`,
      sms: `${service} sms`,
    },
    createdAt,
  };
}

describe("the outbox's due queue", () => {
  it("reads only the due messages, however many were sent before", async () => {
    // Prepare: 600 messages sent over the past days, then 5 new ones
    const { store, reads } = await countingStore();
    const history = Array.from({ length: 600 }, (_, i) =>
      message(`old-${i}`, T0 - 3 * 86_400_000 + i * MINUTE_MS),
    );
    for (let i = 0; i < history.length; i += 50) {
      await Promise.all(history.slice(i, i + 50).map((m) => store.add(m)));
    }
    await store.due(T0, 1_000);
    for (let i = 0; i < history.length; i += 50) {
      await Promise.all(history.slice(i, i + 50).map((m) => store.markSent(m.key, T0 - MINUTE_MS)));
    }
    const fresh = Array.from({ length: 5 }, (_, i) => message(`new-${i}`, T0 + i));
    for (const m of fresh) await store.add(m);
    reads.reset();

    // Act
    const due = await store.due(T0 + MINUTE_MS, 1_000);
    const pending = await store.pending(100);

    // Assess: one query each, reading the five pending items and nothing of the history
    expect(due.map((e) => e.message.key)).toEqual(fresh.map((m) => m.key));
    expect(pending.map((m) => m.key)).toEqual(fresh.map((m) => m.key));
    expect(reads.calls).toEqual(["QueryCommand", "QueryCommand"]);
    expect(reads.scanned).toEqual([5, 5]);
  }, 30_000);

  it("reads the openings sent within the window asked, not the older ones", async () => {
    // Prepare: 200 openings sent over the past day, 3 in the last ten minutes
    const { store, reads } = await countingStore();
    const sent = Array.from({ length: 200 }, (_, i) => message(`svc-${i}`, T0 - 200 + i));
    for (const m of sent) await store.add(m);
    await Promise.all(
      sent.map((m, i) =>
        store.markSent(m.key, i >= 197 ? T0 - (200 - i) * MINUTE_MS : T0 - 86_400_000 + i),
      ),
    );
    await store.pending(0);
    reads.reset();

    // Act
    const recent = await store.sentSince("opened", T0 - 10 * MINUTE_MS);

    // Assess
    expect(recent.map((m) => m.service).sort()).toEqual(["svc-197", "svc-198", "svc-199"]);
    expect(reads.scanned).toEqual([3]);
  });

  it("keeps a leased message out until its lease ends, and a failed one until its retry time", async () => {
    // Prepare
    const { store } = await countingStore();
    const leased = message("leased", T0);
    const failed = message("failed", T0);
    const held = message("held", T0);
    for (const m of [leased, failed, held]) await store.add(m);
    await store.claim(leased.key, T0, T0 + MINUTE_MS);
    await store.claim(failed.key, T0, T0 + MINUTE_MS);
    await store.markFailed(failed.key, "boom", T0 + 5 * MINUTE_MS);
    await store.markSuppressed(held.key, T0);

    // Act
    const keys = async (at: number) => (await store.due(at, 10)).map((e) => e.message.service);

    // Assess
    expect(await keys(T0 + 1)).toEqual([]);
    expect(await keys(T0 + MINUTE_MS)).toEqual(["leased"]);
    expect(await keys(T0 + 5 * MINUTE_MS)).toEqual(["failed", "leased"]);
    expect((await store.pending(10)).map((m) => m.service).sort()).toEqual(["failed", "leased"]);
  });

  it("stops at `limit`, the earliest due first", async () => {
    // Prepare
    const { store, reads } = await countingStore();
    for (let i = 0; i < 40; i++) await store.add(message(`svc-${i}`, T0 + i));
    await store.due(T0 - 1, 1);
    reads.reset();

    // Act
    const due = await store.due(T0 + MINUTE_MS, 25);

    // Assess
    expect(due).toHaveLength(25);
    expect(due[0]?.message.service).toBe("svc-0");
    expect(reads.scanned).toEqual([25]);
  });
});

describe("items written before the queue index", () => {
  /** An item as the release before the index wrote it. */
  async function putOld(ref: TableRef, item: Record<string, unknown>) {
    await testTable.client.send(
      new PutCommand({ TableName: ref.tableName, Item: { pk: "OUTBOX", attempts: 0, ...item } }),
    );
  }

  it("are given their queue keys on the first read, once for the table", async () => {
    // Prepare: an old pending opening, an old one waiting for its retry, an old sent one
    const ref = await testTable.freshTable();
    const waiting = message("att", T0 - 5 * MINUTE_MS);
    const pendingOne = message("verizon", T0 - 2 * MINUTE_MS);
    const sentOne = message("t-mobile", T0 - 10 * MINUTE_MS);
    await putOld(ref, { sk: pendingOne.key, message: pendingOne, pending: 1 });
    await putOld(ref, {
      sk: waiting.key,
      message: waiting,
      pending: 1,
      attempts: 1,
      retryAt: T0 + 3 * MINUTE_MS,
    });
    await putOld(ref, {
      sk: sentOne.key,
      message: sentOne,
      attempts: 1,
      sentAt: T0 - 9 * MINUTE_MS,
    });
    const first = await countingStore(ref);

    // Act
    const due = await first.store.due(T0, 10);
    const later = await first.store.due(T0 + 3 * MINUTE_MS, 10);
    const sent = await first.store.sentSince("opened", T0 - 60 * MINUTE_MS);
    const second = await countingStore(ref);
    await second.store.due(T0, 10);

    // Assess: found as they were; the partition read once, by the first store only
    expect(due.map((e) => e.message.service)).toEqual(["verizon"]);
    expect(later.map((e) => [e.message.service, e.attempts])).toEqual([
      ["att", 1],
      ["verizon", 0],
    ]);
    expect(sent.map((m) => m.service)).toEqual(["t-mobile"]);
    expect(first.reads.calls.slice(0, 2)).toEqual(["GetItemCommand", "QueryCommand"]);
    expect(second.reads.calls).toEqual(["GetItemCommand", "QueryCommand"]);
    expect(second.reads.scanned).toEqual([1]);
  });

  it("are delivered: an opening pending before the upgrade goes out, and is sent", async () => {
    // Prepare
    const ref = await testTable.freshTable();
    const old = message("t-mobile", T0 - MINUTE_MS);
    await putOld(ref, { sk: old.key, message: old, pending: 1 });
    const store = new DynamoOutboxStore(ref);
    const channel = new RecordingNotifier("sns");

    // Act
    const round = await deliverPending(store, { notifiers: [channel] }, T0);

    // Assess
    expect(round.sent).toEqual([old.key]);
    expect(channel.sent.map((m) => m.key)).toEqual([old.key]);
    expect((await store.record(old.key))?.state).toBe("sent");
    expect(await store.pending(10)).toEqual([]);
  });
});
