/**
 * Webhook delivery against a real local HTTP server: the Slack body as posted, retries of
 * 5xx answers and timeouts (and none of a final 4xx), no URL in any error, one post per
 * webhook however often SNS delivers the message (the webhook function's path, on
 * dynalite), and the local runtime's channel posting the very same body.
 */
import type { SNSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxMessage, OutgoingMessage } from "../../lambdas/domain/ports";
import { slackMessage, type WebhookEnvelope } from "../../lambdas/domain/wording/slack-message";
import { createWebhookHandler } from "../../lambdas/handlers/webhook";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { publishInput } from "../../lambdas/notify/sns-notifier";
import { alarmEnvelopeOf, envelopeOf } from "../../lambdas/notify/webhook-envelope";
import {
  localWebhookNotifiers,
  WebhookNotifier,
  webhookUrlVariable,
} from "../../lambdas/notify/webhook-notifier";
import { postWebhook, WebhookError } from "../../lambdas/notify/webhook-post";
import { DynamoOutboxStore } from "../../lambdas/store/outbox-store";
import { DynamoWebhookDeliveryStore } from "../../lambdas/store/webhook-delivery-store";
import { deliverPending } from "../../lambdas/usecases/deliver-notifications";
import {
  deliverToWebhooks,
  type WebhookDeliveryDependencies,
} from "../../lambdas/usecases/deliver-webhooks";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";

/** The secret part of a Slack webhook URL: it must never show up in an error. */
const SECRET_PATH = "/services/T0001/B0001/s3cr3tT0k3n";
const FAST = { attemptTimeoutMs: 300, backoffMs: 10, retries: 2, outbound: FIXTURE_NETWORK };

const message: OutboxMessage = {
  key: "att-20230214T0200Z#opened",
  incidentId: "att-20230214T0200Z",
  transition: "opened",
  service: "att",
  serviceName: "AT&T <!channel>",
  category: "carrier",
  summary: {
    subject: "AT&T <!channel> outage: more than 1,200 reports",
    text: "Reports of AT&T <!channel> problems reached more than 1,200 at around 10:30 p.m. ET (03:30 GMT).",
    sms: "AT&T outage: more than 1,200 reports",
  },
  createdAt: Date.parse("2023-02-14T03:35:00Z"),
};

function outgoing(audience: string[], deliveryKey = message.key): OutgoingMessage {
  return { ...message, audience, deliveryKey };
}

let server: FixtureServer;
let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());
beforeEach(async () => {
  server = await startFixtureServer();
});
afterEach(async () => server.close());

const posts = (path = SECRET_PATH) => server.requests.filter((r) => r.path === path);

describe("postWebhook", () => {
  it("posts the Slack body as JSON", async () => {
    // Prepare
    server.route(SECRET_PATH, { status: 200, body: "ok" });
    const body = slackMessage(message.summary);

    // Act
    await postWebhook("noc-slack", `${server.url}${SECRET_PATH}`, body, FAST);

    // Assess
    const [request] = posts();
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual(body);
    expect(JSON.parse(request?.body ?? "").text).toContain("AT&amp;T &lt;!channel&gt;");
  });

  it("retries a 500 and a timeout, then succeeds", async () => {
    // Prepare: a server error, then an answer slower than the attempt's timeout, then ok
    server.route(
      SECRET_PATH,
      { status: 500, body: "rollup_error" },
      { delayMs: 1_000, body: "ok" },
      { body: "ok" },
    );

    // Act
    await postWebhook("noc-slack", `${server.url}${SECRET_PATH}`, { text: "x" }, FAST);

    // Assess
    expect(posts()).toHaveLength(3);
  });

  it("leaves a 429 asking for longer than it may wait to the next invocation's retry", async () => {
    // Prepare: the webhook asks for two minutes
    server.route(
      SECRET_PATH,
      { status: 429, headers: { "retry-after": "120" }, body: "rate_limited" },
      { body: "ok" },
    );

    // Act
    const outcome = postWebhook("noc-slack", `${server.url}${SECRET_PATH}`, { text: "x" }, FAST);

    // Assess: one post, and a failure the Lambda retry picks up later
    await expect(outcome).rejects.toBeInstanceOf(WebhookError);
    expect(posts()).toHaveLength(1);
  });

  it("gives up after the last retry, naming the webhook but not its URL", async () => {
    // Prepare
    server.route(SECRET_PATH, { status: 503, body: "busy" });

    // Act
    const error = await postWebhook(
      "noc-slack",
      `${server.url}${SECRET_PATH}`,
      { text: "x" },
      FAST,
    ).catch((e: unknown) => e);

    // Assess
    expect(posts()).toHaveLength(3);
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as WebhookError).message).toBe("webhook noc-slack answered 503 busy");
    expect((error as WebhookError).message).not.toContain("s3cr3t");
  });

  it("does not retry an answer that will not change (a deleted webhook)", async () => {
    // Prepare
    server.route(SECRET_PATH, { status: 404, body: "no_service" });

    // Act
    const error = (await postWebhook("noc-slack", `${server.url}${SECRET_PATH}`, {}, FAST).catch(
      (e: unknown) => e,
    )) as WebhookError;

    // Assess
    expect(posts()).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("webhook noc-slack answered 404 no_service");
  });

  it("says a webhook timed out without its URL", async () => {
    server.route(SECRET_PATH, { delayMs: 1_000, body: "ok" });
    const error = (await postWebhook(
      "noc-slack",
      `${server.url}${SECRET_PATH}`,
      {},
      { ...FAST, retries: 0 },
    ).catch((e: unknown) => e)) as WebhookError;
    expect(error.message).toBe("webhook noc-slack did not answer within 300 ms");
  });
});

describe("postWebhook: where posts go", () => {
  it("follows no redirect, failing for good without the URL", async () => {
    // Prepare
    server.route(SECRET_PATH, { status: 302, headers: { location: "/moved" } });
    server.route("/moved", { body: "ok" });

    // Act
    const error = (await postWebhook(
      "noc-slack",
      `${server.url}${SECRET_PATH}`,
      { text: "x" },
      FAST,
    ).catch((e: unknown) => e)) as WebhookError;

    // Assess
    expect(server.requests.map((r) => r.path)).toEqual([SECRET_PATH]);
    expect(error).toBeInstanceOf(WebhookError);
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(302);
    expect(error.message).toBe(
      "webhook noc-slack answered 302, a redirect, which outcry does not follow for a webhook; check the webhook's URL (it must be the address that answers the post)",
    );
  });

  it("refuses a webhook on loopback with private networks closed, naming the address only", async () => {
    // Prepare
    server.route(SECRET_PATH, { body: "ok" });

    // Act
    const error = (await postWebhook(
      "noc-slack",
      `${server.url}${SECRET_PATH}`,
      { text: "x" },
      { ...FAST, outbound: PUBLIC_ONLY },
    ).catch((e: unknown) => e)) as WebhookError;

    // Assess
    expect(posts()).toHaveLength(0);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      "webhook noc-slack was refused: 127.0.0.1 is not a public address (loopback); outcry posts to public addresses only",
    );
  });
});

/** The webhook function's dependencies: two webhooks on the fixture server, a fresh table. */
async function deps(): Promise<WebhookDeliveryDependencies> {
  return {
    deliveries: new DynamoWebhookDeliveryStore(await table.freshTable()),
    urls: new Map([
      ["noc-slack", async () => `${server.url}${SECRET_PATH}`],
      ["ops-chat", async () => `${server.url}/ops`],
    ]),
    now: Date.now,
    post: (webhook, url, body) => postWebhook(webhook, url, body, FAST),
  };
}

describe("the webhook function's delivery", () => {
  /**
   * The SNS event Lambda gets for `m` as detect publishes it: the topic's `lambda` entry
   * (or, with `entry: "default"`, the plain text), with the message attributes.
   */
  function snsEvent(m: OutgoingMessage, entry: "lambda" | "default" = "lambda"): SNSEvent {
    const input = publishInput("arn:aws:sns:us-east-1:000000000000:outcry", m);
    const delivered = JSON.parse(input.Message)[entry] as string;
    const attributes = Object.fromEntries(
      Object.entries(input.MessageAttributes).map(([name, a]) => [
        name,
        { Type: a.DataType, Value: a.StringValue },
      ]),
    );
    return {
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          EventSubscriptionArn: "arn:aws:sns:us-east-1:000000000000:outcry:sub",
          Sns: {
            Type: "Notification",
            MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            TopicArn: input.TopicArn,
            Subject: input.Subject,
            Message: delivered,
            Timestamp: "2023-02-14T03:35:01.000Z",
            SignatureVersion: "1",
            Signature: "x",
            SigningCertUrl: "https://example.invalid/cert.pem",
            UnsubscribeUrl: "https://example.invalid/unsubscribe",
            MessageAttributes: attributes,
          },
        },
      ],
    };
  }

  it("posts once to each webhook in the audience, however often the message comes", async () => {
    // Prepare: two webhooks and a subscriber in the audience; one webhook not in it
    server.route(SECRET_PATH, { body: "ok" });
    server.route("/ops", { body: "ok" });
    const handler = createWebhookHandler(await deps().then((d) => () => d));
    const event = snsEvent(outgoing(["noc-slack", "sub-0123456789"]));

    // Act: SNS delivers the same message twice (it delivers at least once)
    const [first] = await handler(event, {} as never);
    const [again] = await handler(event, {} as never);

    // Assess
    expect(first).toEqual({ delivered: ["noc-slack"], skipped: [], failed: [] });
    expect(again).toEqual({ delivered: [], skipped: ["noc-slack"], failed: [] });
    expect(posts()).toHaveLength(1);
    expect(posts("/ops")).toHaveLength(0);
    expect(JSON.parse(posts()[0]?.body ?? "")).toEqual(slackMessage(message.summary));
  });

  it("fails the invocation when a webhook fails, and the retry posts only to that one", async () => {
    // Prepare: ops-chat keeps answering 500 for its three attempts, then recovers
    server.route(SECRET_PATH, { body: "ok" });
    server.route("/ops", { status: 500 }, { status: 500 }, { status: 500 }, { body: "ok" });
    const dependencies = await deps();
    const handler = createWebhookHandler(() => dependencies);
    const event = snsEvent(outgoing(["noc-slack", "ops-chat"]));

    // Act: the first invocation fails; Lambda's retry delivers the same event again
    const failure = (await handler(event, {} as never).catch((e: unknown) => e)) as Error;
    const [retry] = await handler(event, {} as never);

    // Assess
    expect(failure.message).toBe("webhook delivery failed: webhook ops-chat answered 500");
    expect(retry).toEqual({ delivered: ["ops-chat"], skipped: ["noc-slack"], failed: [] });
    expect(posts()).toHaveLength(1);
    expect(posts("/ops")).toHaveLength(4);
  });

  it("delivers each wording of a group apart, under its own delivery key", async () => {
    server.route(SECRET_PATH, { body: "ok" });
    const d = await deps();
    const envelope = (key: string): WebhookEnvelope => ({
      key,
      audience: ["noc-slack"],
      slack: slackMessage(message.summary),
    });
    await deliverToWebhooks(d, envelope(message.key));
    await deliverToWebhooks(d, envelope(`${message.key}/news`));
    await deliverToWebhooks(d, envelope(`${message.key}/news`));
    expect(posts()).toHaveLength(2);
  });

  it("reads the plain text and the attributes the same way, should SNS hand over `default`", () => {
    const m = outgoing(["noc-slack"], `${message.key}/news`);
    const fromLambda = envelopeOf(snsEvent(m).Records[0]?.Sns as SNSEvent["Records"][0]["Sns"]);
    const fromDefault = envelopeOf(
      snsEvent(m, "default").Records[0]?.Sns as SNSEvent["Records"][0]["Sns"],
    );
    expect(fromDefault).toEqual(fromLambda);
    expect(fromDefault.key).toBe("att-20230214T0200Z#opened/news");
  });

  it("refuses a message that is neither outcry's envelope nor carries its attributes", () => {
    const sns = snsEvent(outgoing(["noc-slack"])).Records[0]?.Sns as SNSEvent["Records"][0]["Sns"];
    expect(() => envelopeOf({ ...sns, Message: "hello", MessageAttributes: {} })).toThrow(
      /neither an outcry webhook envelope nor carries the audience and key attributes/,
    );
  });
});

describe("alarms for webhook operators", () => {
  const ALARM_TOPIC = "arn:aws:sns:us-east-1:000000000000:Outcry-AlarmsTopic";
  /** What CloudWatch publishes to the alarm topic when an alarm fires (SNS's record). */
  function alarmEvent(messageId: string): SNSEvent {
    const alarm = {
      AlarmName: "Outcry-CollectErrors",
      AlarmDescription: "outcry: Collect function failed",
      AWSAccountId: "000000000000",
      NewStateValue: "ALARM",
      NewStateReason:
        "Threshold Crossed: 1 out of the last 1 datapoints [2.0 (14/02/23 03:30:00)] was greater than or equal to the threshold (1.0).",
      StateChangeTime: "2023-02-14T03:35:12.345+0000",
      Region: "US East (N. Virginia)",
      AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:Outcry-CollectErrors",
      OldStateValue: "OK",
      Trigger: { MetricName: "Errors", Namespace: "AWS/Lambda", Statistic: "SUM" },
    };
    return {
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          EventSubscriptionArn: `${ALARM_TOPIC}:sub`,
          Sns: {
            Type: "Notification",
            MessageId: messageId,
            TopicArn: ALARM_TOPIC,
            Subject: 'ALARM: "Outcry-CollectErrors" in US East (N. Virginia)',
            Message: JSON.stringify(alarm),
            Timestamp: "2023-02-14T03:35:13.000Z",
            SignatureVersion: "1",
            Signature: "x",
            SigningCertUrl: "https://example.invalid/cert.pem",
            UnsubscribeUrl: "https://example.invalid/unsubscribe",
            MessageAttributes: {},
          },
        },
      ],
    };
  }

  it("posts each alarm once to the operator webhooks, worded for a person", async () => {
    // Prepare: noc-slack is an operator, ops-chat is not
    server.route(SECRET_PATH, { body: "ok" });
    server.route("/ops", { body: "ok" });
    const dependencies = await deps();
    const handler = createWebhookHandler(() => dependencies, {
      topicArn: ALARM_TOPIC,
      operators: ["noc-slack"],
    });

    // Act: the alarm, delivered twice by SNS, then another alarm
    const [first] = await handler(alarmEvent("a-1"), {} as never);
    const [again] = await handler(alarmEvent("a-1"), {} as never);
    await handler(alarmEvent("a-2"), {} as never);

    // Assess
    expect(first).toEqual({ delivered: ["noc-slack"], skipped: [], failed: [] });
    expect(again).toEqual({ delivered: [], skipped: ["noc-slack"], failed: [] });
    expect(posts()).toHaveLength(2);
    expect(posts("/ops")).toHaveLength(0);
    const body = JSON.parse(posts()[0]?.body ?? "");
    expect(body.text).toBe(
      "*ALARM: outcry: Collect function failed*\nOutcry-CollectErrors went from OK to ALARM at 2023-02-14T03:35:12.345+0000 in US East (N. Virginia).\n\nThreshold Crossed: 1 out of the last 1 datapoints [2.0 (14/02/23 03:30:00)] was greater than or equal to the threshold (1.0).",
    );
  });

  it("refuses a message on the alarm topic that CloudWatch did not write", () => {
    const [record] = alarmEvent("a-3").Records;
    const sns = { ...(record?.Sns as SNSEvent["Records"][0]["Sns"]), Message: "hello" };
    expect(() => alarmEnvelopeOf(sns, ["noc-slack"])).toThrow(
      /not a CloudWatch alarm notification/,
    );
  });
});

describe("the local runtime's webhook channel", () => {
  it("posts the same body as the function, once, and only when the audience names it", async () => {
    // Prepare: one opened message for noc-slack, one for someone else
    server.route(SECRET_PATH, { body: "ok" });
    const outbox = new DynamoOutboxStore(await table.freshTable());
    const webhook = new WebhookNotifier("noc-slack", `${server.url}${SECRET_PATH}`, FAST);
    const deliverer = {
      notifiers: [webhook],
      recipients: [
        { id: "noc-slack", updates: false, quietHours: [], services: ["att"] },
        { id: "someone", updates: false, quietHours: [] },
      ],
    };
    await outbox.add(message);
    await outbox.add({
      ...message,
      key: "t-mobile-20230214T0200Z#opened",
      incidentId: "t-mobile-20230214T0200Z",
      service: "t-mobile",
    });

    // Act: two rounds (the second finds nothing new)
    await deliverPending(outbox, deliverer, message.createdAt);
    await deliverPending(outbox, deliverer, message.createdAt + 60_000);

    // Assess
    expect(posts()).toHaveLength(1);
    expect(JSON.parse(posts()[0]?.body ?? "")).toEqual(slackMessage(message.summary));
  });

  it("takes the URL from OUTCRY_WEBHOOK_URL_<ID> before the config, and says when there is none", () => {
    const warnings: string[] = [];
    const notifiers = localWebhookNotifiers(
      [{ id: "noc-slack", url: "http://127.0.0.1:9/from-config" }, { id: "ops" }],
      (line) => warnings.push(line),
      FIXTURE_NETWORK,
      { [webhookUrlVariable("noc-slack")]: "http://127.0.0.1:9/from-env" },
    );
    expect(webhookUrlVariable("noc-slack")).toBe("OUTCRY_WEBHOOK_URL_NOC_SLACK");
    expect(notifiers.map((n) => n.name)).toEqual(["webhook:noc-slack"]);
    expect(warnings).toEqual([
      "webhook ops has no URL here: set OUTCRY_WEBHOOK_URL_OPS (or its url in the config); its messages are only printed",
    ]);
  });
});
