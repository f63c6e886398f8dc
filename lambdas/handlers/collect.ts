/**
 * collect: on every scheduled tick, gathers the closed buckets' counts from every source.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import type { TickLeaseStore } from "../domain/ports";
import { sourcesForService } from "../sources/sources-for-service";
import { type CollectDependencies, collectCounts } from "../usecases/collect-counts";
import { awsDependencies } from "../wiring/aws-dependencies";
import { outboundPolicyFromEnvironment } from "../wiring/environment";
import { logger } from "./logger";
import { oneTickAtATime } from "./one-tick-at-a-time";
import { scheduledTime } from "./scheduled-time";

/** Time kept back from the function's timeout for the writes after the last read. */
const FINISH_MARGIN_MS = 8_000;

/** The collect handler over the given dependencies, one tick at a time under `leases`. */
export function createCollectHandler(
  dependencies: () => CollectDependencies,
  leases: () => TickLeaseStore,
  now: () => number = Date.now,
) {
  return middy(async (event: ScheduledEvent, context: Context) => {
    // Leave time to write what was read and record health before the function times out.
    const finishBy = Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS;
    const result = await collectCounts(dependencies(), scheduledTime(event), { finishBy });
    for (const failure of result.failures) {
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
  })
    .use(injectLambdaContext(logger))
    .use(oneTickAtATime("collect", leases, now));
}

/** Entry point of the collect function. */
const deployed = () =>
  awsDependencies({
    sources: (service, stores) =>
      sourcesForService(service, stores, outboundPolicyFromEnvironment()),
  });
export const handler = createCollectHandler(
  () => deployed().collect,
  () => deployed().leases,
);
