/**
 * Delivering the outbox on dynalite: each channel gets each message once, a failing
 * channel is retried alone after a back-off, and a message that keeps failing goes to
 * the dead-letter queue without holding up the others.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { DeadLetterQueue, OutboxMessage } from "../../lambdas/domain/ports";
import {
  deliverPending,
  MAX_ATTEMPTS,
  retryDelayMs,
} from "../../lambdas/usecases/deliver-notifications";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { RecordingNotifier } from "./pipeline-fixture";

const config = parseConfig({
  services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
});
const T0 = Date.parse("2024-02-01T10:00:00Z");

function message(incident: string, createdAt = T0): OutboxMessage {
  return {
    key: `${incident}#opened`,
    incidentId: incident,
    transition: "opened",
    service: "t-mobile",
    serviceName: "T-Mobile",
    category: "carrier",
    summary: { subject: `subject ${incident}`, text: "text", sms: "sms" },
    createdAt,
  };
}

class RecordingDeadLetters implements DeadLetterQueue {
  readonly received: { key: string; error: string }[] = [];
  async send(m: OutboxMessage, error: string) {
    this.received.push({ key: m.key, error });
  }
}

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function outbox() {
  const { tableName } = await table.freshTable();
  return buildDependencies({
    config,
    tableName,
    endpoint: table.store.endpoint,
    notifiers: () => [],
    salt: async () => "salt",
    now: () => T0,
  }).detect.outbox;
}

describe("retryDelayMs", () => {
  it("waits 1, 2, 4, 8, then 16 minutes, and never longer", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((attempts) => retryDelayMs(attempts) / 60_000)).toEqual([
      1, 2, 4, 8, 16, 16, 16,
    ]);
    expect(MAX_ATTEMPTS).toBe(6);
  });
});

describe("deliverPending", () => {
  it("retries only the channel that failed, after the back-off", async () => {
    // Prepare
    const store = await outbox();
    await store.add(message("t-mobile-20240201T1000Z"));
    const email = new RecordingNotifier("email");
    const webhook = new RecordingNotifier("webhook");
    webhook.failures = 1;
    const deliverer = { notifiers: [email, webhook] };

    // Act
    const first = await deliverPending(store, deliverer, T0);
    // The documented back-off: the first retry one minute after the failure.
    const tooSoon = await deliverPending(store, deliverer, T0 + 60_000 - 1);
    const retried = await deliverPending(store, deliverer, T0 + 60_000);

    // Assess
    expect(first.failed.map((f) => f.error)).toEqual(["webhook: injected delivery failure"]);
    expect(tooSoon).toEqual({ sent: [], failed: [], dead: [], heldBack: [] });
    expect(retried.sent).toEqual(["t-mobile-20240201T1000Z#opened"]);
    expect(email.sent).toHaveLength(1);
    expect(webhook.sent).toHaveLength(1);
    expect(await store.pending(10)).toEqual([]);
  });

  it("sends a message that keeps failing to the dead-letter queue, and others still go", async () => {
    // Prepare: one message whose channel always fails, then one that works
    const store = await outbox();
    await store.add(message("t-mobile-20240201T1000Z", T0));
    const failing = new RecordingNotifier("sms");
    failing.failures = 1_000;
    const deadLetters = new RecordingDeadLetters();

    // Act: six rounds, each when the documented back-off (1, 2, 4, 8, 16 minutes) has passed
    let now = T0;
    const rounds = [];
    for (const waitMinutes of [1, 2, 4, 8, 16, 16]) {
      rounds.push(await deliverPending(store, { notifiers: [failing], deadLetters }, now));
      now += waitMinutes * 60_000;
    }
    await store.add(message("t-mobile-20240201T1100Z", now));
    const healthy = new RecordingNotifier("sms");
    const after = await deliverPending(store, { notifiers: [healthy], deadLetters }, now);

    // Assess
    expect(rounds.slice(0, -1).every((r) => r.failed.length === 1)).toBe(true);
    expect(rounds.at(-1)?.dead).toEqual(["t-mobile-20240201T1000Z#opened"]);
    expect(deadLetters.received).toEqual([
      { key: "t-mobile-20240201T1000Z#opened", error: "sms: injected delivery failure" },
    ]);
    expect(after.sent).toEqual(["t-mobile-20240201T1100Z#opened"]);
    expect(healthy.sent.map((m) => m.key)).toEqual(["t-mobile-20240201T1100Z#opened"]);
  });

  it("does not let failing messages hold up newer ones while they wait", async () => {
    // Prepare: 30 messages fail once; a 31st, newer, arrives
    const store = await outbox();
    for (let i = 0; i < 30; i++) await store.add(message(`svc${i}-20240201T1000Z`, T0 + i));
    const flaky = new RecordingNotifier("sns");
    flaky.failures = 1_000;
    await deliverPending(store, { notifiers: [flaky] }, T0 + MINUTE_MS);
    await deliverPending(store, { notifiers: [flaky] }, T0 + MINUTE_MS);
    await store.add(message("new-20240201T1001Z", T0 + 90_000));
    flaky.failures = 0;

    // Act: before the failed ones are due again (a minute after their failure)
    const round = await deliverPending(store, { notifiers: [flaky] }, T0 + 90_000);

    // Assess
    expect(round.sent).toEqual(["new-20240201T1001Z#opened"]);
  });

  it("holds back an incident opened in maintenance, and its resolution with it", async () => {
    // Prepare: a window from 10:00 to 11:00; one incident opens inside it, one before
    const store = await outbox();
    const inWindow = (m: OutboxMessage) => m.createdAt >= T0 && m.createdAt < T0 + 60 * MINUTE_MS;
    const channel = new RecordingNotifier("email");
    const deliverer = { notifiers: [channel], heldBack: inWindow };
    const resolvedOf = (incident: string, createdAt: number): OutboxMessage => ({
      ...message(incident, createdAt),
      key: `${incident}#resolved`,
      transition: "resolved",
    });
    await store.add(message("t-mobile-20240201T0950Z", T0 - 10 * MINUTE_MS));
    await store.add(message("t-mobile-20240201T1010Z", T0 + 10 * MINUTE_MS));

    // Act: both resolve inside the window
    await deliverPending(store, deliverer, T0 + 15 * MINUTE_MS);
    await store.add(resolvedOf("t-mobile-20240201T0950Z", T0 + 30 * MINUTE_MS));
    await store.add(resolvedOf("t-mobile-20240201T1010Z", T0 + 40 * MINUTE_MS));
    const later = await deliverPending(store, deliverer, T0 + 45 * MINUTE_MS);

    // Assess: the one opened before the window is told, opened and resolved; the other never
    expect(channel.sent.map((m) => m.key)).toEqual([
      "t-mobile-20240201T0950Z#opened",
      "t-mobile-20240201T0950Z#resolved",
    ]);
    expect(later.heldBack).toEqual(["t-mobile-20240201T1010Z#resolved"]);
    expect(await store.pending(10)).toEqual([]);
  });
});
