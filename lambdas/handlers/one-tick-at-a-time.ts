/**
 * A middy middleware that runs a scheduled handler only while it holds its tick lease,
 * so two ticks of one kind never work at once: in AWS a late, retried or duplicated
 * EventBridge event can start a second invocation while the first still runs (reserved
 * concurrency of 1 prevents that only where the account can reserve it), and locally
 * nothing else would stop a second process on the same table.
 */
import type middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { TickLeaseStore } from "../domain/ports";
import { logger } from "./logger";

/** What a handler answers when another tick of its kind holds the lease. */
export interface TickSkipped {
  skipped: string;
}

/** True when a tick's result says it did not run. */
export function isTickSkipped(result: unknown): result is TickSkipped {
  return typeof (result as Partial<TickSkipped> | null)?.skipped === "string";
}

/**
 * Holds the lease `name` for the invocation's remaining time (its timeout bounds how
 * long a crashed holder keeps it), gives it back when the handler ends or fails, and
 * answers {@link TickSkipped} without running the handler when another holds it.
 *
 * @example middy(handler).use(oneTickAtATime("collect", () => deps.leases, Date.now));
 */
export function oneTickAtATime(
  name: string,
  leases: () => TickLeaseStore,
  now: () => number,
): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  const held = new WeakMap<object, string>();
  const release = async (request: middy.Request<unknown, unknown, Error, Context>) => {
    const holder = held.get(request);
    if (holder !== undefined) await leases().release(name, holder);
  };
  return {
    before: async (request) => {
      const holder = request.context.awsRequestId;
      const at = now();
      const until = at + request.context.getRemainingTimeInMillis();
      if (!(await leases().acquire(name, holder, at, until))) {
        logger.info(`another ${name} tick is running; this one skips`);
        return { skipped: `another ${name} tick is running` } satisfies TickSkipped;
      }
      held.set(request, holder);
      return undefined;
    },
    after: release,
    onError: release,
  };
}
