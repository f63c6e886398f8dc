/**
 * collect: on every scheduled tick, hands out the tick's shards to its queue; on each
 * queue message, gathers the closed buckets' counts from every source of one shard.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, ScheduledEvent, SQSEvent } from "aws-lambda";
import type { ShardQueue, TickLeaseStore } from "../domain/ports";
import { SqsShardQueue } from "../queue/sqs-shard-queue";
import { sourcesForService } from "../sources/sources-for-service";
import { type CollectDependencies, collectCounts } from "../usecases/collect-counts";
import { dispatchCollect } from "../usecases/dispatch-collect";
import { awsDependencies } from "../wiring/aws-dependencies";
import { outboundPolicyFromEnvironment, requiredEnv } from "../wiring/environment";
import { SecretsManagerSecretReader } from "../wiring/secret-readers";
import { logger } from "./logger";
import { scheduledTime } from "./scheduled-time";
import { isSqsEvent, runShardJobs } from "./shard-worker";

/** Time kept back from the function's timeout for the writes after the last read. */
const FINISH_MARGIN_MS = 8_000;

/** Options of {@link createCollectHandler}. */
export interface CollectHandlerOptions {
  /**
   * Log each failed source with its full message (default true). The local runtime turns
   * it off: it prints its own lines for the terminal, and a JSON line per failing source
   * per tick would bury them when the machine is offline.
   */
  logSourceFailures?: boolean;
}

/** The collect handler over the given dependencies, its shards handed out to `queue`. */
export function createCollectHandler(
  dependencies: () => CollectDependencies,
  leases: () => TickLeaseStore,
  queue: () => ShardQueue,
  now: () => number = Date.now,
  options: CollectHandlerOptions = {},
) {
  const logSourceFailures = options.logSourceFailures ?? true;
  return middy(async (event: ScheduledEvent | SQSEvent, context: Context) => {
    if (!isSqsEvent(event)) {
      return {
        jobs: await dispatchCollect(dependencies().config, queue(), scheduledTime(event, now)),
      };
    }
    return runShardJobs(event, context, "collect", leases, now, async (job) => {
      // Leave time to write what was read and record health before the function times out.
      const finishBy = Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS;
      const result = await collectCounts(dependencies(), job.at, { finishBy, shard: job.shard });
      for (const failure of logSourceFailures ? result.failures : []) {
        // The full message is for the operator, here only: health and the API keep the class.
        // `service` is a reserved key of the logger; the failing service goes in `serviceId`.
        logger.warn("source failed", {
          serviceId: failure.service,
          source: failure.source,
          error: failure.error,
          reason: failure.reason,
          ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
        });
      }
      return result;
    });
  }).use(injectLambdaContext(logger));
}

/** Entry point of the collect function. */
// Sources that sign in (bluesky) read their passwords from Secrets Manager; the stack
// lets collect read exactly the secrets the config names.
const secrets = new SecretsManagerSecretReader();
const deployed = () =>
  awsDependencies({
    sources: (service, stores) =>
      sourcesForService(service, { ...stores, secrets }, outboundPolicyFromEnvironment()),
  });
let queue: ShardQueue | undefined;
export const handler = createCollectHandler(
  () => deployed().collect,
  () => deployed().leases,
  () => {
    queue ??= new SqsShardQueue(new SQSClient({}), requiredEnv("SHARD_QUEUE_URL"));
    return queue;
  },
);
