/**
 * Use case: deliver the messages the outbox holds, to every channel, once each.
 * 1. Take the messages that are due (never tried, or their retry time has come), oldest
 *    first. Hold back for good an "opened" of a service in maintenance. "Opened" messages
 *    of one category within the grouping window go out as one message (see
 *    `domain/grouping.ts`); every other message goes out alone.
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
import {
  announcementAudience,
  interestedAudience,
  type Recipient,
  resolvedAudience,
  splitByLeader,
} from "../domain/audience";
import { MINUTE_MS } from "../domain/buckets";
import { groupOpened, type OpenedGroup } from "../domain/grouping";
import type {
  DeadLetterQueue,
  DeliveryPart,
  Notifier,
  OutboxEntry,
  OutboxMessage,
  OutboxRecord,
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
/** How long a follow-up waits before it looks again at an earlier message being retried. */
const FOLLOW_UP_WAIT_MS = MINUTE_MS;
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

/**
 * Sends an update or a resolved message, after the incident's earlier messages: it waits
 * while one of them is pending, is held back when the opening was (maintenance), and a
 * resolved goes to whoever the opening and the updates reached.
 */
async function deliverFollowUp(
  outbox: OutboxStore,
  deliverer: Deliverer,
  entry: OutboxEntry,
  nowMs: number,
  result: DeliveryResult,
): Promise<void> {
  const { message } = entry;
  const records = await outbox.incidentRecords(message.incidentId);
  const opened = records.find((r) => r.message.transition === "opened");
  if (opened?.state === "suppressed") {
    await outbox.markSuppressed(message.key, nowMs);
    result.heldBack.push(message.key);
    return;
  }
  // Strictly earlier: by time, then by key, so two updates recorded in one step (a jump
  // past two multiples) cannot each wait for the other.
  const before = (r: OutboxRecord) =>
    r.message.createdAt < message.createdAt ||
    (r.message.createdAt === message.createdAt && r.message.key < message.key);
  const earlier = records.filter(
    (r) => r.message.key !== message.key && r.message.transition !== "resolved" && before(r),
  );
  // A resolved never overtakes its opening: it waits for the opening's retries, out of
  // the way (a retry time), so waiting messages never fill a delivery batch.
  const waitingFor = earlier.find((r) => r.state === "pending");
  if (waitingFor) {
    // Due again with the message it waits for (openings go first in a round), or in a
    // minute when that one has no retry time yet.
    const until =
      waitingFor.retryAt !== null && waitingFor.retryAt > nowMs
        ? waitingFor.retryAt
        : nowMs + FOLLOW_UP_WAIT_MS;
    await outbox.markFailed(message.key, `waits for ${waitingFor.message.key}`, until);
    return;
  }
  const recipients = deliverer.recipients ?? [];
  const compose = async (claimed: readonly OutboxEntry[]): Promise<Part[]> => {
    let fresh: string[];
    if (message.transition !== "resolved") {
      fresh = announcementAudience(recipients, [message], nowMs);
    } else if (opened?.audience) {
      // Only messages that went out told anyone: a dead-lettered opening told nobody.
      fresh = resolvedAudience(
        recipients,
        earlier.filter((r) => r.state === "sent").flatMap((r) => r.audience ?? []),
      );
    } else {
      // The opening left no audience (it went out before audiences were recorded, or its
      // record expired): it reached everyone who wanted it then, so they hear it end.
      fresh = interestedAudience(recipients, [message]);
    }
    const audience = await recordAudience(outbox, claimed, fresh);
    return [{ summary: message.summary, audience }];
  };
  await deliver(outbox, deliverer, [entry], compose, nowMs, result);
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
  const due: OutboxEntry[] = [];
  for (const entry of await outbox.due(nowMs, BATCH)) {
    const { message } = entry;
    if (message.transition === "opened" && (deliverer.heldBack?.(message) ?? false)) {
      await outbox.markSuppressed(message.key, nowMs);
      result.heldBack.push(message.key);
    } else {
      due.push(entry);
    }
  }
  const window = deliverer.groupWindowMs ?? 0;
  // A retried opening goes alone, as its first attempt planned; only fresh ones group.
  const retried = due.filter((e) => e.message.transition === "opened" && e.attempts > 0);
  for (const entry of retried) {
    const compose = (claimed: readonly OutboxEntry[]) =>
      openedParts(outbox, deliverer, { joins: null }, claimed, nowMs);
    await deliver(outbox, deliverer, [entry], compose, nowMs, result);
  }
  const opened = due.filter((e) => e.message.transition === "opened" && e.attempts === 0);
  if (opened.length > 0 && window > 0) {
    const sent = await outbox.sentSince("opened", nowMs - 2 * window);
    const byKey = new Map(opened.map((e) => [e.message.key, e]));
    const groups = groupOpened(
      opened.map((e) => e.message),
      sent,
      window,
    );
    for (const group of groups) {
      const entries = group.members.flatMap((m) => byKey.get(m.key) ?? []);
      const compose = (claimed: readonly OutboxEntry[]) =>
        openedParts(outbox, deliverer, group, claimed, nowMs);
      await deliver(outbox, deliverer, entries, compose, nowMs, result);
    }
  } else {
    for (const entry of opened) {
      const compose = (claimed: readonly OutboxEntry[]) =>
        openedParts(outbox, deliverer, { joins: null }, claimed, nowMs);
      await deliver(outbox, deliverer, [entry], compose, nowMs, result);
    }
  }
  // Follow-ups after the openings, so one opened and resolved in the same round go in order.
  for (const entry of due.filter((e) => e.message.transition !== "opened")) {
    await deliverFollowUp(outbox, deliverer, entry, nowMs, result);
  }
  return result;
}
