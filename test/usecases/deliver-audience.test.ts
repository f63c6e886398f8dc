/**
 * Who each delivered message goes to, on dynalite: quiet hours keep opened and update
 * messages from a recipient, a resolved reaches everyone told of its incident (quiet or
 * not) and nobody else, a group joining one already sent is worded for each side, a retry
 * keeps the first audience, and a message nobody may have is recorded as sent to nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Recipient } from "../../lambdas/domain/audience";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { Notifier, OutboxMessage, OutgoingMessage } from "../../lambdas/domain/ports";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import {
  type Deliverer,
  deliverPending,
  retryDelayMs,
} from "../../lambdas/usecases/deliver-notifications";
import { startTestTable, type TestTable } from "../support/embedded-table";

const NY = "America/New_York";
const EVERY_DAY = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
/** 2024-06-01 21:00 in New York (EDT): before a 22:00-07:00 night. */
const EVENING = Date.parse("2024-06-02T01:00:00Z");

/** Records what it is asked to send, audience included; fails while `failures` > 0. */
class Channel implements Notifier {
  readonly sent: OutgoingMessage[] = [];
  failures = 0;
  constructor(readonly name = "sns") {}
  async send(message: OutgoingMessage): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error("injected failure");
    }
    this.sent.push(message);
  }
  /** `key → audience` of each message sent, in order. */
  get log(): string[] {
    return this.sent.map((m) => `${m.deliveryKey} → ${m.audience.join(",") || "nobody"}`);
  }
}

function recipient(id: string, extra: Partial<Recipient> = {}): Recipient {
  return { id, updates: false, quietHours: [], ...extra };
}

/** Quiet from `from` to `to` (local HH:MM) every day in New York. */
function quiet(from: string, to: string): Partial<Recipient> {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return {
    timeZone: NY,
    quietHours: [{ days: EVERY_DAY, from: minutes(from), to: minutes(to) }],
  };
}

function message(
  service: string,
  transition: "opened" | "resolved" | "update",
  createdAt: number,
  category = "carrier",
): OutboxMessage {
  const incidentId = `${service}-20240602T0040Z`;
  return {
    key: `${incidentId}#${transition === "update" ? "update-10x" : transition}`,
    incidentId,
    transition,
    service,
    serviceName: service.toUpperCase(),
    category,
    summary: {
      subject: `${service} ${transition}`,
      text: `text of ${service} ${transition}`,
      sms: `${service} ${transition}`,
    },
    createdAt,
  };
}

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function freshOutbox(): Promise<DynamoOutboxStore> {
  return new DynamoOutboxStore(await table.freshTable());
}

describe("audiences of delivered messages", () => {
  it("tells a resolution to whoever heard the opening, in quiet hours too, and to no one else", async () => {
    // Prepare: at 21:00 the night owl (quiet 22-07) is awake and the early sleeper (quiet
    // 20-23) is not; the resolution comes at 23:30, when it is the other way round
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [
        recipient("night-owl", quiet("22:00", "07:00")),
        recipient("early-sleeper", quiet("20:00", "23:00")),
        recipient("always"),
      ],
    };
    const resolvedAt = EVENING + 150 * MINUTE_MS;

    // Act
    await outbox.add(message("t-mobile", "opened", EVENING));
    await deliverPending(outbox, deliverer, EVENING);
    await outbox.add(message("t-mobile", "resolved", resolvedAt));
    await deliverPending(outbox, deliverer, resolvedAt);

    // Assess
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → always,night-owl",
      "t-mobile-20240602T0040Z#resolved → always,night-owl",
    ]);
    expect((await outbox.record("t-mobile-20240602T0040Z#resolved"))?.audience).toEqual([
      "always",
      "night-owl",
    ]);
  });

  it("gives an update only to the awake who asked, and then the resolution to them too", async () => {
    // Prepare: the keen sleeper (quiet until 07:00, updates on) misses the 06:00 opening
    // but hears the 08:00 update, so it is told the resolution as well
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [
        recipient("keen-sleeper", { updates: true, ...quiet("22:00", "07:00") }),
        recipient("plain"),
      ],
    };
    const six = Date.parse("2024-06-02T10:00:00Z");

    // Act
    await outbox.add(message("t-mobile", "opened", six));
    await deliverPending(outbox, deliverer, six);
    await outbox.add(message("t-mobile", "update", six + 120 * MINUTE_MS));
    await deliverPending(outbox, deliverer, six + 120 * MINUTE_MS);
    await outbox.add(message("t-mobile", "resolved", six + 240 * MINUTE_MS));
    await deliverPending(outbox, deliverer, six + 240 * MINUTE_MS);

    // Assess
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → plain",
      "t-mobile-20240602T0040Z#update-10x → keen-sleeper",
      "t-mobile-20240602T0040Z#resolved → keen-sleeper,plain",
    ]);
  });

  it("sends a group to everyone who wants one of its incidents, and each resolution to the group's audience", async () => {
    // Prepare: T-Mobile and Verizon open together; one person follows Verizon only, one
    // ISPs only
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      groupWindowMs: 60 * MINUTE_MS,
      recipients: [
        recipient("verizon-fan", { services: ["verizon"] }),
        recipient("isp-desk", { categories: ["isp"] }),
      ],
    };

    // Act
    await outbox.add(message("t-mobile", "opened", EVENING));
    await outbox.add(message("verizon", "opened", EVENING));
    await deliverPending(outbox, deliverer, EVENING);
    await outbox.add(message("t-mobile", "resolved", EVENING + 90 * MINUTE_MS));
    await deliverPending(outbox, deliverer, EVENING + 90 * MINUTE_MS);

    // Assess: the Verizon follower was told of the T-Mobile outage in the group, so hears
    // it end; the ISP desk hears nothing
    expect(channel.sent[0]?.summary.subject).toBe("T-MOBILE outage; VERIZON also elevated");
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → verizon-fan",
      "t-mobile-20240602T0040Z#resolved → verizon-fan",
    ]);
  });

  it("words a group joining one already sent as an update for those who had it, as news for the others", async () => {
    // Prepare: T-Mobile opens at 06:50, while the sleeper is quiet (until 07:00); Verizon
    // joins its group at 07:10
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      groupWindowMs: 60 * MINUTE_MS,
      recipients: [recipient("sleeper", quiet("22:00", "07:00")), recipient("awake")],
    };
    const early = Date.parse("2024-06-02T10:50:00Z");

    // Act
    await outbox.add(message("t-mobile", "opened", early));
    await deliverPending(outbox, deliverer, early);
    await outbox.add(message("verizon", "opened", early + 20 * MINUTE_MS));
    await deliverPending(outbox, deliverer, early + 20 * MINUTE_MS);
    await deliverPending(outbox, deliverer, early + 30 * MINUTE_MS);

    // Assess: two wordings, each sent once, each to its side
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → awake",
      "verizon-20240602T0040Z#opened → awake",
      "verizon-20240602T0040Z#opened/news → sleeper",
    ]);
    expect(channel.sent.map((m) => m.summary.subject)).toEqual([
      "t-mobile opened",
      "VERIZON also elevated, with the T-MOBILE outage",
      "verizon opened",
    ]);
    expect((await outbox.record("verizon-20240602T0040Z#opened"))?.audience).toEqual([
      "awake",
      "sleeper",
    ]);
  });

  it("retries a group's failed wording as first planned, long after the group window", async () => {
    // Prepare: a 5-minute window; the news wording fails once, and its retry comes 15
    // minutes later, when regrouping would no longer find the T-Mobile message
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      groupWindowMs: 5 * MINUTE_MS,
      recipients: [recipient("all"), recipient("vz", { services: ["verizon"] })],
    };
    const start = Date.parse("2024-06-02T14:00:00Z");
    await outbox.add(message("t-mobile", "opened", start));
    await deliverPending(outbox, deliverer, start);
    await outbox.add(message("verizon", "opened", start + 2 * MINUTE_MS));
    const failing = new Channel("sns");
    failing.send = async (m) => {
      if (m.deliveryKey.endsWith("/news") && failing.failures++ === 0) throw new Error("injected");
      channel.sent.push(m);
    };
    const flaky: Deliverer = { ...deliverer, notifiers: [failing] };

    // Act
    await deliverPending(outbox, flaky, start + 2 * MINUTE_MS);
    await deliverPending(outbox, flaky, start + 17 * MINUTE_MS);

    // Assess: the follower of Verizon alone hears of it once; nobody hears anything twice
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → all",
      "verizon-20240602T0040Z#opened → all",
      "verizon-20240602T0040Z#opened/news → vz",
    ]);
    expect((await outbox.record("verizon-20240602T0040Z#opened"))?.state).toBe("sent");
  });

  it("sends two updates recorded in one step, then the resolution, without either waiting forever", async () => {
    // Prepare: the peak jumped past 3x and 10x in one bucket: two updates, same time
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [recipient("all", { updates: true })],
    };
    await outbox.add(message("t-mobile", "opened", EVENING));
    await deliverPending(outbox, deliverer, EVENING);
    const jump = EVENING + 10 * MINUTE_MS;
    for (const multiple of ["3x", "10x"]) {
      const update = message("t-mobile", "update", jump);
      await outbox.add({ ...update, key: `${update.incidentId}#update-${multiple}` });
    }
    await outbox.add(message("t-mobile", "resolved", jump + 60 * MINUTE_MS));

    // Act
    for (let minute = 10; minute <= 75; minute += 1) {
      await deliverPending(outbox, deliverer, EVENING + minute * MINUTE_MS);
    }

    // Assess
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → all",
      "t-mobile-20240602T0040Z#update-10x → all",
      "t-mobile-20240602T0040Z#update-3x → all",
      "t-mobile-20240602T0040Z#resolved → all",
    ]);
  });

  it("tells the end of an incident to nobody whose opening never went out", async () => {
    // Prepare: the opening fails every round and goes to the dead-letter queue
    const outbox = await freshOutbox();
    const channel = new Channel();
    channel.failures = 100;
    const dead: OutboxMessage[] = [];
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [recipient("all")],
      deadLetters: { send: async (m) => void dead.push(m) },
    };
    await outbox.add(message("t-mobile", "opened", EVENING));
    let now = EVENING;
    for (let attempt = 1; dead.length === 0 && attempt <= 10; attempt++) {
      await deliverPending(outbox, deliverer, now);
      now += retryDelayMs(attempt);
    }
    channel.failures = 0;

    // Act
    await outbox.add(message("t-mobile", "resolved", now));
    await deliverPending(outbox, deliverer, now);

    // Assess
    expect(dead).toHaveLength(1);
    expect(channel.log).toEqual(["t-mobile-20240602T0040Z#resolved → nobody"]);
  });

  it("keeps the first attempt's audience when a retry comes after quiet hours began", async () => {
    // Prepare: the first try at 21:59 fails; the retry is at 22:00, when the owl is quiet
    const outbox = await freshOutbox();
    const channel = new Channel();
    channel.failures = 1;
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [recipient("night-owl", quiet("22:00", "07:00"))],
    };
    const beforeTen = EVENING + 59 * MINUTE_MS;

    // Act
    await outbox.add(message("t-mobile", "opened", beforeTen));
    const first = await deliverPending(outbox, deliverer, beforeTen);
    const retry = await deliverPending(outbox, deliverer, beforeTen + retryDelayMs(1));

    // Assess
    expect(first.failed).toHaveLength(1);
    expect(retry.sent).toEqual(["t-mobile-20240602T0040Z#opened"]);
    expect(channel.log).toEqual(["t-mobile-20240602T0040Z#opened → night-owl"]);
  });

  it("holds a resolution back while its opening waits for a retry, then sends both in order", async () => {
    // Prepare
    const outbox = await freshOutbox();
    const channel = new Channel();
    channel.failures = 1;
    const deliverer: Deliverer = { notifiers: [channel], recipients: [recipient("always")] };

    // Act: the opening fails; its resolution is recorded before the opening's retry
    await outbox.add(message("t-mobile", "opened", EVENING));
    await deliverPending(outbox, deliverer, EVENING);
    await outbox.add(message("t-mobile", "resolved", EVENING + 30_000));
    const waiting = await deliverPending(outbox, deliverer, EVENING + 30_000);
    const retried = await deliverPending(outbox, deliverer, EVENING + retryDelayMs(1));

    // Assess
    expect(waiting).toEqual({ sent: [], failed: [], dead: [], heldBack: [] });
    expect(retried.sent).toEqual([
      "t-mobile-20240602T0040Z#opened",
      "t-mobile-20240602T0040Z#resolved",
    ]);
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → always",
      "t-mobile-20240602T0040Z#resolved → always",
    ]);
  });

  it("tells everyone who wants it the end of an incident whose opening has no recorded audience", async () => {
    // Prepare: an opening sent before audiences were recorded (as by an earlier version)
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [
        recipient("sleeper", quiet("22:00", "07:00")),
        recipient("isp-desk", { categories: ["isp"] }),
      ],
    };
    await outbox.add(message("t-mobile", "opened", EVENING));
    await outbox.markSent("t-mobile-20240602T0040Z#opened", EVENING);
    const midnight = EVENING + 180 * MINUTE_MS;

    // Act
    await outbox.add(message("t-mobile", "resolved", midnight));
    await deliverPending(outbox, deliverer, midnight);

    // Assess: it reached every carrier follower then, so the sleeper hears it end now
    expect(channel.log).toEqual(["t-mobile-20240602T0040Z#resolved → sleeper"]);
  });

  it("records a message nobody may have as sent to nobody, and its resolution likewise", async () => {
    // Prepare: the only recipient is quiet when the incident opens
    const outbox = await freshOutbox();
    const channel = new Channel();
    const deliverer: Deliverer = {
      notifiers: [channel],
      recipients: [recipient("sleeper", quiet("20:00", "23:00"))],
    };

    // Act
    await outbox.add(message("t-mobile", "opened", EVENING));
    const opened = await deliverPending(outbox, deliverer, EVENING);
    await outbox.add(message("t-mobile", "resolved", EVENING + 180 * MINUTE_MS));
    const resolved = await deliverPending(outbox, deliverer, EVENING + 180 * MINUTE_MS);

    // Assess: nothing lost (both are sent, to nobody) and nothing pending
    expect(opened.sent).toEqual(["t-mobile-20240602T0040Z#opened"]);
    expect(resolved.sent).toEqual(["t-mobile-20240602T0040Z#resolved"]);
    expect(channel.log).toEqual([
      "t-mobile-20240602T0040Z#opened → nobody",
      "t-mobile-20240602T0040Z#resolved → nobody",
    ]);
    expect(await outbox.pending(10)).toEqual([]);
    expect(await outbox.record("t-mobile-20240602T0040Z#opened")).toMatchObject({
      state: "sent",
      audience: [],
    });
  });
});
