/**
 * The webhook function's policy, proven on its path: a message as detect publishes it,
 * handed over by SNS to the real handler, posted to two webhooks whose URLs live in
 * Secrets Manager (one secret the stack creates, one the config names), a post that
 * fails and is released for Lambda's retry, and a redelivery that posts nothing twice;
 * every call signed as the webhook function and decided against its policy from the
 * synthesized template; and no grant in that policy the path did not use.
 */
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OutgoingMessage } from "../../lambdas/domain/ports";
import { createWebhookHandler } from "../../lambdas/handlers/webhook";
import { publishInput } from "../../lambdas/notify/sns-notifier";
import { postWebhook } from "../../lambdas/notify/webhook-post";
import { DynamoWebhookDeliveryStore } from "../../lambdas/store/webhook-delivery-store";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { type GatedStack, startGatedStack } from "../support/iam/gated-stack";
import { lambdaContext } from "../support/lambda-events";
import { FIXTURE_NETWORK } from "../support/outbound";

let hook: FixtureServer;
let gated: GatedStack;

beforeAll(async () => {
  hook = await startFixtureServer();
  hook.route("/services/T0/B0/noc", { body: "ok" });
  // The ops webhook refuses the first message's three attempts, then takes everything.
  hook.route(
    "/services/T0/B0/ops",
    { status: 500 },
    { status: 500 },
    { status: 500 },
    { body: "ok" },
  );
  gated = await startGatedStack({
    services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
    webhooks: [{ id: "noc-slack" }, { id: "ops", secret: "ops-webhook-url" }],
  });
  const secrets = JSON.parse(gated.identity("webhook").environment.WEBHOOK_SECRETS as string);
  gated.aws.setSecret(`${hook.url}/services/T0/B0/noc`, secrets["noc-slack"]);
  gated.aws.setSecret(`${hook.url}/services/T0/B0/ops`, secrets.ops);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await gated?.close();
  await hook?.close();
});

/** What SNS hands the function for one message detect published. */
function snsEvent(message: OutgoingMessage): SNSEvent {
  const topicArn = gated.identity("detect").environment.TOPIC_ARN as string;
  const published = publishInput(topicArn, message);
  return {
    Records: [
      {
        EventSource: "aws:sns",
        Sns: {
          MessageId: message.key,
          TopicArn: topicArn,
          Message: JSON.parse(published.Message).lambda,
        },
      },
    ],
  } as unknown as SNSEvent;
}

const message: OutgoingMessage = {
  key: "t-mobile-20240101T0200Z#opened",
  deliveryKey: "t-mobile-20240101T0200Z#opened",
  incidentId: "t-mobile-20240101T0200Z",
  transition: "opened",
  service: "t-mobile",
  serviceName: "T-Mobile",
  category: "carrier",
  summary: {
    subject: "T-Mobile outage",
    text: "Reports of T-Mobile problems",
    sms: "T-Mobile outage",
  },
  createdAt: Date.parse("2024-01-01T02:00:00Z"),
  audience: ["noc-slack", "ops", "sub-0123456789"],
};

describe("the webhook function through the IAM gate", () => {
  it("claims, posts, releases a failure and skips a redelivery, with nothing refused", async () => {
    // Prepare: the handler as its entry point builds it, on the function's own clients
    const webhook = gated.identity("webhook");
    vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", gated.gate.endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", webhook.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_REGION", gated.gate.model.account.region);
    const { webhookUrlFromSecret } = await import("../../lambdas/wiring/secrets");
    const secrets = JSON.parse(webhook.environment.WEBHOOK_SECRETS as string) as Record<
      string,
      string
    >;
    const handler = createWebhookHandler(() => ({
      deliveries: new DynamoWebhookDeliveryStore({
        client: gated.documents("webhook"),
        tableName: webhook.environment.TABLE_NAME as string,
      }),
      urls: new Map(
        Object.entries(secrets).map(([id, secret]) => [id, webhookUrlFromSecret(id, secret)]),
      ),
      now: Date.now,
      post: (id, url, body) =>
        postWebhook(id, url, body, { outbound: FIXTURE_NETWORK, backoffMs: 1, maxRetryWaitMs: 1 }),
    }));
    const invoke = (event: SNSEvent) => handler(event, lambdaContext("webhook"));

    // Act: Lambda's first try fails for ops, its retry delivers, SNS then redelivers
    const first = invoke(snsEvent(message));
    await expect(first).rejects.toThrow(/webhook delivery failed/);
    const retried = await invoke(snsEvent(message));
    const redelivered = await invoke(snsEvent(message));

    // Assess
    expect(gated.gate.refusals()).toEqual([]);
    expect(retried).toEqual([{ delivered: ["ops"], skipped: ["noc-slack"], failed: [] }]);
    expect(redelivered).toEqual([{ delivered: [], skipped: ["noc-slack", "ops"], failed: [] }]);
    const posts = (path: string) => hook.requests.filter((r) => r.path === path).length;
    expect([posts("/services/T0/B0/noc"), posts("/services/T0/B0/ops")]).toEqual([1, 4]);
  });

  it("has no grant that the path did not use", () => {
    // Act
    gated.lambdaServiceCalls("webhook");

    // Assess
    expect(gated.unusedGrants("webhook")).toEqual([]);
  });
});
