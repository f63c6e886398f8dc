/**
 * Grouping of "opened" notifications, so a mass outage is one message and not a flood:
 * incidents of the same category that open within the grouping window go out together
 * ("T-Mobile outage; Verizon and AT&T also elevated"), and services that open later in
 * the window of a group already sent go out as one update of it ("Verizon and AT&T also
 * elevated, with the T-Mobile outage"), not as outages of their own. Which messages go
 * together is decided here; how a group is worded is `wording/group-summary.ts`.
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
  const byCategory = new Map<string, OutboxMessage[]>();
  // Oldest first; among messages of one tick, the incident that started first leads.
  const started = (m: OutboxMessage) => parseIncidentId(m.incidentId)?.startedAt ?? m.createdAt;
  const byAge = (a: OutboxMessage, b: OutboxMessage) =>
    a.createdAt - b.createdAt || started(a) - started(b) || a.key.localeCompare(b.key);
  const ordered = [...due].sort(byAge);
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
  return groups;
}
