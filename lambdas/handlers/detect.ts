/**
 * detect: on every scheduled tick, runs the detector over newly settled buckets, records
 * incident transitions and notifies.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { ScheduledEvent } from "aws-lambda";
import type { TickLeaseStore } from "../domain/ports";
import { SqsDeadLetterQueue } from "../notify/dead-letters";
import { SnsNotifier } from "../notify/sns-notifier";
import { type DetectDependencies, detectIncidents } from "../usecases/detect-incidents";
import { awsDependencies } from "../wiring/aws-dependencies";
import { requiredEnv } from "../wiring/environment";
import { logger } from "./logger";
import { oneTickAtATime } from "./one-tick-at-a-time";
import { scheduledTime } from "./scheduled-time";

/** The detect handler over the given dependencies, one tick at a time under `leases`. */
export function createDetectHandler(
  dependencies: () => DetectDependencies,
  leases: () => TickLeaseStore,
  now: () => number = Date.now,
) {
  return middy(async (event: ScheduledEvent) => {
    const result = await detectIncidents(dependencies(), scheduledTime(event));
    for (const failure of result.delivery.failed) {
      logger.warn("notification failed; will retry", failure);
    }
    for (const key of result.delivery.dead) {
      logger.error("notification kept failing; sent to the dead-letter queue", { key });
    }
    if (result.conflicts.length > 0) {
      logger.info("another tick saved first", { services: result.conflicts });
    }
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(oneTickAtATime("detect", leases, now));
}

/** Entry point of the detect function. */
const deployed = () =>
  awsDependencies({
    notifiers: () => [new SnsNotifier(new SNSClient({}), requiredEnv("TOPIC_ARN"))],
    deadLetters: () =>
      new SqsDeadLetterQueue(new SQSClient({}), requiredEnv("NOTIFICATION_DLQ_URL")),
  });
export const handler = createDetectHandler(
  () => deployed().detect,
  () => deployed().leases,
);
