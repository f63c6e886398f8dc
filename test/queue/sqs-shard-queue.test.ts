/**
 * Shard jobs to SQS through the real client, against the SQS wire stand-in: in batches
 * of ten, entries SQS did not take sent again, and a clear error when they keep failing.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIso } from "../../lambdas/domain/buckets";
import { parseJobBody, tickJobs } from "../../lambdas/domain/shards";
import { SqsShardQueue } from "../../lambdas/queue/sqs-shard-queue";
import { type FakeAws, startFakeAws } from "../support/fake-aws";

const AT = parseIso("2024-01-01T00:01:00Z");
let aws: FakeAws;
let client: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  aws = await startFakeAws();
  client = new SQSClient({
    endpoint: aws.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  queueUrl = `${aws.endpoint}/000000000000/collect-shards`;
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});

describe("SqsShardQueue", () => {
  it("sends every job once, in batches of ten, again for the entries SQS refused", async () => {
    // Prepare: 25 jobs, the first three entries refused
    aws.sqsMessages.length = 0;
    aws.failNextBatchEntries(3);
    const jobs = tickJobs("collect", AT, 25);

    // Act
    await new SqsShardQueue(client, queueUrl).send(jobs);

    // Assess
    const sent = aws.sqsMessages.map((m) => parseJobBody(m.body).shard.index).sort((a, b) => a - b);
    expect(sent).toEqual(jobs.map((j) => j.shard.index));
    expect(new Set(aws.sqsMessages.map((m) => m.queueUrl))).toEqual(new Set([queueUrl]));
  });

  it("throws naming the entries SQS kept refusing", async () => {
    aws.failNextBatchEntries(100);
    await expect(
      new SqsShardQueue(client, queueUrl).send(tickJobs("collect", AT, 2)),
    ).rejects.toThrow(
      /SQS did not take 2 shard job\(s\): 0: InternalError injected; 1: InternalError injected/,
    );
    aws.failNextBatchEntries(0);
  });
});
