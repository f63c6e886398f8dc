/**
 * Reminders and held messages, delivered on dynalite: a reminder reaches exactly those
 * told of its incident, grouped per category and under the SMS cap, and never after the
 * resolution; a recipient in quiet hours at an opening gets one digest when their quiet
 * hours end, or, when the incident resolved first, nothing but a record saying so; an
 * opening held by maintenance reaches its audience as a digest at the window's end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Recipient } from "../../lambdas/domain/audience";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { Notifier, OutboxMessage, OutgoingMessage } from "../../lambdas/domain/ports";
import { reminderKey } from "../../lambdas/domain/reminders";
import { reminderSummary } from "../../lambdas/domain/wording/reminder-summary";
import { DynamoHeldStore } from "../../lambdas/store/held-store";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { DynamoSmsCapStore } from "../../lambdas/store/sms-cap-store";
import { type Deliverer, deliverPending } from "../../lambdas/usecases/deliver-notifications";
import { startTestTable, type TestTable } from "../support/embedded-table";

const NY = "America/New_York";
const EVERY_DAY = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
/** 2024-06-02 02:10 in New York (EDT), inside a 22:00-07:00 night. */
const NIGHT = Date.parse("2024-06-02T06:10:00Z");
/** 07:05 the same morning, once the night is over. */
const MORNING = Date.parse("2024-06-02T11:05:00Z");

class Channel implements Notifier {
  readonly sent: OutgoingMessage[] = [];
  readonly name = "sns";
  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
  }
  get log(): string[] {
    return this.sent.map((m) => `${m.deliveryKey} → ${m.audience.join(",") || "nobody"}`);
  }
}

function recipient(id: string, extra: Partial<Recipient> = {}): Recipient {
  return { id, updates: false, quietHours: [], ...extra };
}
const sleeper = recipient("sleeper", {
  timeZone: NY,
  quietHours: [{ days: EVERY_DAY, from: 22 * 60, to: 7 * 60 }],
});

function message(
  service: string,
  transition: "opened" | "resolved",
  createdAt: number,
): OutboxMessage {
  const incidentId = `${service}-20240602T0610Z`;
  return {
    key: `${incidentId}#${transition}`,
    incidentId,
    transition,
    service,
    serviceName: service.toUpperCase(),
    category: "carrier",
    summary: { subject: `${service} ${transition}`, text: `${service}`, sms: `${service}` },
    createdAt,
  };
}

function reminder(service: string, n: number, at: number): OutboxMessage {
  const incidentId = `${service}-20240602T0610Z`;
  const facts = { n, openedAt: NIGHT, count: 2_130, at, timeZone: NY };
  return {
    key: reminderKey(incidentId, n),
    incidentId,
    transition: "update",
    service,
    serviceName: service.toUpperCase(),
    category: "carrier",
    summary: reminderSummary(service.toUpperCase(), facts),
    createdAt: at,
    reminder: facts,
  };
}

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function setUp(recipients: Recipient[], extra: Partial<Deliverer> = {}) {
  const ref = await table.freshTable();
  const outbox = new DynamoOutboxStore(ref);
  const held = new DynamoHeldStore(ref);
  const channel = new Channel();
  const deliverer: Deliverer = {
    notifiers: [channel],
    recipients,
    groupWindowMs: 60 * MINUTE_MS,
    holding: { store: held, timeZoneOf: () => NY },
    ...extra,
  };
  return { ref, outbox, held, channel, deliverer };
}

describe("reminders", () => {
  it("reach exactly those told of the incident, as one message per category, never after the resolution", async () => {
    // Prepare: two carriers open at 11:00; "late" joins the configuration afterwards
    const day = Date.parse("2024-06-02T15:00:00Z");
    const { outbox, channel, deliverer } = await setUp([recipient("a"), recipient("b")]);
    await outbox.add(message("t-mobile", "opened", day));
    await outbox.add(message("verizon", "opened", day));
    await deliverPending(outbox, deliverer, day);
    const later = day + 240 * MINUTE_MS;
    const withLate = {
      ...deliverer,
      recipients: [recipient("a"), recipient("b"), recipient("late")],
    };

    // Act: both reminders due in one round, then a resolution overtakes the next
    await outbox.add(reminder("t-mobile", 1, later));
    await outbox.add(reminder("verizon", 1, later));
    await deliverPending(outbox, withLate, later);
    await outbox.add(message("t-mobile", "resolved", later + 60 * MINUTE_MS));
    await outbox.add(reminder("t-mobile", 2, later + 60 * MINUTE_MS));
    const last = await deliverPending(outbox, withLate, later + 60 * MINUTE_MS);

    // Assess
    const reminders = channel.sent.filter((m) => m.key.includes("#reminder-"));
    expect(reminders.map((m) => [m.summary.subject, m.audience])).toEqual([
      ["Still elevated: T-MOBILE and VERIZON", ["a", "b"]],
    ]);
    expect(last.heldBack).toEqual(["t-mobile-20240602T0610Z#reminder-2"]);
    expect(channel.log.at(-1)).toBe("t-mobile-20240602T0610Z#resolved → a,b");
  });

  it("are capped like other texts", async () => {
    // Prepare: an SMS subscriber told of the opening a minute ago, capped for an hour
    const { ref, outbox, channel, deliverer } = await setUp([recipient("phone", { sms: "+1555" })]);
    const capped = {
      ...deliverer,
      smsCap: { store: new DynamoSmsCapStore(ref), capMs: 60 * MINUTE_MS },
    };
    const day = Date.parse("2024-06-02T15:00:00Z");
    await outbox.add(message("t-mobile", "opened", day));
    await deliverPending(outbox, capped, day);

    // Act
    await outbox.add(reminder("t-mobile", 1, day + MINUTE_MS));
    await deliverPending(outbox, capped, day + MINUTE_MS);

    // Assess: the phone was told of the opening, yet the reminder is kept back for it
    const sms = channel.sent.filter((m) => m.key.includes("#reminder-"));
    expect(sms.flatMap((m) => m.audience)).toEqual([]);
  });
});

describe("messages held by quiet hours", () => {
  it("go as one digest when the recipient's quiet hours end, the incident still open", async () => {
    // Prepare: two openings at 02:10, the sleeper in quiet hours, "awake" not
    const { outbox, held, channel, deliverer } = await setUp([sleeper, recipient("awake")]);
    await outbox.add(message("t-mobile", "opened", NIGHT));
    await outbox.add(message("verizon", "opened", NIGHT + 20 * MINUTE_MS));
    await deliverPending(outbox, deliverer, NIGHT);
    await deliverPending(outbox, deliverer, NIGHT + 20 * MINUTE_MS);

    // Act: a round at 06:55 (still quiet), then at 07:05, then one more
    await deliverPending(outbox, deliverer, MORNING - 10 * MINUTE_MS);
    const morning = await deliverPending(outbox, deliverer, MORNING);
    await deliverPending(outbox, deliverer, MORNING + MINUTE_MS);

    // Assess: one digest, to the sleeper alone; nothing left held; the resolution now reaches them
    const digests = channel.sent.filter((m) => m.key.endsWith("#digest"));
    expect(digests.map((m) => m.audience)).toEqual([["sleeper"]]);
    expect(digests[0]?.summary.subject).toBe(
      "While you were away: T-MOBILE and VERIZON outages, still elevated",
    );
    expect(morning.digests).toHaveLength(1);
    expect(await held.list(10)).toEqual([]);
    await outbox.add(message("t-mobile", "resolved", MORNING + 30 * MINUTE_MS));
    await deliverPending(outbox, deliverer, MORNING + 30 * MINUTE_MS);
    expect(channel.log.at(-1)).toBe("t-mobile-20240602T0610Z#resolved → awake,sleeper");
  });

  it("are dropped with a record when the incident resolved before the quiet hours ended", async () => {
    // Prepare
    const { outbox, held, channel, deliverer } = await setUp([sleeper, recipient("awake")]);
    await outbox.add(message("t-mobile", "opened", NIGHT));
    await deliverPending(outbox, deliverer, NIGHT);
    await outbox.add(message("t-mobile", "resolved", NIGHT + 90 * MINUTE_MS));
    await deliverPending(outbox, deliverer, NIGHT + 90 * MINUTE_MS);

    // Act
    await deliverPending(outbox, deliverer, MORNING);

    // Assess: no digest; the incident's records say what was held and why
    expect(channel.sent.filter((m) => m.audience.includes("sleeper"))).toEqual([]);
    const note = (await outbox.incidentRecords("t-mobile-20240602T0610Z")).find((r) =>
      r.message.key.includes("#held-"),
    );
    expect(note?.state).toBe("suppressed");
    expect(note?.message.summary.subject).toBe(
      "Held for quiet hours of sleeper; not sent: resolved before the window ended at 7:05 a.m. ET",
    );
    expect(await held.list(10)).toEqual([]);
  });
});

describe("openings held by maintenance", () => {
  it("reach the audience they would have had as a digest when the window ends", async () => {
    // Prepare: maintenance until 03:00 UTC; the opening at 02:10
    const windowEnd = Date.parse("2024-06-02T07:00:00Z");
    const { outbox, channel, deliverer } = await setUp([recipient("a"), recipient("b")], {
      heldBack: (m) => m.service === "t-mobile" && m.createdAt < windowEnd,
    });
    await outbox.add(message("t-mobile", "opened", NIGHT));
    const during = await deliverPending(outbox, deliverer, NIGHT);

    // Act
    await deliverPending(outbox, deliverer, windowEnd - MINUTE_MS);
    await deliverPending(outbox, deliverer, windowEnd);
    await outbox.add(message("t-mobile", "resolved", windowEnd + 30 * MINUTE_MS));
    await deliverPending(outbox, deliverer, windowEnd + 30 * MINUTE_MS);

    // Assess
    expect(during.heldBack).toEqual(["t-mobile-20240602T0610Z#opened"]);
    expect(channel.log).toEqual([
      `held#maintenance#t-mobile#${NIGHT}#digest → a,b`,
      "t-mobile-20240602T0610Z#resolved → a,b",
    ]);
  });
});
