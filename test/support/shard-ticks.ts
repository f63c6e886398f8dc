/**
 * A whole tick of collect or detect as AWS runs it: the scheduled invocation hands out
 * the shards (through the real SQS client, to the fake SQS), then each message the
 * queue got is handed back to the same handler as its SQS event source would.
 */
import type { Context, ScheduledEvent, SQSEvent } from "aws-lambda";
import { parseJobBody } from "../../lambdas/domain/shards";
import type { ShardBatchResult } from "../../lambdas/handlers/shard-worker";
import { sqsEvent } from "../../local/shard-queue";
import type { FakeAws } from "./fake-aws";
import { scheduledEvent } from "./lambda-events";

type Handler = (event: ScheduledEvent & SQSEvent, context: Context) => Promise<unknown>;

/**
 * Runs the tick at `at`: its hand-out, then every shard job sent to `queueUrl` (taken off
 * `aws.sqsMessages`), in order, as sent at `sentAt` (the wall clock; by default `at`).
 * Returns each job's batch result.
 * @example const [shard] = await shardedTick(handler, gated.aws, env.SHARD_QUEUE_URL, NOW, context);
 */
export async function shardedTick<R>(
  handler: (event: never, context: Context) => Promise<unknown>,
  aws: FakeAws,
  queueUrl: string,
  at: number,
  context: Context,
  sentAt = at,
): Promise<ShardBatchResult<R>[]> {
  const run = handler as unknown as Handler;
  const before = aws.sqsMessages.length;
  await run(scheduledEvent(at) as ScheduledEvent & SQSEvent, context);
  const sent = aws.sqsMessages.splice(before).filter((message) => {
    if (message.queueUrl === queueUrl) return true;
    aws.sqsMessages.push(message);
    return false;
  });
  const results: ShardBatchResult<R>[] = [];
  for (const message of sent) {
    const event = sqsEvent(parseJobBody(message.body), "shards", sentAt);
    results.push((await run(event as ScheduledEvent & SQSEvent, context)) as ShardBatchResult<R>);
  }
  return results;
}
