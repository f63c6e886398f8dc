/**
 * Use case: deliver the messages the outbox holds, to every channel, once each.
 * 1. Take the messages that are due (never tried, or their retry time has come), oldest
 *    first. Hold back for good an "opened" of a service in maintenance and the
 *    "resolved" that would follow it. "Opened" messages of one category within the
 *    grouping window go out as one message (see `domain/grouping.ts`); every other
 *    message goes out alone.
 * 2. Claim each message with a lease, so two ticks never send the same one.
 * 3. Send to each channel that does not have it yet, noting each success, so a retry
 *    after a partial failure does not repeat a channel that already delivered.
 * 4. When every channel has it, it is sent. When one failed, it waits (1, 2, 4, 8, 16
 *    minutes) and is tried again by a later tick; after `MAX_ATTEMPTS` it goes to the
 *    dead-letter queue (alarmed in AWS) and stops holding its place, so a message that
 *    keeps failing never blocks the others.
 * A crash between a channel's delivery and the note that it delivered sends that channel
 * the message again when the lease runs out: at least once, never lost.
 */
import { MINUTE_MS } from "../domain/buckets";
import { groupedSummary, groupOpened } from "../domain/grouping";
import type {
  DeadLetterQueue,
  Notifier,
  OutboxEntry,
  OutboxMessage,
  OutboxStore,
} from "../domain/ports";

/** The channels messages go to. */
export interface Deliverer {
  notifiers: readonly Notifier[];
  /** Where a message goes after `MAX_ATTEMPTS` failed rounds. */
  deadLetters?: DeadLetterQueue;
  /** Opened incidents of one category this close together go out as one message; 0 never groups. */
  groupWindowMs?: number;
  /** True for an "opened" message that must not go out (its service is in maintenance). */
  heldBack?: (message: OutboxMessage) => boolean;
}

/** What one delivery round did. */
export interface DeliveryResult {
  sent: string[];
  failed: { key: string; error: string }[];
  /** Messages given up on and sent to the dead-letter queue. */
  dead: string[];
  /** Messages held back for good: opened in maintenance, or resolving one that was. */
  heldBack: string[];
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
 * Sends one message that stands for `entries` (one, or a group) and records the outcome
 * of each. `compose` writes the message for the entries this tick could claim (a member
 * another tick holds is left to it).
 */
async function deliver(
  outbox: OutboxStore,
  deliverer: Deliverer,
  entries: readonly OutboxEntry[],
  compose: (claimed: readonly OutboxEntry[]) => OutboxMessage,
  nowMs: number,
  result: DeliveryResult,
): Promise<void> {
  const claimed: OutboxEntry[] = [];
  for (const entry of entries) {
    if (await outbox.claim(entry.message.key, nowMs, nowMs + LEASE_MS)) claimed.push(entry);
  }
  if (claimed.length === 0) return;
  const outgoing = compose(claimed);
  const errors: string[] = [];
  for (const notifier of deliverer.notifiers) {
    if (claimed.every((entry) => entry.sentTo.includes(notifier.name))) continue;
    try {
      await notifier.send(outgoing);
      for (const entry of claimed) await outbox.markChannelSent(entry.message.key, notifier.name);
    } catch (error) {
      errors.push(`${notifier.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const entry of claimed) {
    const { key } = entry.message;
    if (errors.length === 0) {
      await outbox.markSent(key, nowMs);
      result.sent.push(key);
      continue;
    }
    const error = errors.join("; ");
    if (entry.attempts + 1 >= MAX_ATTEMPTS && deliverer.deadLetters) {
      await deliverer.deadLetters.send(entry.message, error);
      await outbox.markDead(key, error, nowMs);
      result.dead.push(key);
    } else {
      await outbox.markFailed(key, error, nowMs + retryDelayMs(entry.attempts + 1));
      result.failed.push({ key, error });
    }
  }
}

/**
 * Holds back what must not go out: an "opened" whose service is in maintenance, and the
 * "resolved" of an incident whose "opened" was held back (a resolved message always
 * follows an opened one that was sent, and only then).
 */
async function withoutHeldBack(
  outbox: OutboxStore,
  deliverer: Deliverer,
  due: readonly OutboxEntry[],
  nowMs: number,
  result: DeliveryResult,
): Promise<OutboxEntry[]> {
  const kept: OutboxEntry[] = [];
  for (const entry of due) {
    const { message } = entry;
    const hold =
      message.transition === "opened"
        ? (deliverer.heldBack?.(message) ?? false)
        : await outbox.isSuppressed(`${message.incidentId}#opened`);
    if (hold) {
      await outbox.markSuppressed(message.key, nowMs);
      result.heldBack.push(message.key);
    } else {
      kept.push(entry);
    }
  }
  return kept;
}

/**
 * Sends every due message to every notifier.
 * @example await deliverPending(outbox, { notifiers: [sns], groupWindowMs: 300_000 }, Date.now());
 */
export async function deliverPending(
  outbox: OutboxStore,
  deliverer: Deliverer,
  nowMs: number,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: [], failed: [], dead: [], heldBack: [] };
  const due = await withoutHeldBack(
    outbox,
    deliverer,
    await outbox.due(nowMs, BATCH),
    nowMs,
    result,
  );
  const window = deliverer.groupWindowMs ?? 0;
  const opened = window > 0 ? due.filter((e) => e.message.transition === "opened") : [];
  const alone = due.filter((e) => !opened.includes(e));
  if (opened.length > 0) {
    const sent = await outbox.sentSince("opened", nowMs - 2 * window);
    const byKey = new Map(opened.map((e) => [e.message.key, e]));
    const groups = groupOpened(
      opened.map((e) => e.message),
      sent,
      window,
    );
    for (const group of groups) {
      const entries = group.members.flatMap((m) => byKey.get(m.key) ?? []);
      const compose = (claimed: readonly OutboxEntry[]) => {
        const members = claimed.map((e) => e.message);
        const [leader] = members;
        if (!leader) throw new Error("nothing claimed");
        return { ...leader, summary: groupedSummary({ members, joins: group.joins }) };
      };
      await deliver(outbox, deliverer, entries, compose, nowMs, result);
    }
  }
  for (const entry of alone) {
    await deliver(outbox, deliverer, [entry], () => entry.message, nowMs, result);
  }
  return result;
}
