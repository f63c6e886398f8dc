/**
 * Grouping of "opened" notifications, so a mass outage is one message and not a flood:
 * incidents of the same category that open within the grouping window go out together
 * ("T-Mobile outage; Verizon and AT&T also elevated"), and services that open later in
 * the window of a group already sent go out as one update of it ("Verizon and AT&T also
 * elevated, with the T-Mobile outage"), not as outages of their own. An opening folded
 * into its upstream (`OutboxMessage.foldInto`) goes, whatever its category and however
 * long after, with the opening of the service it declared it depends on, or with the
 * other openings ascribed to the same stated incident of a provider.
 * Which messages go together is decided here; how a group is worded is
 * `wording/group-summary.ts`.
 */
import { parseIncidentId } from "./incident";
import type { OutboxMessage } from "./ports";

/** Opened messages that go out as one. */
export interface OpenedGroup {
  /** Oldest first; the first is the group's leader unless `joins` is set. */
  members: OutboxMessage[];
  /** The leader of a group already sent that these members join, if any. */
  joins: OutboxMessage | null;
}

/**
 * Groups due "opened" messages per category: members of a group already sent within the
 * window join it; the others form new groups of messages created within the window of
 * the first.
 *
 * @param due - "opened" messages waiting to go out
 * @param sent - "opened" messages already sent that may still lead a group
 * @example groupOpened([verizon, att], [tmobile], 5 * 60_000) // [{ members: [verizon, att], joins: tmobile }]
 */
export function groupOpened(
  due: readonly OutboxMessage[],
  sent: readonly OutboxMessage[],
  windowMs: number,
): OpenedGroup[] {
  const groups: OpenedGroup[] = [];
  const folded = foldedGroups(due, sent);
  const byCategory = new Map<string, OutboxMessage[]>();
  const byAge = byCreation;
  const ordered = [...due].filter((m) => !folded.placed.has(m.key)).sort(byAge);
  for (const message of ordered) {
    const list = byCategory.get(message.category) ?? [];
    list.push(message);
    byCategory.set(message.category, list);
  }
  for (const [category, messages] of byCategory) {
    // The first of the messages sent together led them (and named the others).
    const leaders = sent.filter((m) => m.category === category).sort(byAge);
    let current: OpenedGroup | null = null;
    for (const message of messages) {
      const leader = leaders
        .filter(
          (l) => l.createdAt <= message.createdAt && message.createdAt - l.createdAt <= windowMs,
        )
        .at(0);
      if (leader) {
        const open = groups.find((g) => g.joins?.key === leader.key);
        if (open) open.members.push(message);
        else groups.push({ members: [message], joins: leader });
        continue;
      }
      const start = current?.members[0]?.createdAt;
      if (current && start !== undefined && message.createdAt - start <= windowMs) {
        current.members.push(message);
      } else {
        current = { members: [message], joins: null };
        groups.push(current);
      }
    }
  }
  for (const [upstreamKey, members] of folded.withUpstream) {
    const own = groups.find((g) => g.members.some((m) => m.key === upstreamKey));
    if (own) own.members.push(...members);
  }
  return [...groups, ...folded.groups];
}

/** When a message's incident started (its creation when the id does not say). */
const startOf = (m: OutboxMessage) => parseIncidentId(m.incidentId)?.startedAt ?? m.createdAt;

/**
 * Oldest first; among messages of one tick, the incident that started first leads (as in
 * the groups of a category).
 */
const byCreation = (a: OutboxMessage, b: OutboxMessage) =>
  a.createdAt - b.createdAt || startOf(a) - startOf(b) || a.key.localeCompare(b.key);

/**
 * The folded openings that have somewhere to go: into an upstream's opening of this round
 * (`withUpstream`, added to its group once that is formed), as an update of one already
 * sent, or with the others folded into the same stated incident (`groups`). A fold whose
 * upstream opening is neither due nor sent (held back, or not known) groups as usual.
 */
function foldedGroups(due: readonly OutboxMessage[], sent: readonly OutboxMessage[]) {
  const placed = new Set<string>();
  const withUpstream = new Map<string, OutboxMessage[]>();
  const groups: OpenedGroup[] = [];
  const dueKeys = new Set(due.filter((m) => !m.foldInto).map((m) => m.key));
  const byStated = new Map<string, OutboxMessage[]>();
  for (const message of [...due].sort(byCreation)) {
    const into = message.foldInto;
    if (!into) continue;
    if (into.startsWith(STATED_FOLD)) {
      byStated.set(into, [...(byStated.get(into) ?? []), message]);
      placed.add(message.key);
      continue;
    }
    if (dueKeys.has(into)) {
      withUpstream.set(into, [...(withUpstream.get(into) ?? []), message]);
      placed.add(message.key);
      continue;
    }
    const leader = sent.find((m) => m.key === into);
    if (!leader) continue;
    const open = groups.find((g) => g.joins?.key === leader.key);
    if (open) open.members.push(message);
    else groups.push({ members: [message], joins: leader });
    placed.add(message.key);
  }
  for (const [into, members] of byStated) {
    // The first opening sent for this stated incident led the ones folded into it.
    const leader = [...sent].sort(byCreation).find((m) => m.foldInto === into) ?? null;
    groups.push({ members, joins: leader });
  }
  return { placed, withUpstream, groups };
}

/** How `foldInto` names a provider's stated incident (`stated:<service>#<source>#<key>`). */
export const STATED_FOLD = "stated:";

/**
 * The `foldInto` of a dependent's opening: its upstream's own opening, or the provider's
 * stated incident it is ascribed to.
 * @example foldKey({ kind: "incident", ref: "aws-20230214T0150Z" }) // "aws-20230214T0150Z#opened"
 */
export function foldKey(upstream: { kind: "stated" | "incident"; ref: string }): string {
  return upstream.kind === "incident" ? `${upstream.ref}#opened` : `${STATED_FOLD}${upstream.ref}`;
}
