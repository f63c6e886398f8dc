/**
 * The shard queue of the local runtime: jobs a tick hands out wait in memory until the
 * runtime hands them, as SQS-shaped events, to the same handlers the queues drive in AWS.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import type { ShardQueue } from "../lambdas/domain/ports";
import { jobBody, type ShardJob } from "../lambdas/domain/shards";

/** A {@link ShardQueue} in memory: `send` keeps the jobs, `take` hands them out once. */
export class InProcessShardQueue implements ShardQueue {
  private waiting: ShardJob[] = [];

  async send(jobs: readonly ShardJob[]): Promise<void> {
    this.waiting.push(...jobs);
  }

  /** The jobs sent since the last call, oldest first. */
  take(): ShardJob[] {
    const jobs = this.waiting;
    this.waiting = [];
    return jobs;
  }
}

/**
 * The event Lambda's SQS event source hands a function for one message sent at `sentAt`
 * (epoch ms), on its `receiveCount`-th delivery.
 */
export function sqsEvent(job: ShardJob, queue: string, sentAt: number, receiveCount = 1): SQSEvent {
  const body = jobBody(job);
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(sentAt),
          SenderId: "local",
          ApproximateFirstReceiveTimestamp: String(sentAt),
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:local:000000000000:${queue}`,
        awsRegion: "local",
      },
    ],
  };
}
