/**
 * Self-service subscribers through SNS at the wire: the api function subscribes them and
 * texts the code, detect publishes an incident's opening and resolution, and the wire
 * fake of SNS (its filter policies, its pending email confirmations) says which address
 * each message reached. Both functions run as their entry points build them, signed as
 * themselves and checked against their policies from the synthesized template.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { createApiHandler } from "../../lambdas/handlers/api";
import { createDetectHandler } from "../../lambdas/handlers/detect";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { SnsSubscriptionGateway } from "../../lambdas/notify/sns-subscriptions";
import { SqsShardQueue } from "../../lambdas/queue/sqs-shard-queue";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { type GatedStack, startGatedStack } from "../support/iam/gated-stack";
import { httpEvent, lambdaContext } from "../support/lambda-events";
import { CHEAP_CHALLENGE } from "../support/report-client";
import { shardedTick } from "../support/shard-ticks";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const BUCKET_MS = 5 * MINUTE_MS;
/** A tick a minute after bucket `index` closed. */
const tickAfter = (index: number) => T0 + index * BUCKET_MS + BUCKET_MS + MINUTE_MS;
/** T-Mobile surges from bucket 24 to 29; Verizon stays quiet. */
const count = (service: string, index: number) =>
  service === "t-mobile" && index >= 24 && index < 30 ? 900 : 10;

let gated: GatedStack;
let wall = T0;

beforeAll(async () => {
  gated = await startGatedStack(
    {
      services: [
        { id: "t-mobile", name: "T-Mobile", category: "carrier" },
        { id: "verizon", name: "Verizon", category: "carrier" },
      ],
      reports: { challenge: CHEAP_CHALLENGE },
      subscriptions: { sms: true },
    },
    { secret: "reporter-salt" },
  );
  const series = new DynamoSeriesStore(gated.unchecked, 30);
  for (let index = 0; index < 50; index++) {
    for (const service of ["t-mobile", "verizon"]) {
      await series.putCount(service, "reports", T0 + index * BUCKET_MS, count(service, index));
    }
  }
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await gated?.close();
});

/** The api function as its entry point builds it, on its own clients. */
async function apiFunction() {
  const api = gated.identity("api");
  vi.resetModules();
  vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", gated.gate.endpoint);
  vi.stubEnv("AWS_ACCESS_KEY_ID", api.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  vi.stubEnv("AWS_REGION", gated.gate.model.account.region);
  vi.stubEnv("REPORTER_SALT_SECRET_ARN", api.environment.REPORTER_SALT_SECRET_ARN as string);
  const secrets = await import("../../lambdas/wiring/secrets");
  const deps = buildDependencies({
    config: gated.config,
    tableName: api.environment.TABLE_NAME as string,
    client: gated.documents("api"),
    notifiers: () => [],
    salt: secrets.reporterSaltFromSecret,
    subscriptionGateway: () =>
      new SnsSubscriptionGateway(
        new SNSClient(gated.clientSettings("api")),
        api.environment.TOPIC_ARN as string,
      ),
    now: () => wall,
  });
  const handler = createApiHandler(() => deps.api);
  return async (path: string, body: Record<string, unknown> | null, sourceIp: string) => {
    const event = httpEvent(body ? "POST" : "GET", path, body ? { body, sourceIp } : { sourceIp });
    const result = await handler(event, lambdaContext("api"));
    return { status: result.statusCode ?? 0, body: JSON.parse(String(result.body ?? "{}")) };
  };
}

/** detect as its entry point builds it, publishing to the topic. */
function detectFunction() {
  const detect = gated.identity("detect");
  const env = detect.environment as Record<string, string>;
  const deps = buildDependencies({
    config: gated.config,
    tableName: env.TABLE_NAME as string,
    client: gated.documents("detect"),
    notifiers: () => [
      new SnsNotifier(new SNSClient(gated.clientSettings("detect")), env.TOPIC_ARN as string),
    ],
    salt: () => Promise.reject(new Error("detect has no salt")),
    now: () => wall,
  });
  const queue = new SqsShardQueue(
    new SQSClient(gated.clientSettings("detect")),
    env.SHARD_QUEUE_URL as string,
  );
  const handler = createDetectHandler(
    () => deps.detect,
    () => deps.leases,
    () => queue,
    () => wall,
  );
  return async (index: number) => {
    wall = tickAfter(index);
    const shards = await shardedTick(
      handler,
      gated.aws,
      env.SHARD_QUEUE_URL as string,
      wall,
      lambdaContext("detect"),
    );
    expect(shards.flatMap((s) => s.batchItemFailures)).toEqual([]);
  };
}

describe("self-service subscribers at the wire", () => {
  it("reach exactly the confirmed addresses, with the opening and the resolution", async () => {
    // Arrange: three people ask at 01:40, before the surge
    wall = tickAfter(20);
    const post = await apiFunction();
    const tick = detectFunction();
    const subscribe = async (address: Record<string, unknown>, sourceIp: string) => {
      const challenge = await post("/reports/challenge", null, sourceIp);
      const altcha = await solveReportChallenge(challenge.body);
      return post("/subscriptions", { ...address, altcha }, sourceIp);
    };
    const ana = await subscribe(
      { email: "ana@example.org", services: ["t-mobile"] },
      "198.51.100.1",
    );
    const bo = await subscribe({ email: "bo@example.org" }, "198.51.100.2");
    const phone = await subscribe({ phone: "+15555550123" }, "198.51.100.3");
    const codeText = gated.aws.sns.deliveries.find((d) => d.endpoint === "+15555550123");
    const code = /outcry code (\d{6})/.exec(codeText?.body ?? "")?.[1];
    const confirmed = await post(
      "/subscriptions/confirm",
      { subscription: phone.body.subscription, code },
      "198.51.100.3",
    );
    // Ana follows SNS's link; Bo never does.
    const anas = gated.aws.sns.subscriptions.find((s) => s.endpoint === "ana@example.org");
    gated.aws.sns.confirm(anas?.arn ?? "");

    // Act: the surge opens T-Mobile's incident; the phone leaves before it resolves
    for (let index = 20; index < 31; index++) await tick(index);
    const left = await post(
      "/subscriptions/unsubscribe",
      { token: confirmed.body.unsubscribeToken },
      "198.51.100.3",
    );
    for (let index = 31; index < 45; index++) await tick(index);

    // Assert
    expect([ana.status, bo.status, phone.status, confirmed.status, left.status]).toEqual([
      202, 202, 202, 200, 200,
    ]);
    expect(gated.gate.refusals()).toEqual([]);
    const to = (endpoint: string) =>
      gated.aws.sns.deliveries
        .filter((d) => d.endpoint === endpoint)
        .map((d) => (d.kind === "confirmation" ? "confirmation" : d.body.split("\n")[0]));
    expect(to("ana@example.org")).toEqual([
      "confirmation",
      expect.stringMatching(/^Reports of T-Mobile problems reached 900 .*Still elevated/),
      expect.stringMatching(/^Reports of T-Mobile problems peaked at 900 .*Resolved at/),
    ]);
    // Bo never confirmed: SNS gave him nothing but its confirmation.
    expect(to("bo@example.org")).toEqual(["confirmation"]);
    expect(to("+15555550123")).toEqual([
      expect.stringMatching(/^outcry code \d{6}/),
      expect.stringMatching(/T-Mobile/),
    ]);
    expect(gated.aws.sns.subscriptions.map((s) => s.endpoint).sort()).toEqual([
      "ana@example.org",
      "bo@example.org",
    ]);
  }, 60_000);
});
