/**
 * The SNS publish and the subscription filter policies, end to end in an SNS/SQS
 * emulator (fauxqs): the outbox is delivered on dynalite through the real SnsNotifier to
 * an emulated topic, and each subscriber's queue, subscribed with the very policy the CDK
 * stack writes, receives exactly the notifications its audience rules give it: filters,
 * updates, quiet hours, resolutions after quiet openings, the webhook function's share,
 * and no publish at all for a message nobody may have.
 *
 * One rule is added to the emulator. SNS matches a String.Array attribute when any of
 * its elements matches (AWS docs, "Amazon SNS example filter policies": an attribute
 * `["soccer", "rugby", "hockey"]` matches a policy asking for "rugby"); fauxqs 1.9
 * compares the array's JSON text as one string. The mock below evaluates such an
 * attribute element by element with fauxqs's own matcher; everything else (the topic,
 * the subscription attributes, parsing and evaluating the policy, fan-out, delivery to
 * SQS) is the emulator's.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { recipientsOf } from "../../lambdas/domain/audience";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { deliverPending } from "../../lambdas/usecases/deliver-notifications";
import { filterPolicyFor } from "../../lib/constructs/notifications";
import { startTestTable, type TestTable } from "../support/embedded-table";

vi.mock(import("../../node_modules/fauxqs/dist/sns/filter.js"), async (importOriginal) => {
  const fauxqs = await importOriginal();
  type Attributes = Parameters<typeof fauxqs.matchesFilterPolicy>[1];
  /** Every attribute key a policy names, at the top or inside `$or`. */
  const keysOf = (policy: Record<string, unknown>): string[] =>
    Object.entries(policy).flatMap(([key, value]) =>
      key === "$or" && Array.isArray(value)
        ? value.flatMap((group) => keysOf(group as Record<string, unknown>))
        : [key],
    );
  const matches = (policy: Record<string, unknown>, attributes: Attributes): boolean => {
    const named = new Set(keysOf(policy));
    const array = Object.entries(attributes).find(
      ([key, value]) => value.DataType === "String.Array" && named.has(key),
    );
    if (!array) return fauxqs.matchesFilterPolicy(policy, attributes);
    const [key, value] = array;
    const elements = JSON.parse(value.StringValue ?? "[]") as unknown[];
    return elements.some((element) =>
      matches(policy, {
        ...attributes,
        [key]: { DataType: "String", StringValue: String(element) },
      }),
    );
  };
  return { ...fauxqs, matchesFilterPolicy: matches };
});

type Emulator = Awaited<ReturnType<typeof startFauxqs>>;
let emulator: Emulator;
let sns: SNSClient;
let sqs: SQSClient;
let table: TestTable;

beforeAll(async () => {
  emulator = await startFauxqs({ port: 0, logger: false });
  const options = {
    endpoint: emulator.address,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  sns = new SNSClient(options);
  sqs = new SQSClient(options);
  table = await startTestTable();
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await emulator?.stop();
  await table?.close();
});

/** A queue subscribed to the topic with `policy` (none: it gets every publish). */
async function subscribedQueue(topicArn: string, name: string, policy?: Record<string, unknown>) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: "true",
        ...(policy
          ? { FilterPolicy: JSON.stringify(policy), FilterPolicyScope: "MessageAttributes" }
          : {}),
      },
    }),
  );
  return QueueUrl as string;
}

/**
 * The JSON-structured message as the emulator delivers it: real SNS hands an SQS
 * subscriber the `default` entry (and a Lambda the `lambda` entry); fauxqs passes the
 * whole structure through, so both can be read from it.
 */
async function received(queueUrl: string): Promise<{ default: string; lambda: string }[]> {
  const bodies: { default: string; lambda: string }[] = [];
  for (let round = 0; round < 3; round++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    bodies.push(...(Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}")));
  }
  return bodies;
}
const texts = async (queueUrl: string) => (await received(queueUrl)).map((b) => b.default).sort();

const config = parseConfig({
  services: [
    { id: "t-mobile", name: "T-Mobile", category: "carrier" },
    { id: "verizon", name: "Verizon", category: "carrier" },
    { id: "comcast", name: "Comcast", category: "isp" },
    { id: "status", name: "Status", category: "other" },
  ],
  subscribers: [
    // Everything, updates too, until a holiday that starts at 23:56 New York time
    {
      id: "all",
      email: "all@example.org",
      updates: true,
      quietHours: [{ start: "2024-06-02T03:56:00Z", end: "2024-06-20T00:00:00Z" }],
    },
    { email: "verizon@example.org", services: ["verizon"] },
    { sms: "+15555550123", categories: ["isp"] },
    {
      id: "sleeper",
      email: "sleeper@example.org",
      timeZone: "America/New_York",
      quietHours: [{ from: "22:00", to: "07:00" }],
    },
  ],
  webhooks: [{ id: "noc-slack", categories: ["carrier"] }],
  notifications: { groupWindowMinutes: 0, peakMultiples: [10] },
});

/** 21:00 on 1 June 2024 in New York (EDT). */
const NINE_PM = Date.parse("2024-06-02T01:00:00Z");
const minutesAfter = (m: number) => NINE_PM + m * MINUTE_MS;

function message(
  service: string,
  transition: "opened" | "resolved" | "update",
  createdAt: number,
): OutboxMessage {
  const category = config.services.find((s) => s.id === service)?.category ?? "other";
  const incidentId = `${service}-20240602T0050Z`;
  return {
    key: `${incidentId}#${transition === "update" ? "update-10x" : transition}`,
    incidentId,
    transition,
    service,
    serviceName: service,
    category,
    summary: {
      subject: `${service} ${transition}`,
      text: `${service} ${transition}`,
      sms: `${service} ${transition}`,
    },
    createdAt,
  };
}

describe("SNS notifications with audience filter policies", () => {
  it("reach each subscriber's queue exactly as its filters, updates and quiet hours say", async () => {
    // Prepare: the topic, one queue per subscriber and for the webhook function, each with
    // the stack's policy, and one with no policy (what any other subscriber would see)
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "outcry" }));
    if (!TopicArn) throw new Error("no topic");
    const [all, verizon, isps, sleeper] = config.subscribers;
    if (!all || !verizon || !isps || !sleeper) throw new Error("subscribers");
    const queues = {
      all: await subscribedQueue(TopicArn, "all", filterPolicyFor([all.id])),
      verizon: await subscribedQueue(TopicArn, "verizon", filterPolicyFor([verizon.id])),
      isps: await subscribedQueue(TopicArn, "isps", filterPolicyFor([isps.id])),
      sleeper: await subscribedQueue(TopicArn, "sleeper", filterPolicyFor([sleeper.id])),
      webhook: await subscribedQueue(TopicArn, "webhook", filterPolicyFor(["noc-slack"])),
      unfiltered: await subscribedQueue(TopicArn, "unfiltered"),
    };
    const outbox = new DynamoOutboxStore(await table.freshTable());
    const deliverer = {
      notifiers: [new SnsNotifier(sns, TopicArn)],
      recipients: recipientsOf(config),
    };
    const timeline: [number, OutboxMessage][] = [
      [0, message("t-mobile", "opened", minutesAfter(0))], // 21:00, all awake
      [120, message("comcast", "opened", minutesAfter(120))], // 23:00, the sleeper is quiet
      [150, message("t-mobile", "update", minutesAfter(150))], // updates: "all" only
      [165, message("t-mobile", "resolved", minutesAfter(165))], // told at 21:00, quiet or not
      [170, message("comcast", "resolved", minutesAfter(170))], // the sleeper never heard of it
      [175, message("verizon", "opened", minutesAfter(175))], // 23:55
      [178, message("status", "opened", minutesAfter(178))], // "all" on holiday: nobody
    ];

    // Act
    for (const [minute, m] of timeline) {
      await outbox.add(m);
      await deliverPending(outbox, deliverer, minutesAfter(minute));
    }

    // Assess
    expect(await texts(queues.all)).toEqual([
      "comcast opened",
      "comcast resolved",
      "t-mobile opened",
      "t-mobile resolved",
      "t-mobile update",
      "verizon opened",
    ]);
    expect(await texts(queues.verizon)).toEqual(["verizon opened"]);
    expect(await texts(queues.isps)).toEqual(["comcast opened", "comcast resolved"]);
    expect(await texts(queues.sleeper)).toEqual(["t-mobile opened", "t-mobile resolved"]);
    const webhook = await received(queues.webhook);
    expect(webhook.map((b) => b.default).sort()).toEqual([
      "t-mobile opened",
      "t-mobile resolved",
      "verizon opened",
    ]);
    for (const body of webhook) {
      const envelope = JSON.parse(body.lambda);
      expect(envelope.audience).toContain("noc-slack");
      expect(envelope.slack.text).toBe(`*${body.default}*\n${body.default}`);
    }
    // Six publishes: the status message, whose audience is empty, was never published.
    expect(await texts(queues.unfiltered)).toHaveLength(6);
    expect((await outbox.record("status-20240602T0050Z#opened"))?.audience).toEqual([]);
  });

  it("keeps every policy within SNS's limits whatever the subscriber's filters", () => {
    // 5 keys and 150 value combinations a policy: one key, one value per subscriber, and
    // at most 20 webhook ids for the webhook function.
    const busy = parseConfig({
      services: Array.from({ length: 100 }, (_, i) => ({
        id: `s${i}`,
        name: `S${i}`,
        category: "app",
      })),
      subscribers: [
        { email: "busy@example.org", services: Array.from({ length: 100 }, (_, i) => `s${i}`) },
      ],
      webhooks: Array.from({ length: 20 }, (_, i) => ({ id: `hook-${i}` })),
    });
    const policies = [
      ...busy.subscribers.map((s) => filterPolicyFor([s.id])),
      filterPolicyFor(busy.webhooks.map((w) => w.id)),
    ];
    for (const policy of policies) {
      const values = Object.values(policy).map((v) => v.length);
      expect(values.length).toBeLessThanOrEqual(5);
      expect(values.reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(150);
    }
  });
});
