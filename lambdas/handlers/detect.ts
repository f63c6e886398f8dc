/**
 * detect: on every scheduled tick, hands out the tick's shards to its queue (and delivers
 * what earlier ticks left); on each queue message, runs the detector over one shard's
 * newly settled buckets, records incident transitions and, when it finishes the tick,
 * correlates across shards and notifies.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, ScheduledEvent, SQSEvent } from "aws-lambda";
import type { ShardQueue, TickLeaseStore } from "../domain/ports";
import { SqsDeadLetterQueue } from "../notify/dead-letters";
import { SnsNotifier } from "../notify/sns-notifier";
import { SqsShardQueue } from "../queue/sqs-shard-queue";
import type { DeliveryResult } from "../usecases/deliver-notifications";
import { type DetectDependencies, detectShard, tickThrough } from "../usecases/detect-incidents";
import { dispatchDetect } from "../usecases/dispatch-detect";
import { awsDependencies } from "../wiring/aws-dependencies";
import { requiredEnv } from "../wiring/environment";
import { logger } from "./logger";
import { scheduledTime } from "./scheduled-time";
import { isSqsEvent, runShardJobs } from "./shard-worker";

function logDelivery(delivery: DeliveryResult | undefined): void {
  for (const failure of delivery?.failed ?? []) {
    logger.warn("notification failed; will retry", failure);
  }
  for (const key of delivery?.dead ?? []) {
    logger.error("notification kept failing; sent to the dead-letter queue", { key });
  }
}

/** The detect handler over the given dependencies, its shards handed out to `queue`. */
export function createDetectHandler(
  dependencies: () => DetectDependencies,
  leases: () => TickLeaseStore,
  queue: () => ShardQueue,
  now: () => number = Date.now,
) {
  return middy(async (event: ScheduledEvent | SQSEvent, context: Context) => {
    if (!isSqsEvent(event)) {
      const dispatched = await dispatchDetect(dependencies(), queue(), scheduledTime(event, now));
      logDelivery(dispatched.delivery);
      return dispatched;
    }
    return runShardJobs(event, context, "detect", leases, now, async (job) => {
      const deps = dependencies();
      const through = job.through ?? (await tickThrough(deps, job.at));
      const result = await detectShard(deps, { at: job.at, through, shard: job.shard });
      logDelivery(result.delivery);
      if (result.conflicts.length > 0) {
        logger.info("another tick saved first", { services: result.conflicts });
      }
      return result;
    });
  }).use(injectLambdaContext(logger));
}

/** Entry point of the detect function. */
const deployed = () =>
  awsDependencies({
    notifiers: () => [new SnsNotifier(new SNSClient({}), requiredEnv("TOPIC_ARN"))],
    deadLetters: () =>
      new SqsDeadLetterQueue(new SQSClient({}), requiredEnv("NOTIFICATION_DLQ_URL")),
  });
let queue: ShardQueue | undefined;
export const handler = createDetectHandler(
  () => deployed().detect,
  () => deployed().leases,
  () => {
    queue ??= new SqsShardQueue(new SQSClient({}), requiredEnv("SHARD_QUEUE_URL"));
    return queue;
  },
);
