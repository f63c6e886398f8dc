/**
 * What SnsNotifier publishes, through the real client to the SNS wire stand-in that
 * refuses what SNS refuses: an empty attribute value, a subject of 100 characters or on
 * two lines. The messages outcry sends (an opening, an SMS-cap note) pass.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../lambdas/domain/ports";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { type FakeAws, startFakeAws } from "../support/fake-aws";

const TOPIC = "arn:aws:sns:us-east-1:000000000000:outcry";
let aws: FakeAws;
let notifier: SnsNotifier;

beforeAll(async () => {
  aws = await startFakeAws();
  const client = new SNSClient({
    endpoint: aws.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  notifier = new SnsNotifier(client, TOPIC);
});
afterAll(async () => aws.close());

const opening: OutgoingMessage = {
  key: "t-mobile-20230214T0300Z#opened",
  deliveryKey: "t-mobile-20230214T0300Z#opened",
  incidentId: "t-mobile-20230214T0300Z",
  transition: "opened",
  service: "t-mobile",
  serviceName: "T-Mobile",
  category: "carrier",
  summary: {
    subject: "T-Mobile outage: more than 83,000 reports",
    text: "Reports of T-Mobile problems peaked at more than 83,000 at 10:20 p.m. ET.",
    sms: "T-Mobile outage: more than 83,000 reports at 10:20 p.m. ET.",
  },
  createdAt: Date.parse("2023-02-14T03:20:00Z"),
  audience: ["sub-1"],
};

describe("SNS Publish rules", () => {
  it("takes an opening as outcry words it", async () => {
    // Act
    await notifier.send(opening);

    // Assess
    expect(aws.publishes.at(-1)?.attributes.service).toBe("t-mobile");
  });

  it("refuses an empty attribute value, as SNS does", async () => {
    // Act
    const sending = notifier.send({ ...opening, service: "" });

    // Assess
    await expect(sending).rejects.toThrow(/message attribute 'service' must contain non-empty/);
  });

  it("refuses a subject of 100 characters or one with a line break", async () => {
    // Act
    const long = notifier.send({
      ...opening,
      summary: { ...opening.summary, subject: "x".repeat(100) },
    });
    const broken = notifier.send({ ...opening, summary: { ...opening.summary, subject: "a\nb" } });

    // Assess
    await expect(long).rejects.toThrow(/Subject/);
    await expect(broken).rejects.toThrow(/Subject/);
  });
});
