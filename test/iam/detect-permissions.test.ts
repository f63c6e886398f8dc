/**
 * detect's policy, proven on a full incident: two carriers opening together (one grouped
 * message, held for a subscriber in quiet hours and told them in a digest after), a growth update, both resolving (one grouped message), and a third carrier whose notification keeps
 * failing until it goes to the dead-letter queue; the real handler over the real use
 * cases, publishing to SNS (with the topic's key) and sending to SQS, every call signed as
 * detect and decided against its policy from the synthesized template; and no grant in
 * that policy the ticks did not use.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { createDetectHandler } from "../../lambdas/handlers/detect";
import { SqsDeadLetterQueue } from "../../lambdas/notify/dead-letters";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { SqsShardQueue } from "../../lambdas/queue/sqs-shard-queue";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { type GatedStack, startGatedStack } from "../support/iam/gated-stack";
import { lambdaContext } from "../support/lambda-events";
import { shardedTick } from "../support/shard-ticks";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const BUCKET_MS = 5 * MINUTE_MS;
/** A tick a minute after bucket `index` closed, as the one-minute schedule runs it. */
const tickAfter = (index: number) => T0 + index * BUCKET_MS + BUCKET_MS + MINUTE_MS;

/**
 * Reports per bucket: two quiet hours; T-Mobile and Verizon surge together from bucket
 * 24, T-Mobile nearly tripling from bucket 27; quiet again from bucket 30; AT&T surges
 * alone from bucket 50.
 */
function count(service: string, index: number): number {
  if (service === "att") return index >= 50 && index < 56 ? 700 : 10;
  if (index < 24 || index >= 30) return 10;
  if (service === "verizon") return 400;
  return index < 27 ? 900 : 2500;
}
const SERVICES = ["t-mobile", "verizon", "att"];

let gated: GatedStack;

beforeAll(async () => {
  gated = await startGatedStack({
    services: [
      { id: "t-mobile", name: "T-Mobile", category: "carrier" },
      { id: "verizon", name: "Verizon", category: "carrier" },
      { id: "att", name: "AT&T", category: "carrier" },
    ],
    // An SMS subscriber too, so the SMS cap's states are read and written.
    subscribers: [
      { email: "noc@example.org", updates: true },
      { sms: "+15555550123", updates: true },
      // Asleep through the carriers' opening: held for them, told in a digest at 02:20.
      {
        email: "sleeper@example.org",
        timeZone: "UTC",
        quietHours: [{ start: "2024-01-01T01:30:00Z", end: "2024-01-01T02:20:00Z" }],
      },
    ],
    // A cap of an hour keeps the phone's update and resolution back, then says so.
    notifications: { groupWindowMinutes: 60, peakMultiples: [2], smsCapMinutes: 60 },
  });
  const series = new DynamoSeriesStore(gated.unchecked, 30);
  for (let index = 0; index < 80; index++) {
    for (const service of SERVICES) {
      await series.putCount(service, "reports", T0 + index * BUCKET_MS, count(service, index));
    }
  }
}, 60_000);
afterAll(async () => gated?.close());

describe("detect through the IAM gate", () => {
  it("opens, groups, updates, resolves and dead-letters, with nothing refused", async () => {
    // Prepare: detect as its entry point builds it, on detect's own clients
    const detect = gated.identity("detect");
    const env = detect.environment as Record<string, string>;
    let wall = T0;
    const deps = buildDependencies({
      config: gated.config,
      tableName: env.TABLE_NAME as string,
      client: gated.documents("detect"),
      notifiers: () => [
        new SnsNotifier(new SNSClient(gated.clientSettings("detect")), env.TOPIC_ARN as string),
      ],
      deadLetters: () =>
        new SqsDeadLetterQueue(
          new SQSClient(gated.clientSettings("detect")),
          env.NOTIFICATION_DLQ_URL as string,
        ),
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
    const tick = async (index: number) => {
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

    // Act: ticks through the first incident, then AT&T's with SNS failing every time
    for (let index = 20; index < 50; index++) await tick(index);
    const delivered = gated.aws.publishes.map((p) => [p.attributes.transition, p.subject]);
    gated.aws.failNextPublishes(1_000);
    for (let index = 50; index < 80 && gated.aws.sqsMessages.length === 0; index++) {
      await tick(index);
    }
    gated.aws.failNextPublishes(0);

    // Assess
    expect(gated.gate.refusals()).toEqual([]);
    expect(delivered).toEqual([
      ["opened", "T-Mobile outage; Verizon also elevated"],
      // The sleeper's, once their quiet hours ended with both still open.
      ["update", "While you were away: T-Mobile and Verizon outages, still elevated"],
      ["update", "T-Mobile outage growing: 2,500 reports, 2x the count at opening"],
      ["resolved", "Resolved: T-Mobile and Verizon outages"],
      // The phone's: its update and resolution were kept back, then counted in one text.
      ["resolved", "2 more outcry texts"],
    ]);
    expect(gated.aws.sqsMessages).toHaveLength(1);
    const dead = JSON.parse(gated.aws.sqsMessages[0]?.body ?? "{}");
    expect(dead.message.key).toBe("att-20240101T0410Z#opened");
    expect(dead.error).toMatch(/sns/);
  }, 60_000);

  it("has no grant that those ticks did not use", () => {
    // Act
    gated.lambdaServiceCalls("detect");

    // Assess
    expect(gated.unusedGrants("detect")).toEqual([]);
  });
});
