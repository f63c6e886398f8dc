/**
 * DynamoOutboxStore: a notification is recorded once per key, listed until it is sent,
 * and held by one sender at a time through a lease that runs out on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { incidentId } from "../../lambdas/domain/incident";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T02:00:00Z");
const LEASE_MS = 60_000;

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(): Promise<DynamoOutboxStore> {
  return new DynamoOutboxStore(await testTable.freshTable());
}

function message(
  service: string,
  startedAt: number,
  transition: "opened" | "resolved",
  createdAt: number,
  text = `${service} ${transition}`,
): OutboxMessage {
  const id = incidentId(service, startedAt);
  return {
    key: `${id}#${transition}`,
    incidentId: id,
    transition,
    service,
    serviceName: service,
    category: "telecom",
    summary: { subject: `${service} ${transition}`, text, sms: text.slice(0, 160) },
    createdAt,
  };
}

describe("DynamoOutboxStore.add", () => {
  it("records a message once: true the first time, false for the same key again", async () => {
    // Prepare
    const store = await freshStore();
    const first = message("t-mobile", T0, "opened", T0);
    const again = { ...first, createdAt: T0 + MINUTE_MS, summary: { ...first.summary, text: "x" } };

    // Act
    const added = await store.add(first);
    const addedAgain = await store.add(again);

    // Assess
    expect([added, addedAgain]).toEqual([true, false]);
    expect(await store.pending(10)).toEqual([first]);
  });

  it("records the opened and the resolved message of one incident separately", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const opened = await store.add(message("t-mobile", T0, "opened", T0));
    const resolved = await store.add(message("t-mobile", T0, "resolved", T0 + 60 * MINUTE_MS));

    // Assess
    expect([opened, resolved]).toEqual([true, true]);
    expect((await store.pending(10)).map((m) => m.transition)).toEqual(["opened", "resolved"]);
  });
});

describe("DynamoOutboxStore.pending", () => {
  it("lists unsent messages oldest first, at most `limit`", async () => {
    // Prepare: keys sort differently from creation times
    const store = await freshStore();
    const zain = message("zain", T0, "opened", T0 + 1 * MINUTE_MS);
    const att = message("att", T0, "opened", T0 + 3 * MINUTE_MS);
    const mobile = message("t-mobile", T0, "opened", T0 + 2 * MINUTE_MS);
    for (const m of [att, mobile, zain]) await store.add(m);

    // Act
    const all = await store.pending(10);
    const two = await store.pending(2);

    // Assess
    expect(all.map((m) => m.key)).toEqual([zain.key, mobile.key, att.key]);
    expect(two.map((m) => m.key)).toEqual([zain.key, mobile.key]);
  });

  it("is empty when nothing was recorded", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const pending = await store.pending(10);

    // Assess
    expect(pending).toEqual([]);
  });

  it("still lists the oldest first when the outbox holds more than one DynamoDB page (1 MB)", async () => {
    // Prepare: 600 messages with 2 KB timelines (~1.3 MB). Keys sort opposite to
    // creation, so the oldest messages sit on the last page of the partition.
    const store = await freshStore();
    const count = 600;
    const text = "reports peaked at more than 83,000 and had fallen to about 9,000. ".repeat(31);
    const messages = Array.from({ length: count }, (_, i) =>
      message(
        `svc-${String(i).padStart(3, "0")}`,
        T0,
        "opened",
        T0 + (count - i) * MINUTE_MS,
        text,
      ),
    );
    for (let i = 0; i < count; i += 50) {
      await Promise.all(messages.slice(i, i + 50).map((m) => store.add(m)));
    }

    // Act
    const oldest = await store.pending(5);

    // Assess
    const expected = [...messages].sort((a, b) => a.createdAt - b.createdAt).slice(0, 5);
    expect(oldest.map((m) => m.key)).toEqual(expected.map((m) => m.key));
  }, 20_000);
});

describe("DynamoOutboxStore.claim", () => {
  it("lets one sender hold a message while the lease lasts", async () => {
    // Prepare
    const store = await freshStore();
    const m = message("t-mobile", T0, "opened", T0);
    await store.add(m);

    // Act
    const first = await store.claim(m.key, T0, T0 + LEASE_MS);
    const second = await store.claim(m.key, T0 + 1000, T0 + 1000 + LEASE_MS);
    const atEnd = await store.claim(m.key, T0 + LEASE_MS - 1, T0 + 2 * LEASE_MS);

    // Assess
    expect([first, second, atEnd]).toEqual([true, false, false]);
  });

  it("lets exactly one of many concurrent senders win the claim", async () => {
    // Prepare
    const store = await freshStore();
    const m = message("t-mobile", T0, "opened", T0);
    await store.add(m);

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.claim(m.key, T0 + i, T0 + i + LEASE_MS)),
    );

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("lets another sender claim once the lease has run out (a crashed sender)", async () => {
    // Prepare
    const store = await freshStore();
    const m = message("t-mobile", T0, "opened", T0);
    await store.add(m);
    await store.claim(m.key, T0, T0 + LEASE_MS);

    // Act
    const afterExpiry = await store.claim(m.key, T0 + LEASE_MS + 1, T0 + 2 * LEASE_MS + 1);
    const whileNewLease = await store.claim(m.key, T0 + LEASE_MS + 2, T0 + 3 * LEASE_MS);

    // Assess
    expect(afterExpiry).toBe(true);
    expect(whileNewLease).toBe(false);
  });

  it("refuses a key that was never recorded", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const claimed = await store.claim("nobody-20230214T0200Z#opened", T0, T0 + LEASE_MS);

    // Assess
    expect(claimed).toBe(false);
  });
});

describe("DynamoOutboxStore.markSent and markFailed", () => {
  it("markSent takes the message off pending for good", async () => {
    // Prepare
    const store = await freshStore();
    const sent = message("t-mobile", T0, "opened", T0);
    const other = message("verizon", T0, "opened", T0 + MINUTE_MS);
    await store.add(sent);
    await store.add(other);
    await store.claim(sent.key, T0, T0 + LEASE_MS);

    // Act
    await store.markSent(sent.key, T0 + 1000);

    // Assess
    expect((await store.pending(10)).map((m) => m.key)).toEqual([other.key]);
    expect(await store.claim(sent.key, T0 + 10 * LEASE_MS, T0 + 11 * LEASE_MS)).toBe(false);
    expect(await store.add(sent)).toBe(false);
  });

  it("markFailed releases the lease so the message can be claimed again at once", async () => {
    // Prepare
    const store = await freshStore();
    const m = message("t-mobile", T0, "opened", T0);
    await store.add(m);
    await store.claim(m.key, T0, T0 + LEASE_MS);

    // Act
    await store.markFailed(m.key, "SNS: Throttling: Rate exceeded");
    const retried = await store.claim(m.key, T0 + 1000, T0 + 1000 + LEASE_MS);

    // Assess
    expect(retried).toBe(true);
    expect((await store.pending(10)).map((p) => p.key)).toEqual([m.key]);
  });

  it("markFailed keeps the message pending and accepts a very long error", async () => {
    // Prepare
    const store = await freshStore();
    const m = message("t-mobile", T0, "opened", T0);
    await store.add(m);
    await store.claim(m.key, T0, T0 + LEASE_MS);

    // Act
    await store.markFailed(m.key, "x".repeat(100_000));

    // Assess
    expect(await store.pending(10)).toEqual([m]);
  });
});
