/**
 * The notification drain of a mass outage: 1,000 services of five categories open at
 * once, then resolve at once, on a metered store with the scale bench's latency per call
 * and 20 ms per SNS publish, each round bounded as detect bounds it (25 s), one round a
 * minute. Prints how long until every opening and every resolution was told, in how many
 * publishes, and how many texts reached a phone under the SMS cap. Target: every opening
 * told within 5 minutes.
 */
import type { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Recipient } from "../lambdas/domain/audience";
import { MINUTE_MS } from "../lambdas/domain/buckets";
import type { OutboxMessage } from "../lambdas/domain/ports";
import { SnsNotifier } from "../lambdas/notify/sns-notifier";
import { DynamoOutboxStore } from "../lambdas/store/outbox-store";
import { DynamoSmsCapStore } from "../lambdas/store/sms-cap-store";
import {
  DELIVERY_BUDGET_MS,
  type Deliverer,
  deliverPending,
} from "../lambdas/usecases/deliver-notifications";
import { meteredClient, StoreMeter } from "./support/store-meter";
import { startStoreProcess } from "./support/store-process";

const CATEGORIES = ["carrier", "cloud", "saas", "bank", "game"];
/** What one SNS Publish is taken to cost in time (a call within the region). */
const PUBLISH_MS = 20;
/** Every opening told within this long, at most. */
const DRAIN_TARGET_MS = 5 * MINUTE_MS;
const T0 = Date.parse("2024-06-03T02:05:00Z");

function message(i: number, transition: "opened" | "resolved", createdAt: number): OutboxMessage {
  const category = CATEGORIES[i % CATEGORIES.length] ?? "other";
  const incidentId = `service-${i}-20240603T0200Z`;
  return {
    key: `${incidentId}#${transition}`,
    incidentId,
    transition,
    service: `service-${i}`,
    serviceName: `Service ${i}`,
    category,
    summary: {
      subject: `Service ${i} ${transition === "opened" ? "outage: more than 640 reports" : "resolved"}`,
      text: `Reports of Service ${i} problems peaked at more than 640 at 10:05 p.m. ET.`,
      sms: `Service ${i} ${transition === "opened" ? "outage: more than 640 reports" : "resolved"}.`,
    },
    createdAt,
  };
}

/** How long until every message of a kind was told. */
interface Drain {
  rounds: number;
  /** From the first round's start to the end of the round that told the last one. */
  drainMs: number;
  publishes: number;
  texts: number;
}

/** Runs the mass outage; false when the target is missed. */
export async function benchMassOutage(incidents = 1_000, latencyMs = 5): Promise<boolean> {
  const store = await startStoreProcess();
  const meter = new StoreMeter(latencyMs);
  const client = meteredClient(store.endpoint, meter);
  try {
    const table = { client, tableName: store.tableName };
    const outbox = new DynamoOutboxStore(table);
    let publishes = 0;
    let texts = 0;
    const sns = {
      async send(command: PublishCommand) {
        await new Promise((resolve) => setTimeout(resolve, PUBLISH_MS));
        publishes++;
        const audience = command.input.MessageAttributes?.audience?.StringValue ?? "[]";
        if ((JSON.parse(audience) as string[]).includes("on-call-phone")) texts++;
        return { MessageId: String(publishes) };
      },
    } as unknown as SNSClient;
    const recipients: Recipient[] = [
      { id: "noc", updates: false, quietHours: [] },
      { id: "on-call-phone", sms: "+15555550100", updates: false, quietHours: [] },
    ];
    const deliverer: Deliverer = {
      notifiers: [new SnsNotifier(sns, "arn:aws:sns:us-east-1:000000000000:outcry")],
      groupWindowMs: 60 * MINUTE_MS,
      recipients,
      smsCap: { store: new DynamoSmsCapStore(table), capMs: 15 * MINUTE_MS },
    };

    const drain = async (transition: "opened" | "resolved", at: number): Promise<Drain> => {
      const messages = Array.from({ length: incidents }, (_, i) => message(i, transition, at));
      for (let i = 0; i < messages.length; i += 50) {
        await Promise.all(messages.slice(i, i + 50).map((m) => outbox.add(m)));
      }
      const [publishedBefore, textsBefore] = [publishes, texts];
      const told = new Set<string>();
      let rounds = 0;
      let drainMs = 0;
      while (told.size < incidents && rounds < 10) {
        const started = performance.now();
        const round = await deliverPending(outbox, deliverer, at + rounds * MINUTE_MS, {
          finishBy: Date.now() + DELIVERY_BUDGET_MS,
        });
        for (const key of round.sent) told.add(key);
        drainMs = rounds * MINUTE_MS + (performance.now() - started);
        rounds++;
      }
      if (told.size < incidents) drainMs = Number.POSITIVE_INFINITY;
      return {
        rounds,
        drainMs,
        publishes: publishes - publishedBefore,
        texts: texts - textsBefore,
      };
    };

    const opened = await drain("opened", T0);
    const resolved = await drain("resolved", T0 + 90 * MINUTE_MS);
    const ok = opened.drainMs <= DRAIN_TARGET_MS;
    console.log(
      `\nMass outage (${incidents.toLocaleString("en-US")} services of ${CATEGORIES.length} categories at once; ${latencyMs} ms per store call, ${PUBLISH_MS} ms per SNS publish, rounds a minute apart, each bounded at ${DELIVERY_BUDGET_MS / 1000} s; an email subscriber and an SMS one following everything):`,
    );
    for (const [label, d] of [
      ["openings", opened],
      ["resolutions", resolved],
    ] as const) {
      const over = label === "openings" && !ok ? " OVER" : "";
      console.log(
        `  ${label.padEnd(11)}  all told in ${(d.drainMs / 1000).toFixed(1)} s (${d.rounds} round${d.rounds === 1 ? "" : "s"})${label === "openings" ? `, target ≤ ${DRAIN_TARGET_MS / 1000} s${over}` : ""}; ${d.publishes} publishes, ${d.texts} texts to the phone`,
      );
    }
    return ok;
  } finally {
    client.destroy();
    await store.close();
  }
}
