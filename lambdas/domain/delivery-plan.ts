/**
 * The pure half of delivering the outbox: in what order a round handles its due messages
 * and what each follow-up does, decided from what the outbox holds. The use case
 * (`usecases/deliver-notifications.ts`) carries the plan out: claims, records, sends.
 *
 * A round goes: openings of services in maintenance are held back for good; retried
 * openings go as their first attempt planned (alone, or with the group they went with);
 * fresh openings of one category within the grouping window go as one message (see
 * `grouping.ts`); updates and resolutions go last, so an opening and its resolution in
 * one round go in order. Resolutions that may go out, of one category within the
 * window, go as one message too ({@link groupResolutions}).
 */
import {
  announcementAudience,
  interestedAudience,
  isQuiet,
  type Recipient,
  resolvedAudience,
  wants,
} from "./audience";
import { MINUTE_MS } from "./buckets";
import { groupOpened } from "./grouping";
import { isHeldNote } from "./held";
import type { OutboxEntry, OutboxMessage, OutboxRecord } from "./ports";
import { isReminder } from "./reminders";

/** How long a follow-up waits before it looks again at an earlier message being retried. */
export const FOLLOW_UP_WAIT_MS = MINUTE_MS;

/** One thing a round does, in order. */
export type RoundStep =
  | { kind: "hold-back"; entry: OutboxEntry }
  | { kind: "opened"; entries: OutboxEntry[]; joins: OutboxMessage | null }
  | { kind: "follow-up"; entry: OutboxEntry };

/** What planning a round needs besides the due entries. */
export interface RoundSettings {
  /** True for an "opened" message that must not go out (its service is in maintenance). */
  heldBack: (message: OutboxMessage) => boolean;
  /** Opened incidents of one category this close together go out as one; 0 never groups. */
  windowMs: number;
  /** Openings sent within two windows, which a fresh opening may join. */
  sentOpenings: readonly OutboxMessage[];
}

const isOpened = (entry: OutboxEntry) => entry.message.transition === "opened";

/**
 * True when planning `due` would look at the openings already sent (so the caller reads
 * them only then).
 */
export function needsSentOpenings(
  due: readonly OutboxEntry[],
  settings: Pick<RoundSettings, "heldBack" | "windowMs">,
): boolean {
  return (
    settings.windowMs > 0 &&
    due.some((e) => isOpened(e) && e.attempts === 0 && !settings.heldBack(e.message))
  );
}

/**
 * The steps of one round over the `due` entries, in the order they are carried out.
 * @example planRound(due, { heldBack: () => false, windowMs: 3_600_000, sentOpenings: [] })
 */
export function planRound(due: readonly OutboxEntry[], settings: RoundSettings): RoundStep[] {
  const steps: RoundStep[] = [];
  const going: OutboxEntry[] = [];
  for (const entry of due) {
    if (isOpened(entry) && settings.heldBack(entry.message))
      steps.push({ kind: "hold-back", entry });
    else going.push(entry);
  }
  // A retried opening goes as its first attempt planned: alone, or with its group (a
  // group that failed is one retry, not one per member); only fresh ones group anew.
  for (const entries of byFirstGroup(going.filter((e) => isOpened(e) && e.attempts > 0))) {
    steps.push({ kind: "opened", entries, joins: null });
  }
  const fresh = going.filter((e) => isOpened(e) && e.attempts === 0);
  if (fresh.length > 0 && settings.windowMs > 0) {
    const byKey = new Map(fresh.map((e) => [e.message.key, e]));
    const groups = groupOpened(
      fresh.map((e) => e.message),
      settings.sentOpenings,
      settings.windowMs,
    );
    for (const group of groups) {
      const entries = group.members.flatMap((m) => byKey.get(m.key) ?? []);
      steps.push({ kind: "opened", entries, joins: group.joins });
    }
  } else {
    for (const entry of fresh) steps.push({ kind: "opened", entries: [entry], joins: null });
  }
  for (const entry of going.filter((e) => !isOpened(e))) steps.push({ kind: "follow-up", entry });
  return steps;
}

/** Entries in the groups their first attempt recorded (`group`), each alone without one. */
function byFirstGroup(entries: readonly OutboxEntry[]): OutboxEntry[][] {
  const groups = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const id = entry.group ?? entry.message.key;
    groups.set(id, [...(groups.get(id) ?? []), entry]);
  }
  return [...groups.values()];
}

/**
 * Resolutions that go out this round, in the messages they go as: retried ones as their
 * first attempt planned, fresh ones of one category within `windowMs` of the first as
 * one (0: each alone), like openings; updates always alone.
 * @example groupResolutions(sending, 3_600_000) // [[tmobileResolved, verizonResolved], [update]]
 */
export function groupResolutions(
  sending: readonly OutboxEntry[],
  windowMs: number,
): OutboxEntry[][] {
  const groups: OutboxEntry[][] = [];
  // Resolutions, then reminders ("still elevated"): each kind groups apart.
  const kinds = [
    (m: OutboxMessage) => m.transition === "resolved",
    (m: OutboxMessage) => m.transition === "update" && isReminder(m),
  ];
  for (const isKind of kinds) {
    const ofKind = sending.filter((e) => isKind(e.message));
    const fresh = ofKind.filter((e) => e.attempts === 0);
    if (windowMs > 0 && fresh.length > 0) {
      const byKey = new Map(fresh.map((e) => [e.message.key, e]));
      for (const group of groupOpened(
        fresh.map((e) => e.message),
        [],
        windowMs,
      )) {
        groups.push(group.members.flatMap((m) => byKey.get(m.key) ?? []));
      }
    } else {
      groups.push(...fresh.map((e) => [e]));
    }
    groups.push(...byFirstGroup(ofKind.filter((e) => e.attempts > 0)));
  }
  const grouped = new Set(groups.flat());
  groups.push(...sending.filter((e) => !grouped.has(e)).map((e) => [e]));
  return groups;
}

/** What an update or a resolution does this round. */
export type FollowUpStep =
  | { kind: "hold-back" }
  | { kind: "wait"; until: number; reason: string }
  /** A reminder its incident's resolution overtook: recorded, never sent. */
  | { kind: "drop"; reason: string }
  /** `quiet`: those it would reach but for their quiet hours (held for their digest). */
  | { kind: "send"; audience: string[]; quiet?: string[] };

/**
 * What a follow-up (an update or a resolved) does, from its incident's outbox records:
 * it is held back with an opening that was; it waits while an earlier message of its
 * incident is pending (out of the way, with a retry time, so waiting messages never fill
 * a delivery batch); otherwise it goes, a resolved to whoever the opening and the updates
 * reached.
 */
export function followUpStep(
  message: OutboxMessage,
  records: readonly OutboxRecord[],
  recipients: readonly Recipient[],
  nowMs: number,
): FollowUpStep {
  // A digest goes to whom it was made for, as long as they are configured.
  if (message.to) return { kind: "send", audience: resolvedAudience(recipients, message.to) };
  const opened = records.find((r) => r.message.transition === "opened");
  // An opening held for a maintenance window holds its follow-ups back, until a digest
  // told of it once the window ended.
  const released = records.some((r) => isHeldNote(r.message.key) && r.state === "sent");
  if (opened?.state === "suppressed" && !released) return { kind: "hold-back" };
  const reminder = isReminder(message);
  if (reminder && records.some((r) => r.message.transition === "resolved")) {
    return { kind: "drop", reason: "its incident resolved first" };
  }
  // Strictly earlier: by time, then by key, so two updates recorded in one step (a jump
  // past two multiples) cannot each wait for the other.
  const before = (r: OutboxRecord) =>
    r.message.createdAt < message.createdAt ||
    (r.message.createdAt === message.createdAt && r.message.key < message.key);
  const earlier = records.filter(
    (r) => r.message.key !== message.key && r.message.transition !== "resolved" && before(r),
  );
  // A resolution never waits on a reminder: the reminder is dropped once it is recorded.
  const waitingFor = earlier.find(
    (r) => r.state === "pending" && !(message.transition === "resolved" && isReminder(r.message)),
  );
  if (waitingFor) {
    // Due again with the message it waits for (openings go first in a round), or in a
    // minute when that one has no retry time yet.
    const until =
      waitingFor.retryAt !== null && waitingFor.retryAt > nowMs
        ? waitingFor.retryAt
        : nowMs + FOLLOW_UP_WAIT_MS;
    return { kind: "wait", until, reason: `waits for ${waitingFor.message.key}` };
  }
  // Only messages that went out told anyone: a dead-lettered opening told nobody. A
  // digest that told of the incident counts (its note is among the records).
  const told = records
    .filter((r) => r.state === "sent" && r.message.transition !== "resolved")
    .flatMap((r) => r.audience ?? []);
  if (reminder) {
    // Whoever was told of it, like a resolution; those quiet now hear it in their digest.
    const audience = resolvedAudience(recipients, told);
    const quiet = new Set(recipients.filter((r) => isQuiet(r, nowMs)).map((r) => r.id));
    return {
      kind: "send",
      audience: audience.filter((id) => !quiet.has(id)),
      quiet: audience.filter((id) => quiet.has(id)),
    };
  }
  if (message.transition !== "resolved") {
    const quiet = recipients.filter((r) => wants(r, message) && isQuiet(r, nowMs));
    const audience = announcementAudience(recipients, [message], nowMs);
    if (quiet.length === 0) return { kind: "send", audience };
    return { kind: "send", audience, quiet: [...new Set(quiet.map((r) => r.id))].sort() };
  }
  if (opened?.audience || released) {
    return { kind: "send", audience: resolvedAudience(recipients, told) };
  }
  // The opening left no audience (it went out before audiences were recorded, or its
  // record expired): it reached everyone who wanted it then, so they hear it end.
  return { kind: "send", audience: interestedAudience(recipients, [message]) };
}
