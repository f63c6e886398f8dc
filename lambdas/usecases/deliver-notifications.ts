/**
 * Use case: deliver the messages the outbox holds. Each message is claimed with a lease
 * before it is sent and marked sent after, so it goes out once even when two ticks run
 * at the same time, and a message whose sender crashed or failed is sent again by a later
 * tick once its lease runs out.
 */
import type { Notifier, OutboxStore } from "../domain/ports";

/** The channels messages go to. */
export interface Deliverer {
  notifiers: readonly Notifier[];
}

/** What one delivery round did. */
export interface DeliveryResult {
  sent: string[];
  failed: { key: string; error: string }[];
}

/** How long a claimed message is reserved for its sender. */
export const LEASE_MS = 60_000;
const BATCH = 25;

/**
 * Sends every pending message to every notifier.
 * @example await deliverPending(outbox, { notifiers: [sns] }, Date.now());
 */
export async function deliverPending(
  outbox: OutboxStore,
  deliverer: Deliverer,
  nowMs: number,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: [], failed: [] };
  for (const message of await outbox.pending(BATCH)) {
    if (!(await outbox.claim(message.key, nowMs, nowMs + LEASE_MS))) continue;
    try {
      for (const notifier of deliverer.notifiers) await notifier.send(message);
      await outbox.markSent(message.key, nowMs);
      result.sent.push(message.key);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      await outbox.markFailed(message.key, text);
      result.failed.push({ key: message.key, error: text });
    }
  }
  return result;
}
