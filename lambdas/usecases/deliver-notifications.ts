/**
 * Use case: deliver the messages the outbox holds, to every channel, once each.
 * 1. Take the messages that are due (never tried, or their retry time has come), oldest
 *    first, and claim each with a lease, so two ticks never send the same message.
 * 2. Send it to each channel that does not have it yet, noting each success, so a retry
 *    after a partial failure does not repeat a channel that already delivered.
 * 3. When every channel has it, it is sent. When one failed, it waits (1, 2, 4, 8, 16
 *    minutes) and is tried again by a later tick; after `MAX_ATTEMPTS` it goes to the
 *    dead-letter queue (alarmed in AWS) and stops holding its place, so a message that
 *    keeps failing never blocks the others.
 * A crash between a channel's delivery and the note that it delivered sends that channel
 * the message again when the lease runs out: at least once, never lost.
 */
import { MINUTE_MS } from "../domain/buckets";
import type { DeadLetterQueue, Notifier, OutboxStore } from "../domain/ports";

/** The channels messages go to. */
export interface Deliverer {
  notifiers: readonly Notifier[];
  /** Where a message goes after `MAX_ATTEMPTS` failed rounds. */
  deadLetters?: DeadLetterQueue;
}

/** What one delivery round did. */
export interface DeliveryResult {
  sent: string[];
  failed: { key: string; error: string }[];
  /** Messages given up on and sent to the dead-letter queue. */
  dead: string[];
}

/** How long a claimed message is reserved for its sender. */
export const LEASE_MS = 60_000;
/** Delivery rounds before a message goes to the dead-letter queue. */
export const MAX_ATTEMPTS = 6;
const BATCH = 25;

/** Wait before the next round after `attempts` failed ones: 1, 2, 4, 8, 16 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(16, 2 ** Math.max(0, attempts - 1)) * MINUTE_MS;
}

/**
 * Sends every due message to every notifier.
 * @example await deliverPending(outbox, { notifiers: [sns] }, Date.now());
 */
export async function deliverPending(
  outbox: OutboxStore,
  deliverer: Deliverer,
  nowMs: number,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: [], failed: [], dead: [] };
  for (const entry of await outbox.due(nowMs, BATCH)) {
    const { message } = entry;
    if (!(await outbox.claim(message.key, nowMs, nowMs + LEASE_MS))) continue;
    const attempts = entry.attempts + 1;
    const errors: string[] = [];
    for (const notifier of deliverer.notifiers) {
      if (entry.sentTo.includes(notifier.name)) continue;
      try {
        await notifier.send(message);
        await outbox.markChannelSent(message.key, notifier.name);
      } catch (error) {
        errors.push(`${notifier.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (errors.length === 0) {
      await outbox.markSent(message.key, nowMs);
      result.sent.push(message.key);
      continue;
    }
    const error = errors.join("; ");
    if (attempts >= MAX_ATTEMPTS && deliverer.deadLetters) {
      await deliverer.deadLetters.send(message, error);
      await outbox.markDead(message.key, error, nowMs);
      result.dead.push(message.key);
    } else {
      await outbox.markFailed(message.key, error, nowMs + retryDelayMs(attempts));
      result.failed.push({ key: message.key, error });
    }
  }
  return result;
}
