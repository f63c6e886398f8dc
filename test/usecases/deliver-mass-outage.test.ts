/**
 * A mass outage on dynalite, published through the real SnsNotifier to an SNS client
 * mocked at the SDK boundary: a thousand services opening at once are all told within
 * five ticks in a handful of messages that fit SNS and SMS, their resolutions go out
 * grouped the same way, and a round out of time stops claiming and leaves the rest,
 * whole, to the next round.
 */
import type { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Recipient } from "../../lambdas/domain/audience";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { gsm7Length } from "../../lambdas/domain/wording/gsm7";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { type Deliverer, deliverPending } from "../../lambdas/usecases/deliver-notifications";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2024-06-03T02:05:00Z");
const SERVICES = 1_000;

/** What SNS was asked to publish. */
interface Published {
  subject: string;
  sms: string;
  email: string;
  audience: string[];
  transition: string;
  bytes: number;
}

/** An SNS client that records each Publish, as the SDK would send it. */
function recordingSns(): { client: SNSClient; published: Published[] } {
  const published: Published[] = [];
  const client = {
    async send(command: PublishCommand) {
      const input = command.input;
      const body = JSON.parse(input.Message ?? "{}") as Record<string, string>;
      const attributes = input.MessageAttributes ?? {};
      published.push({
        subject: input.Subject ?? "",
        sms: body.sms ?? "",
        email: body.email ?? "",
        audience: JSON.parse(attributes.audience?.StringValue ?? "[]"),
        transition: attributes.transition?.StringValue ?? "",
        bytes: Buffer.byteLength(JSON.stringify(input)),
      });
      return { MessageId: String(published.length) };
    },
  } as unknown as SNSClient;
  return { client, published };
}

function message(i: number, transition: "opened" | "resolved", createdAt: number): OutboxMessage {
  const service = i === 0 ? "t-mobile" : i === 1 ? "verizon" : `carrier-${i}`;
  const name = i === 0 ? "T-Mobile" : i === 1 ? "Verizon" : `Carrier ${i}`;
  // T-Mobile started first, then Verizon: they lead the group.
  const incidentId = `${service}-20240603T${i === 0 ? "0150" : i === 1 ? "0155" : "0200"}Z`;
  return {
    key: `${incidentId}#${transition}`,
    incidentId,
    transition,
    service,
    serviceName: name,
    category: "carrier",
    summary: {
      subject:
        transition === "opened"
          ? `${name} outage: more than 640 reports`
          : `Resolved: ${name} outage`,
      text: `Reports of ${name} problems peaked at more than 640 at 10:05 p.m. ET (02:05 GMT).`,
      sms:
        transition === "opened"
          ? `${name} outage: more than 640 reports at 10:05 p.m. ET.`
          : `Resolved: ${name} outage (peak 640).`,
    },
    createdAt,
  };
}

const recipients: Recipient[] = [
  { id: "noc", updates: false, quietHours: [] },
  { id: "carrier-sms", categories: ["carrier"], updates: false, quietHours: [] },
];

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function addAll(outbox: DynamoOutboxStore, transition: "opened" | "resolved", at: number) {
  const messages = Array.from({ length: SERVICES }, (_, i) => message(i, transition, at));
  for (let i = 0; i < messages.length; i += 100) {
    await Promise.all(messages.slice(i, i + 100).map((m) => outbox.add(m)));
  }
  return messages;
}

describe("a thousand services at once", () => {
  it("tells every opening within five ticks, and every resolution, in a few messages that fit", async () => {
    // Prepare
    const outbox = new DynamoOutboxStore(await table.freshTable());
    const sns = recordingSns();
    const deliverer: Deliverer = {
      notifiers: [new SnsNotifier(sns.client, "arn:aws:sns:us-east-1:000000000000:outcry")],
      groupWindowMs: 60 * MINUTE_MS,
      recipients,
    };
    const opened = await addAll(outbox, "opened", T0);

    // Act: one tick a minute, each round bounded as in detect (25 s)
    const sent = new Set<string>();
    let ticks = 0;
    for (; ticks < 5 && sent.size < SERVICES; ticks++) {
      const round = await deliverPending(outbox, deliverer, T0 + ticks * MINUTE_MS, {
        finishBy: Date.now() + 25_000,
      });
      for (const key of round.sent) sent.add(key);
    }
    const openings = [...sns.published];
    const resolvedAt = T0 + 90 * MINUTE_MS;
    await addAll(outbox, "resolved", resolvedAt);
    const resolution = await deliverPending(outbox, deliverer, resolvedAt);

    // Assess: every opening told, in one message per tick at most, each fitting
    expect([...sent].sort()).toEqual(opened.map((m) => m.key).sort());
    expect(ticks).toBeLessThanOrEqual(5);
    expect(openings.length).toBeLessThanOrEqual(ticks);
    expect(openings[0]?.subject).toMatch(
      /^T-Mobile outage; Verizon, .* and 9\d\d others also elevated$/,
    );
    expect(resolution.sent).toHaveLength(SERVICES);
    const resolutions = sns.published.slice(openings.length);
    expect(resolutions).toHaveLength(1);
    expect(resolutions[0]?.subject).toMatch(
      /^Resolved: T-Mobile, Verizon, .* and 9\d\d others outages$/,
    );
    expect(resolutions[0]?.audience).toEqual(["carrier-sms", "noc"]);
    for (const p of sns.published) {
      expect(p.subject.length).toBeLessThan(100);
      expect(gsm7Length(p.sms)).toBeLessThanOrEqual(160);
      expect(p.bytes).toBeLessThan(64 * 1024);
    }
    expect(await outbox.pending(10)).toEqual([]);
  }, 120_000);

  it("stops claiming when the round's time is up, and the next round sends the rest once", async () => {
    // Prepare: a clock that moves a millisecond each time it is read, and a budget of 300
    const outbox = new DynamoOutboxStore(await table.freshTable());
    const sns = recordingSns();
    let wall = 0;
    const deliverer: Deliverer = {
      notifiers: [new SnsNotifier(sns.client, "arn:aws:sns:us-east-1:000000000000:outcry")],
      groupWindowMs: 60 * MINUTE_MS,
      recipients,
      clock: () => wall++,
    };
    const opened = await addAll(outbox, "opened", T0);

    // Act
    const first = await deliverPending(outbox, deliverer, T0, { finishBy: 300 });
    const pendingAfterFirst = (await outbox.pending(SERVICES)).length;
    const second = await deliverPending(outbox, deliverer, T0 + MINUTE_MS, {
      finishBy: wall + 1_000_000,
    });

    // Assess: the first round sent part, as one message; the second the rest, as an update
    expect(first.sent.length).toBeGreaterThan(0);
    expect(first.sent.length).toBeLessThan(SERVICES);
    expect(first.failed).toEqual([]);
    expect(pendingAfterFirst).toBe(SERVICES - first.sent.length);
    expect(new Set([...first.sent, ...second.sent]).size).toBe(SERVICES);
    expect([...first.sent, ...second.sent].sort()).toEqual(opened.map((m) => m.key).sort());
    expect(sns.published.map((p) => p.subject)).toEqual([
      expect.stringMatching(/^T-Mobile outage; /),
      expect.stringMatching(/also elevated, with the T-Mobile outage$/),
    ]);
    expect(await outbox.pending(10)).toEqual([]);
  }, 120_000);
});
