/**
 * Use case: deliver the messages the outbox holds, to every channel, once each.
 * 1. Take the messages that are due (never tried, or their retry time has come), oldest
 *    first, and plan the round (`domain/delivery-plan.ts`): hold back for good an
 *    "opened" of a service in maintenance; "opened" messages of one category within the
 *    grouping window go out as one message (see `domain/grouping.ts`); every other
 *    message goes out alone, follow-ups last.
 * 2. Claim each message with a lease, so two ticks never send the same one.
 * 3. Decide and record its audience (see `domain/audience.ts`): who wants it and is not in
 *    quiet hours now; for a resolved, whoever was told of the incident. An update or a
 *    resolved waits while an earlier message of its incident is still pending, and is
 *    held back with an opened that was. A group joining one already sent goes in two
 *    wordings: an update for those who had the first message, news for the others.
 * 4. Send to each channel that does not have it yet, noting each success, so a retry
 *    after a partial failure does not repeat a channel that already delivered. A message
 *    whose audience is empty is recorded as delivered to nobody; no channel publishes it.
 * 5. When every channel has it, it is sent. When one failed, it waits (1, 2, 4, 8, 16
 *    minutes) and is tried again by a later tick; after `MAX_ATTEMPTS` it goes to the
 *    dead-letter queue (alarmed in AWS) and stops holding its place, so a message that
 *    keeps failing never blocks the others.
 * A crash between a channel's delivery and the note that it delivered sends that channel
 * the message again when the lease runs out: at least once, never lost.
 */
import { announcementAudience, type Recipient, splitByLeader } from "../domain/audience";
import { MINUTE_MS } from "../domain/buckets";
import { followUpStep, needsSentOpenings, planRound } from "../domain/delivery-plan";
import type { OpenedGroup } from "../domain/grouping";
import type {
  DeadLetterQueue,
  DeliveryPart,
  Notifier,
  OutboxEntry,
  OutboxMessage,
  OutboxStore,
} from "../domain/ports";
import { groupedSummary } from "../domain/wording/group-summary";

/** The channels messages go to. */
export interface Deliverer {
  notifiers: readonly Notifier[];
  /** Where a message goes after `MAX_ATTEMPTS` failed rounds. */
  deadLetters?: DeadLetterQueue;
  /** Opened incidents of one category this close together go out as one message; 0 never groups. */
  groupWindowMs?: number;
  /** True for an "opened" message that must not go out (its service is in maintenance). */
  heldBack?: (message: OutboxMessage) => boolean;
  /**
   * The subscribers and webhooks audiences are drawn from; without them every audience
   * is empty (only channels that show everything, like the console, show the message).
   */
  recipients?: readonly Recipient[];
}

/** What one delivery round did. */
export interface DeliveryResult {
  sent: string[];
  failed: { key: string; error: string }[];
  /** Messages given up on and sent to the dead-letter queue. */
  dead: string[];
  /** Messages held back for good: opened in maintenance, or following one that was. */
  heldBack: string[];
}

/** One wording of an outgoing message and who gets it. */
type Part = DeliveryPart;

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
 * of each. `compose` writes the message's parts for the entries this tick could claim (a
 * member another tick holds is left to it).
 */
async function deliver(
  outbox: OutboxStore,
  deliverer: Deliverer,
  entries: readonly OutboxEntry[],
  compose: (claimed: readonly OutboxEntry[]) => Promise<Part[]>,
  nowMs: number,
  result: DeliveryResult,
): Promise<void> {
  const claimed: OutboxEntry[] = [];
  for (const entry of entries) {
    if (await outbox.claim(entry.message.key, nowMs, nowMs + LEASE_MS)) claimed.push(entry);
  }
  const [first] = claimed;
  if (!first) return;
  // A retry sends what its first attempt planned (recorded before anything was sent), so
  // a channel that missed it gets that, and a channel that had it gets nothing again.
  const planned = first.attempts > 0 ? (await outbox.record(first.message.key))?.parts : null;
  let parts = planned ?? (await compose(claimed));
  if (!planned) {
    for (const entry of claimed) parts = await outbox.recordParts(entry.message.key, parts);
  }
  const errors: string[] = [];
  for (const notifier of deliverer.notifiers) {
    for (const part of parts) {
      const channel = part.wording ? `${notifier.name}/${part.wording}` : notifier.name;
      if (claimed.every((entry) => entry.sentTo.includes(channel))) continue;
      const { key } = first.message;
      try {
        await notifier.send({
          ...first.message,
          summary: part.summary,
          audience: part.audience,
          deliveryKey: part.wording ? `${key}/${part.wording}` : key,
        });
        for (const entry of claimed) await outbox.markChannelSent(entry.message.key, channel);
      } catch (error) {
        errors.push(`${channel}: ${error instanceof Error ? error.message : String(error)}`);
      }
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
 * Records `audience` on every claimed entry and returns what is recorded: on a retry, the
 * audience of the first attempt, so a retry never reaches someone new (or misses someone).
 */
async function recordAudience(
  outbox: OutboxStore,
  claimed: readonly OutboxEntry[],
  audience: readonly string[],
): Promise<string[]> {
  const recorded = new Set<string>();
  for (const entry of claimed) {
    for (const id of await outbox.recordAudience(entry.message.key, audience)) recorded.add(id);
  }
  return [...recorded].sort();
}

/** Parts whose audience is empty are not sent, unless all are (the message then goes to nobody). */
function withoutEmpty(parts: readonly Part[]): Part[] {
  const kept = parts.filter((part) => part.audience.length > 0);
  return kept.length > 0 ? kept : parts.slice(0, 1);
}

/** The parts of an opened message or group: one wording, or two when it joins a group sent before. */
async function openedParts(
  outbox: OutboxStore,
  deliverer: Deliverer,
  group: Pick<OpenedGroup, "joins">,
  claimed: readonly OutboxEntry[],
  nowMs: number,
): Promise<Part[]> {
  const members = claimed.map((e) => e.message);
  const fresh = announcementAudience(deliverer.recipients ?? [], members, nowMs);
  const audience = await recordAudience(outbox, claimed, fresh);
  if (!group.joins) return [{ summary: groupedSummary({ members, joins: null }), audience }];
  const leader = await outbox.record(group.joins.key);
  const { update, news } = splitByLeader(audience, leader?.audience ?? []);
  return withoutEmpty([
    { summary: groupedSummary({ members, joins: group.joins }), audience: update },
    { summary: groupedSummary({ members, joins: null }), audience: news, wording: "news" },
  ]);
}

/** Sends an update or a resolved message as {@link followUpStep} decides. */
async function deliverFollowUp(
  outbox: OutboxStore,
  deliverer: Deliverer,
  entry: OutboxEntry,
  nowMs: number,
  result: DeliveryResult,
): Promise<void> {
  const { message } = entry;
  const records = await outbox.incidentRecords(message.incidentId);
  const step = followUpStep(message, records, deliverer.recipients ?? [], nowMs);
  if (step.kind === "hold-back") {
    await outbox.markSuppressed(message.key, nowMs);
    result.heldBack.push(message.key);
    return;
  }
  if (step.kind === "wait") {
    await outbox.markFailed(message.key, step.reason, step.until);
    return;
  }
  const compose = async (claimed: readonly OutboxEntry[]): Promise<Part[]> => [
    { summary: message.summary, audience: await recordAudience(outbox, claimed, step.audience) },
  ];
  await deliver(outbox, deliverer, [entry], compose, nowMs, result);
}

/**
 * Sends every due message to every notifier, in the order {@link planRound} gives.
 * @example await deliverPending(outbox, { notifiers: [sns], groupWindowMs: 300_000 }, Date.now());
 */
export async function deliverPending(
  outbox: OutboxStore,
  deliverer: Deliverer,
  nowMs: number,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: [], failed: [], dead: [], heldBack: [] };
  const due = await outbox.due(nowMs, BATCH);
  const settings = {
    heldBack: deliverer.heldBack ?? (() => false),
    windowMs: deliverer.groupWindowMs ?? 0,
  };
  const sentOpenings = needsSentOpenings(due, settings)
    ? await outbox.sentSince("opened", nowMs - 2 * settings.windowMs)
    : [];
  for (const step of planRound(due, { ...settings, sentOpenings })) {
    if (step.kind === "hold-back") {
      await outbox.markSuppressed(step.entry.message.key, nowMs);
      result.heldBack.push(step.entry.message.key);
    } else if (step.kind === "opened") {
      const compose = (claimed: readonly OutboxEntry[]) =>
        openedParts(outbox, deliverer, { joins: step.joins }, claimed, nowMs);
      await deliver(outbox, deliverer, step.entries, compose, nowMs, result);
    } else {
      await deliverFollowUp(outbox, deliverer, step.entry, nowMs, result);
    }
  }
  return result;
}
