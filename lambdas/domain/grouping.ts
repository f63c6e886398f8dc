/**
 * Grouping of "opened" notifications, so a mass outage is one message and not a flood:
 * incidents of the same category that open within the grouping window go out together
 * ("T-Mobile outage; Verizon and AT&T also elevated"), and services that open later in
 * the window of a group already sent go out as one update of it ("Verizon and AT&T also
 * elevated, with the T-Mobile outage"), not as outages of their own.
 */
import { type IncidentSummary, parseIncidentId } from "./incident";
import { gsm7Length, toGsm7 } from "./phrasing/gsm7";
import type { OutboxMessage } from "./ports";
import { SMS_MAX_SEPTETS, SUBJECT_MAX_LENGTH } from "./summary";

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
  const ordered = [...due].sort(
    (a, b) => a.createdAt - b.createdAt || started(a) - started(b) || a.key.localeCompare(b.key),
  );
  for (const message of ordered) {
    const list = byCategory.get(message.category) ?? [];
    list.push(message);
    byCategory.set(message.category, list);
  }
  for (const [category, messages] of byCategory) {
    const leaders = sent
      .filter((m) => m.category === category)
      .sort((a, b) => a.createdAt - b.createdAt);
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

/** "A", "A and B", "A, B and C". */
function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** The first of `candidates` that fits `fits`, else the last (each list ends with one that always fits). */
function firstFitting(candidates: readonly string[], fits: (text: string) => boolean): string {
  return candidates.find(fits) ?? candidates.at(-1) ?? "";
}

const subjectFits = (text: string) => text.length <= SUBJECT_MAX_LENGTH && !/[\r\n]/.test(text);
const smsFits = (text: string) => gsm7Length(text) <= SMS_MAX_SEPTETS;

/**
 * The one message a group sends: the leader's own summary alone, or the leader's with the
 * others named, or, for joiners, an update naming the group they join.
 * @example groupedSummary({ members: [tmobile, verizon, att], joins: null }).subject
 * // "T-Mobile outage; Verizon and AT&T also elevated"
 */
export function groupedSummary(group: OpenedGroup): IncidentSummary {
  const [first, ...rest] = group.members;
  if (!first) throw new Error("a group has at least one member");
  const texts = group.members.map((m) => m.summary.text).join("\n\n");
  if (group.joins) {
    const names = joinAnd(group.members.map((m) => m.serviceName));
    const leader = group.joins.serviceName;
    return {
      subject: firstFitting(
        [
          `${names} also elevated, with the ${leader} outage`,
          `${group.members.length} more services elevated, with the ${leader} outage`,
          `${group.members.length} more services elevated`,
        ],
        subjectFits,
      ),
      text: `Update to the ${leader} outage: ${names} also elevated.\n\n${texts}`,
      sms: firstFitting(
        [
          toGsm7(`${names} also elevated, with the ${leader} outage. ${first.summary.sms}`),
          toGsm7(`${names} also elevated, with the ${leader} outage.`),
          toGsm7(`${group.members.length} more services elevated with the ${leader} outage.`),
          `${group.members.length} more services elevated.`,
        ],
        smsFits,
      ),
    };
  }
  if (rest.length === 0) return first.summary;
  const names = joinAnd(rest.map((m) => m.serviceName));
  return {
    subject: firstFitting(
      [
        `${first.serviceName} outage; ${names} also elevated`,
        `${first.serviceName} outage; ${rest.length} more services elevated`,
        first.summary.subject,
      ],
      subjectFits,
    ),
    text: texts,
    sms: firstFitting(
      [
        toGsm7(`${first.summary.sms} ${names} also elevated.`),
        toGsm7(`${first.summary.sms} ${rest.length} more services elevated.`),
        first.summary.sms,
      ],
      smsFits,
    ),
  };
}
