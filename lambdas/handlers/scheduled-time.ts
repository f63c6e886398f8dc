/**
 * The clock of a scheduled tick: EventBridge's `time` field, so a retried or replayed
 * event works on the buckets of its own minute, not of the moment it was retried.
 */
import type { ScheduledEvent } from "aws-lambda";

/** The time an EventBridge scheduled event was raised for, in epoch ms. */
export function scheduledTime(
  event: Pick<ScheduledEvent, "time">,
  fallback: () => number = Date.now,
): number {
  const time = Date.parse(event?.time ?? "");
  return Number.isNaN(time) ? fallback() : time;
}
