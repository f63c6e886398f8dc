/**
 * The shard queue in AWS: one SQS queue per kind of work (collect, detect), read by the
 * function's event source mapping one message at a time.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { ShardQueue } from "../domain/ports";
import { jobBody, type ShardJob } from "../domain/shards";

/** SQS takes at most ten messages per batch. */
const BATCH = 10;
/** Rounds for the entries SQS did not take (it answers partial failures per entry). */
const ATTEMPTS = 3;

/**
 * {@link ShardQueue} on SQS: `SendMessageBatch` in tens; entries SQS refuses are sent
 * again, and when some still fail the call throws naming them (the tick fails, is
 * alarmed, and the next tick hands out every shard again).
 */
export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(jobs: readonly ShardJob[]): Promise<void> {
    for (let start = 0; start < jobs.length; start += BATCH) {
      let entries = jobs
        .slice(start, start + BATCH)
        .map((job, i) => ({ Id: String(start + i), MessageBody: jobBody(job) }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const { Failed = [] } = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        const failed = new Set(Failed.map((f) => f.Id));
        if (failed.size > 0 && attempt >= ATTEMPTS) {
          const why = Failed.map((f) => `${f.Id}: ${f.Code ?? "?"} ${f.Message ?? ""}`.trim());
          throw new Error(`SQS did not take ${failed.size} shard job(s): ${why.join("; ")}`);
        }
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
