/**
 * The SNS publish and the subscription filter policies, end to end in an SNS/SQS
 * emulator (fauxqs): each subscriber's queue, subscribed with the very policy the CDK
 * stack writes, receives exactly the notifications meant for it.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Subscriber } from "../../lambdas/domain/config";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { filterPolicyFor } from "../../lib/constructs/notifications";

type Emulator = Awaited<ReturnType<typeof startFauxqs>>;
let emulator: Emulator;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  emulator = await startFauxqs({ port: 0, logger: false });
  const options = {
    endpoint: emulator.address,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  sns = new SNSClient(options);
  sqs = new SQSClient(options);
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await emulator?.stop();
});

function message(service: string, category: string): OutboxMessage {
  return {
    key: `${service}-20230214T0200Z#opened`,
    incidentId: `${service}-20230214T0200Z`,
    transition: "opened",
    service,
    serviceName: service,
    category,
    summary: { subject: `${service} outage`, text: `text of ${service}`, sms: `sms of ${service}` },
    createdAt: Date.parse("2023-02-14T02:05:00Z"),
  };
}

/** A queue subscribed to the topic with the policy the stack gives `subscriber`. */
async function subscribedQueue(
  topicArn: string,
  name: string,
  wanted: Omit<Subscriber, "updates"> & { updates?: boolean },
) {
  const subscriber: Subscriber = { updates: false, ...wanted };
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  const policy = filterPolicyFor(subscriber);
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
 * The text an SQS subscriber gets. Real SNS delivers the `default` entry of a
 * JSON-structured message to SQS; the emulator passes the structure through whole, so
 * take `default` from it.
 */
function textOf(body: string): string {
  try {
    const structure = JSON.parse(body) as { default?: unknown };
    return typeof structure.default === "string" ? structure.default : body;
  } catch {
    return body;
  }
}

async function received(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 3; round++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    bodies.push(...(Messages ?? []).map((m) => textOf(m.Body ?? "")));
  }
  return bodies.sort();
}

describe("SNS notifications with subscription filter policies", () => {
  it("reach each subscriber's queue exactly as its services, categories and updates say", async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "outcry" }));
    if (!TopicArn) throw new Error("no topic");
    const everything = await subscribedQueue(TopicArn, "everything", {
      email: "a@example.org",
      updates: true,
    });
    const verizon = await subscribedQueue(TopicArn, "verizon-only", {
      email: "b@example.org",
      services: ["verizon"],
    });
    const isps = await subscribedQueue(TopicArn, "isps", {
      email: "c@example.org",
      categories: ["isp"],
    });
    const either = await subscribedQueue(TopicArn, "t-mobile-or-isps", {
      sms: "+15555550123",
      services: ["t-mobile"],
      categories: ["isp"],
    });
    const notifier = new SnsNotifier(sns, TopicArn);

    // Act
    await notifier.send(message("t-mobile", "carrier"));
    await notifier.send(message("verizon", "carrier"));
    await notifier.send(message("comcast", "isp"));
    await notifier.send({
      ...message("t-mobile", "carrier"),
      key: "t-mobile-20230214T0200Z#update-10x",
      transition: "update",
      summary: { subject: "growing", text: "update of t-mobile", sms: "growing" },
    });

    // Assess
    expect(await received(everything)).toEqual([
      "text of comcast",
      "text of t-mobile",
      "text of verizon",
      "update of t-mobile",
    ]);
    expect(await received(verizon)).toEqual(["text of verizon"]);
    expect(await received(isps)).toEqual(["text of comcast"]);
    expect(await received(either)).toEqual(["text of comcast", "text of t-mobile"]);
  });
});
