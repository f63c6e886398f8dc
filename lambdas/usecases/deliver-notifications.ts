/**
 * Use case: deliver the messages the outbox holds, to every channel, once each.
 * 0. Release what quiet hours or a maintenance window held and is over now: one digest
 *    per recipient or service, recorded in the outbox to go in this round
 *    (`held-round.ts`).
 * 1. Take the messages that are due (never tried, or their retry time has come), oldest
 *    first, and plan the round (`domain/delivery-plan.ts`): hold back an "opened" of a
 *    service in maintenance (held for its digest); "opened" messages of one category within the
 *    grouping window go out as one message (see `domain/grouping.ts`), and so do
 *    resolutions; updates go out alone, follow-ups last.
 * 2. Claim each message with a lease, so two ticks never send the same one. Claims and
 *    marks go {@link STORE_CONCURRENCY} at a time, so a group of a thousand takes seconds;
 *    past the round's time budget (`finishBy`) nothing more is claimed, and what is left
 *    stays due for the next round.
 * 3. Decide and record its audience (see `domain/audience.ts`): who wants it and is not in
 *    quiet hours now (those who are get it held for their digest); for a resolved or a
 *    reminder, whoever was told of the incident (a reminder the resolution overtook is
 *    held back). An update or a
 *    resolved waits while an earlier message of its incident is still pending, and is
 *    held back with an opened that was. A group joining one already sent goes in two
 *    wordings: an update for those who had the first message, news for the others; a
 *    group of resolutions tells each recipient of the incidents they were told of.
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
  isQuiet,
  type Recipient,
  splitByLeader,
  wants,
} from "../domain/audience";
import { MINUTE_MS } from "../domain/buckets";
import {
  followUpStep,
  groupResolutions,
  needsSentOpenings,
  planRound,
} from "../domain/delivery-plan";
import { type OpenedGroup, STATED_FOLD } from "../domain/grouping";
import { inParallel, STORE_CONCURRENCY } from "../domain/in-parallel";
import type {
  DeadLetterQueue,
  DeliveryPart,
  Notifier,
  OutboxEntry,
  OutboxMessage,
  OutboxStore,
} from "../domain/ports";
import { isReminder } from "../domain/reminders";
import { groupedResolution, groupedSummary } from "../domain/wording/group-summary";
import { groupedReminder } from "../domain/wording/reminder-summary";
import { type Holding, holdForMaintenance, holdForQuiet, releaseHeld } from "./held-round";
import { type SmsCap, SmsCapRound } from "./sms-cap-round";

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
  /**
   * The self-service subscribers (`POST /subscriptions`), read at the start of each round
   * and added to `recipients`.
   */
  selfSubscribers?: () => Promise<readonly Recipient[]>;
  /**
   * How long a round may go on claiming when its caller gives no `finishBy`, measured on
   * `clock`; none: no limit.
   */
  budgetMs?: number;
  /** The wall clock the budget is measured on (`Date.now`). */
  clock?: () => number;
  /** At most one SMS per category per subscriber in a while (see `domain/sms-cap.ts`). */
  smsCap?: SmsCap;
  /**
   * Where messages kept from someone by quiet hours or maintenance wait for their digest
   * (`usecases/held-round.ts`); without it they are left out, as before digests.
   */
  holding?: Holding;
}

/** How one round is bounded. */
export interface DeliveryOptions {
  /**
   * Wall-clock time (ms, on the deliverer's clock) after which the round claims nothing
   * more: set it before the function's timeout, and what is left goes next round.
   */
  finishBy?: number;
}

/** What one delivery round did. */
export interface DeliveryResult {
  sent: string[];
  failed: { key: string; error: string }[];
  /** Messages given up on and sent to the dead-letter queue. */
  dead: string[];
  /**
   * Messages held back for good: opened in maintenance (held for a digest when the
   * deliverer has `holding`), following one that was, or a reminder its resolution
   * overtook.
   */
  heldBack: string[];
  /** Digests of held messages recorded this round (they go out in it). */
  digests?: string[];
  /** Texts that told an SMS subscriber what the cap kept back (their delivery keys). */
  capNotes?: string[];
}

/** One wording of an outgoing message and who gets it. */
type Part = DeliveryPart;

/** How long a claimed message is reserved for its sender. */
export const LEASE_MS = 60_000;
/** Delivery rounds before a message goes to the dead-letter queue. */
export const MAX_ATTEMPTS = 6;
/**
 * Due messages one round reads. A mass outage's openings are all in one round, so they
 * group into one message per category, not one per page.
 */
export const ROUND_LIMIT = 2_000;
/** The time budget of a round in the functions, when the caller gives no `finishBy`. */
export const DELIVERY_BUDGET_MS = 25_000;
/** Messages that go out alone (updates, retries) sent at once. */
const SEND_CONCURRENCY = 8;

/** Wait before the next round after `attempts` failed ones: 1, 2, 4, 8, 16 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(16, 2 ** Math.max(0, attempts - 1)) * MINUTE_MS;
}

/** What every step of one round shares. */
interface Round {
  outbox: OutboxStore;
  deliverer: Deliverer;
  nowMs: number;
  result: DeliveryResult;
  /** True once the round's time budget is spent: claim nothing more. */
  outOfTime: () => boolean;
  /** The SMS cap over this round; null when nothing is capped. */
  smsCap: SmsCapRound | null;
}

/** What a message goes out as, and who each of its entries goes to (recorded with it). */
interface Composed {
  parts: Part[];
  audienceOf: (entry: OutboxEntry) => string[];
}

/**
 * Sends one message that stands for `entries` (one, or a group) and records the outcome
 * of each. `compose` writes the message's parts for the entries this tick could claim (a
 * member another tick holds is left to it). Each entry takes three writes whatever the
 * size of the group: its claim, its plan (audience and parts, before anything is sent),
 * its outcome; a channel that delivered is noted before the next is tried, the last one
 * with the outcome.
 */
async function deliver(
  round: Round,
  entries: readonly OutboxEntry[],
  compose: (claimed: readonly OutboxEntry[]) => Promise<Composed>,
): Promise<void> {
  const { outbox, deliverer, nowMs, result } = round;
  const claims = await inParallel(entries, STORE_CONCURRENCY, async (entry) =>
    !round.outOfTime() && (await outbox.claim(entry.message.key, nowMs, nowMs + LEASE_MS))
      ? entry
      : null,
  );
  const claimed = claims.filter((entry): entry is OutboxEntry => entry !== null);
  const [first] = claimed;
  if (!first) return;
  // A retry sends what its first attempt planned (recorded before anything was sent), so
  // a channel that missed it gets that, and a channel that had it gets nothing again.
  let parts = first.attempts > 0 ? (await outbox.record(first.message.key))?.parts : null;
  if (!parts) {
    const composed = await compose(claimed);
    if (round.smsCap) composed.parts = await round.smsCap.apply(first.message, composed.parts);
    const group = claimed.length > 1 ? first.message.key : undefined;
    const recorded = await inParallel(claimed, STORE_CONCURRENCY, (entry) =>
      outbox.recordParts(entry.message.key, composed.parts, {
        group,
        audience: composed.audienceOf(entry),
      }),
    );
    parts = recorded[0] ?? composed.parts;
  }
  const errors: string[] = [];
  /** Channels that delivered and are not noted yet. */
  let unnoted: string[] = [];
  const note = async () => {
    const channels = unnoted;
    unnoted = [];
    for (const channel of channels) {
      await inParallel(claimed, STORE_CONCURRENCY, (entry) =>
        outbox.markChannelSent(entry.message.key, channel),
      );
    }
  };
  for (const notifier of deliverer.notifiers) {
    for (const part of parts) {
      const channel = part.wording ? `${notifier.name}/${part.wording}` : notifier.name;
      if (claimed.every((entry) => entry.sentTo.includes(channel))) continue;
      await note();
      const { key } = first.message;
      try {
        await notifier.send({
          ...first.message,
          summary: part.summary,
          audience: part.audience,
          deliveryKey: part.wording ? `${key}/${part.wording}` : key,
        });
        unnoted.push(channel);
      } catch (error) {
        errors.push(`${channel}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  await inParallel(claimed, STORE_CONCURRENCY, async (entry) => {
    const { key } = entry.message;
    if (errors.length === 0) {
      await outbox.markSent(key, nowMs, unnoted);
      result.sent.push(key);
      return;
    }
    const error = errors.join("; ");
    if (entry.attempts + 1 >= MAX_ATTEMPTS && deliverer.deadLetters) {
      await deliverer.deadLetters.send(entry.message, error);
      await outbox.markDead(key, error, nowMs);
      result.dead.push(key);
    } else {
      const retryAt = nowMs + retryDelayMs(entry.attempts + 1);
      await outbox.markFailed(key, error, retryAt, unnoted);
      result.failed.push({ key, error });
    }
  });
}

/** Parts whose audience is empty are not sent, unless all are (the message then goes to nobody). */
function withoutEmpty(parts: readonly Part[]): Part[] {
  const kept = parts.filter((part) => part.audience.length > 0);
  return kept.length > 0 ? kept : parts.slice(0, 1);
}

/** The parts of an opened message or group: one wording, or two when it joins a group sent before. */
async function openedParts(
  round: Round,
  group: Pick<OpenedGroup, "joins">,
  claimed: readonly OutboxEntry[],
): Promise<Composed> {
  const { outbox, deliverer, nowMs } = round;
  const members = claimed.map((e) => e.message);
  const recipients = deliverer.recipients ?? [];
  const audience = announcementAudience(recipients, members, nowMs);
  const { holding } = deliverer;
  if (holding) {
    // Those who want it but are in quiet hours hear of it in their digest.
    const quiet = recipients.filter((r) => isQuiet(r, nowMs));
    for (const member of members) {
      const ids = quiet.filter((r) => wants(r, member)).map((r) => r.id);
      await holdForQuiet(holding, member, [...new Set(ids)], nowMs);
    }
  }
  const audienceOf = () => audience;
  if (!group.joins) {
    return { parts: [{ summary: groupedSummary({ members, joins: null }), audience }], audienceOf };
  }
  const leader = await outbox.record(group.joins.key);
  const { update, news } = splitByLeader(audience, leader?.audience ?? []);
  return {
    parts: withoutEmpty([
      { summary: groupedSummary({ members, joins: group.joins }), audience: update },
      { summary: groupedSummary({ members, joins: null }), audience: news, wording: "news" },
    ]),
    audienceOf,
  };
}

/**
 * The parts of a follow-up, or of resolutions going as one: each recipient is told of the
 * incidents whose audience holds it (a resolution reaches whoever was told of its
 * incident, and nobody else), so recipients told of the same incidents share a part.
 */
function followUpParts(
  claimed: readonly OutboxEntry[],
  audiences: ReadonlyMap<string, readonly string[]>,
): Composed {
  const audienceOf = (entry: OutboxEntry) => [...(audiences.get(entry.message.key) ?? [])];
  const [first] = claimed;
  if (claimed.length === 1 && first) {
    return { parts: [{ summary: first.message.summary, audience: audienceOf(first) }], audienceOf };
  }
  // Recipient → the members it is told of, then recipients by that set.
  const told = new Map<string, OutboxMessage[]>();
  for (const entry of claimed) {
    for (const id of audienceOf(entry)) told.set(id, [...(told.get(id) ?? []), entry.message]);
  }
  const bySet = new Map<string, { members: OutboxMessage[]; audience: string[] }>();
  for (const [id, members] of told) {
    const set = members.map((m) => m.key).join("\n");
    const part = bySet.get(set) ?? { members, audience: [] };
    part.audience.push(id);
    bySet.set(set, part);
  }
  const sets = [...bySet.values()].sort(
    (a, b) => b.members.length - a.members.length || b.audience.length - a.audience.length,
  );
  // Reminders of a round go as one "still elevated"; resolutions as one "resolved".
  const wording = first && isReminder(first.message) ? groupedReminder : groupedResolution;
  if (sets.length === 0) {
    const summary = wording(claimed.map((e) => e.message));
    return { parts: [{ summary, audience: [] }], audienceOf };
  }
  const parts = sets.map(({ members, audience }, index) => ({
    summary: wording(members),
    audience: audience.sort(),
    ...(index === 0 ? {} : { wording: `told-${index + 1}` }),
  }));
  return { parts, audienceOf };
}

/**
 * Carries out the follow-ups of a round ({@link followUpStep} for each): held back or
 * waiting ones are marked so, the others sent, resolutions of one category as one. One
 * that waits for another follow-up of this round (a resolution for its update, the second
 * of two updates recorded together) is looked at again once that one went, in the same
 * round, as when they went one by one.
 */
async function deliverFollowUps(round: Round, entries: readonly OutboxEntry[]): Promise<void> {
  const { outbox, deliverer, nowMs, result } = round;
  const windowMs = deliverer.groupWindowMs ?? 0;
  let remaining = [...entries];
  while (remaining.length > 0 && !round.outOfTime()) {
    const steps = await inParallel(remaining, STORE_CONCURRENCY, async (entry) => {
      const records = await outbox.incidentRecords(entry.message.incidentId);
      const step = followUpStep(entry.message, records, deliverer.recipients ?? [], nowMs);
      return { entry, step };
    });
    const inRound = (entry: OutboxEntry) =>
      remaining.some(
        (other) => other !== entry && other.message.incidentId === entry.message.incidentId,
      );
    const later = steps.filter(({ entry, step }) => step.kind === "wait" && inRound(entry));
    const now = later.length === steps.length ? steps : steps.filter((s) => !later.includes(s));
    const sending: OutboxEntry[] = [];
    const audiences = new Map<string, string[]>();
    await inParallel(now, STORE_CONCURRENCY, async ({ entry, step }) => {
      const { key } = entry.message;
      if (step.kind === "hold-back" || step.kind === "drop") {
        await outbox.markSuppressed(key, nowMs);
        result.heldBack.push(key);
      } else if (step.kind === "wait") {
        await outbox.markFailed(key, step.reason, step.until);
      } else {
        if (deliverer.holding && step.quiet && step.quiet.length > 0) {
          await holdForQuiet(deliverer.holding, entry.message, step.quiet, nowMs);
        }
        sending.push(entry);
        audiences.set(key, step.audience);
      }
    });
    sending.sort((a, b) => remaining.indexOf(a) - remaining.indexOf(b));
    const groups = groupResolutions(sending, windowMs);
    const compose = async (claimed: readonly OutboxEntry[]) => followUpParts(claimed, audiences);
    // Groups first (few, and large), then the ones alone, a few at a time.
    for (const group of groups.filter((g) => g.length > 1)) await deliver(round, group, compose);
    await inParallel(
      groups.filter((g) => g.length === 1),
      SEND_CONCURRENCY,
      (group) => deliver(round, group, compose),
    );
    remaining = now === steps ? [] : later.map(({ entry }) => entry);
  }
}

/**
 * The openings sent lately, with the upstream openings that due folded openings go with
 * (an upstream's incident may have opened hours before its dependent: older than the
 * openings read by time).
 */
async function withUpstreamOpenings(
  outbox: OutboxStore,
  due: readonly OutboxEntry[],
  sent: OutboxMessage[],
): Promise<OutboxMessage[]> {
  const known = new Set([...sent, ...due.map((e) => e.message)].map((m) => m.key));
  const wanted = new Set(
    due.flatMap(({ message: m }) =>
      m.foldInto && !m.foldInto.startsWith(STATED_FOLD) && !known.has(m.foldInto)
        ? [m.foldInto]
        : [],
    ),
  );
  const records = await inParallel([...wanted], STORE_CONCURRENCY, (key) => outbox.record(key));
  const upstreams = records.flatMap((r) => (r?.state === "sent" ? [r.message] : []));
  return [...sent, ...upstreams];
}

/** The deliverer with the self-service subscribers of this round among its recipients. */
async function withSelfSubscribers(deliverer: Deliverer): Promise<Deliverer> {
  if (!deliverer.selfSubscribers) return deliverer;
  const subscribers = await deliverer.selfSubscribers();
  if (subscribers.length === 0) return deliverer;
  // A copy of every field (getters read once), with the round's recipients.
  return { ...deliverer, recipients: [...(deliverer.recipients ?? []), ...subscribers] };
}

/** An opening of `service` at `nowMs`, to ask `heldBack` whether it is in maintenance now. */
function maintenanceProbe(service: string, nowMs: number): OutboxMessage {
  const summary = { subject: "", text: "", sms: "" };
  return {
    key: `${service}#probe#opened`,
    incidentId: `${service}#probe`,
    transition: "opened",
    service,
    serviceName: service,
    category: "",
    summary,
    createdAt: nowMs,
  };
}

/**
 * Sends every due message to every notifier, in the order {@link planRound} gives, until
 * the round's time runs out (`options.finishBy`, else the deliverer's `budgetMs`).
 * @example await deliverPending(outbox, { notifiers: [sns], groupWindowMs: 300_000 }, Date.now(), { finishBy: Date.now() + 30_000 });
 */
export async function deliverPending(
  outbox: OutboxStore,
  configured: Deliverer,
  nowMs: number,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const deliverer = await withSelfSubscribers(configured);
  const result: DeliveryResult = { sent: [], failed: [], dead: [], heldBack: [] };
  const clock = deliverer.clock ?? Date.now;
  const finishBy =
    options.finishBy ??
    (deliverer.budgetMs !== undefined ? clock() + deliverer.budgetMs : Number.POSITIVE_INFINITY);
  const round: Round = {
    outbox,
    deliverer,
    nowMs,
    result,
    outOfTime: () => clock() >= finishBy,
    smsCap: await SmsCapRound.open(deliverer.smsCap, deliverer.recipients ?? [], nowMs),
  };
  const settings = {
    heldBack: deliverer.heldBack ?? (() => false),
    windowMs: deliverer.groupWindowMs ?? 0,
  };
  if (deliverer.holding) {
    // What waited out its window goes first, as digests recorded in the outbox.
    const { digests } = await releaseHeld(
      deliverer.holding,
      outbox,
      deliverer.recipients ?? [],
      (service) => settings.heldBack(maintenanceProbe(service, nowMs)),
      nowMs,
    );
    if (digests.length > 0) result.digests = digests;
  }
  const due = await outbox.due(nowMs, ROUND_LIMIT);
  const sentOpenings = needsSentOpenings(due, settings)
    ? await withUpstreamOpenings(
        outbox,
        due,
        await outbox.sentSince("opened", nowMs - 2 * settings.windowMs),
      )
    : [];
  const steps = planRound(due, { ...settings, sentOpenings });
  await inParallel(
    steps.flatMap((step) => (step.kind === "hold-back" ? [step.entry] : [])),
    STORE_CONCURRENCY,
    async (entry) => {
      if (deliverer.holding) await holdForMaintenance(deliverer.holding, entry.message, nowMs);
      await outbox.markSuppressed(entry.message.key, nowMs);
      result.heldBack.push(entry.message.key);
    },
  );
  const openedSteps = steps.filter((step) => step.kind === "opened");
  for (const step of openedSteps.filter((s) => s.entries.length > 1)) {
    if (round.outOfTime()) return result;
    await deliver(round, step.entries, (claimed) =>
      openedParts(round, { joins: step.joins }, claimed),
    );
  }
  await inParallel(
    openedSteps.filter((s) => s.entries.length <= 1),
    SEND_CONCURRENCY,
    (step) =>
      deliver(round, step.entries, (claimed) => openedParts(round, { joins: step.joins }, claimed)),
  );
  if (round.outOfTime()) return result;
  await deliverFollowUps(
    round,
    steps.flatMap((step) => (step.kind === "follow-up" ? [step.entry] : [])),
  );
  const capNotes = (await round.smsCap?.sendDue(deliverer.notifiers, round.outOfTime)) ?? [];
  if (capNotes.length > 0) result.capNotes = capNotes;
  return result;
}
