/**
 * The SMS cap in delivery rounds on dynalite, published through the real SnsNotifier to
 * an SNS client mocked at the SDK boundary: in a flood a phone gets one text per category
 * per 15 minutes, each noting what it missed, and one last text when nothing else comes;
 * email gets every message; a subscriber kept back still hears the resolution; a note
 * that failed to go goes next round.
 */
import type { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Recipient } from "../../lambdas/domain/audience";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { smsFits } from "../../lambdas/domain/wording/fitting";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { DynamoSmsCapStore } from "../../lambdas/store/sms-cap-store";
import { type Deliverer, deliverPending } from "../../lambdas/usecases/deliver-notifications";
import { startTestTable, type TestTable } from "../support/embedded-table";

/** 22:05 in New York (EST), 13 Feb 2023. */
const T0 = Date.parse("2023-02-14T03:05:00Z");
const PHONE = "phone";
const MAIL = "mail";

/** What SNS was asked to publish. */
interface Published {
  sms: string;
  audience: string[];
  key: string;
  attributes: Record<string, string>;
}

/** An SNS client that records each Publish; fails while `failures` > 0. */
function recordingSns() {
  const published: Published[] = [];
  const sns = { failures: 0, published };
  const client = {
    async send(command: PublishCommand) {
      if (sns.failures > 0) {
        sns.failures--;
        throw new Error("injected failure");
      }
      const input = command.input;
      const attributes = Object.fromEntries(
        Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ""]),
      );
      published.push({
        sms: (JSON.parse(input.Message ?? "{}") as { sms: string }).sms,
        audience: JSON.parse(attributes.audience ?? "[]"),
        key: attributes.key ?? "",
        attributes,
      });
      return { MessageId: String(published.length) };
    },
  } as unknown as SNSClient;
  return { client, sns };
}

function message(i: number, transition: "opened" | "resolved", createdAt: number): OutboxMessage {
  const incidentId = `carrier-${i}-20230214T0300Z`;
  return {
    key: `${incidentId}#${transition}`,
    incidentId,
    transition,
    service: `carrier-${i}`,
    serviceName: `Carrier ${i}`,
    category: "carrier",
    summary: {
      subject: `Carrier ${i} ${transition === "opened" ? "outage" : "resolved"}`,
      text: `Reports of Carrier ${i} problems.`,
      sms:
        transition === "opened"
          ? `Carrier ${i} outage: more than 600 reports.`
          : `Resolved: Carrier ${i} outage.`,
    },
    createdAt,
  };
}

const recipients: Recipient[] = [
  { id: MAIL, updates: false, quietHours: [] },
  { id: PHONE, sms: "+15555550100", categories: ["carrier"], updates: false, quietHours: [] },
];

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function setUp() {
  const tableRef = await table.freshTable();
  const outbox = new DynamoOutboxStore(tableRef);
  const { client, sns } = recordingSns();
  const deliverer: Deliverer = {
    notifiers: [new SnsNotifier(client, "arn:aws:sns:us-east-1:000000000000:outcry")],
    // Each opening its own message, the flood a cap exists for.
    groupWindowMs: 0,
    recipients,
    smsCap: {
      store: new DynamoSmsCapStore(tableRef),
      capMs: 15 * MINUTE_MS,
      timeZoneOf: () => "America/New_York",
    },
  };
  const texts = () => sns.published.filter((p) => p.audience.includes(PHONE));
  return { outbox, deliverer, sns, texts };
}

describe("the SMS cap in a flood", () => {
  it("texts a phone 3 times for 200 openings over 20 minutes; email gets all 200", async () => {
    // Prepare
    const { outbox, deliverer, sns, texts } = await setUp();

    // Act: 10 carriers open a minute for 20 minutes; a round a minute for 35 minutes
    for (let minute = 0; minute < 35; minute++) {
      const at = T0 + minute * MINUTE_MS;
      if (minute < 20) {
        for (let i = 0; i < 10; i++) await outbox.add(message(minute * 10 + i, "opened", at));
      }
      await deliverPending(outbox, deliverer, at);
    }

    // Assess
    expect(sns.published.filter((p) => p.audience.includes(MAIL))).toHaveLength(200);
    expect(texts().map((t) => t.sms)).toEqual([
      "Carrier 0 outage: more than 600 reports.",
      "Carrier 150 outage: more than 600 reports. (+149 more since 10:05 p.m. ET)",
      "+49 more since 10:20 p.m. ET. Latest: Carrier 199 outage: more than 600 reports.",
    ]);
    for (const text of texts()) {
      expect(smsFits(text.sms)).toBe(true);
      // SNS refuses an empty attribute value.
      expect(Object.values(text.attributes).every((v) => v.length > 0)).toBe(true);
    }
    // The last note stands for the last message it folded, and reaches the phone alone.
    expect(texts()[2]?.attributes).toMatchObject({ service: "carrier-199", category: "carrier" });
    expect(texts()[2]?.audience).toEqual([PHONE]);
  }, 60_000);

  it("still tells a phone kept back from an opening of its resolution", async () => {
    // Prepare: two openings a minute apart; the phone has the first, the second is kept back
    const { outbox, deliverer, texts } = await setUp();
    await outbox.add(message(1, "opened", T0));
    await deliverPending(outbox, deliverer, T0);
    await outbox.add(message(2, "opened", T0 + MINUTE_MS));
    await deliverPending(outbox, deliverer, T0 + MINUTE_MS);

    // Act: the note goes at 16 minutes; the second resolves 20 minutes after that
    await deliverPending(outbox, deliverer, T0 + 16 * MINUTE_MS);
    await outbox.add(message(2, "resolved", T0 + 36 * MINUTE_MS));
    await deliverPending(outbox, deliverer, T0 + 36 * MINUTE_MS);

    // Assess
    expect(texts().map((t) => t.sms)).toEqual([
      "Carrier 1 outage: more than 600 reports.",
      "+1 more since 10:06 p.m. ET. Latest: Carrier 2 outage: more than 600 reports.",
      "Resolved: Carrier 2 outage.",
    ]);
    expect((await outbox.record(message(2, "opened", T0).key))?.audience).toEqual([MAIL, PHONE]);
  });

  it("sends a note that failed on the next round, once", async () => {
    // Prepare: the phone's second text is kept back
    const { outbox, deliverer, sns, texts } = await setUp();
    await outbox.add(message(1, "opened", T0));
    await outbox.add(message(2, "opened", T0));
    await deliverPending(outbox, deliverer, T0);

    // Act: SNS fails when the note is due, then works
    sns.failures = 1;
    const failed = await deliverPending(outbox, deliverer, T0 + 15 * MINUTE_MS);
    const retried = await deliverPending(outbox, deliverer, T0 + 16 * MINUTE_MS);
    const after = await deliverPending(outbox, deliverer, T0 + 40 * MINUTE_MS);

    // Assess
    expect(failed.capNotes).toBeUndefined();
    expect(retried.capNotes).toHaveLength(1);
    expect(after.capNotes).toBeUndefined();
    expect(texts().map((t) => t.sms)).toEqual([
      "Carrier 1 outage: more than 600 reports.",
      "+1 more since 10:05 p.m. ET. Latest: Carrier 2 outage: more than 600 reports.",
    ]);
  });

  it("reads no cap state when no subscriber gets texts", async () => {
    // Prepare: a store that counts its reads
    const { outbox, deliverer } = await setUp();
    let reads = 0;
    const store = deliverer.smsCap?.store as DynamoSmsCapStore;
    const counted: Deliverer = {
      ...deliverer,
      recipients: [recipients[0] as Recipient],
      smsCap: {
        capMs: 15 * MINUTE_MS,
        store: {
          all: async () => {
            reads++;
            return store.all();
          },
          fold: (...args) => store.fold(...args),
          restart: (...args) => store.restart(...args),
        },
      },
    };

    // Act
    await outbox.add(message(1, "opened", T0));
    await deliverPending(outbox, counted, T0);

    // Assess
    expect(reads).toBe(0);
  });

  it("loses no count when two rounds overlap: a restart from a stale read changes nothing", async () => {
    // Prepare: the phone had a text at T0; both rounds read that
    const store = new DynamoSmsCapStore(await table.freshTable());
    const first = {
      subscriber: PHONE,
      category: "carrier",
      lastAt: T0,
      folded: 0,
      foldedSince: null,
      latest: null,
    };
    await store.restart(first, undefined);
    const latest = {
      sms: "Carrier 2 outage.",
      incidentId: "carrier-2",
      service: "carrier-2",
      serviceName: "Carrier 2",
      transition: "opened" as const,
    };

    // Act: round A keeps a text back; round B, from the same read, lets one through
    await store.fold(PHONE, "carrier", T0 + MINUTE_MS, latest);
    const restarted = await store.restart({ ...first, lastAt: T0 + 16 * MINUTE_MS }, first);

    // Assess
    expect(restarted).toBe(false);
    expect(await store.all()).toEqual([
      { ...first, folded: 1, foldedSince: T0 + MINUTE_MS, latest },
    ]);
  });

  it("sends uncapped, and loses nothing, when the cap's store fails", async () => {
    // Prepare: the phone had a text; then the cap's writes fail
    const { outbox, deliverer, texts } = await setUp();
    const store = deliverer.smsCap?.store as DynamoSmsCapStore;
    await outbox.add(message(1, "opened", T0));
    await deliverPending(outbox, deliverer, T0);
    const failing: Deliverer = {
      ...deliverer,
      smsCap: {
        capMs: 15 * MINUTE_MS,
        store: {
          all: () => store.all(),
          fold: () => Promise.reject(new Error("throttled")),
          restart: () => Promise.reject(new Error("throttled")),
        },
      },
    };

    // Act: a second opening within the cap
    await outbox.add(message(2, "opened", T0 + MINUTE_MS));
    const round = await deliverPending(outbox, failing, T0 + MINUTE_MS);

    // Assess: it went, to the phone too, rather than be counted where nothing keeps it
    expect(round.sent).toEqual([message(2, "opened", T0).key]);
    expect(texts().map((t) => t.sms)).toEqual([
      "Carrier 1 outage: more than 600 reports.",
      "Carrier 2 outage: more than 600 reports.",
    ]);
  });
});
