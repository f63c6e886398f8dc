/**
 * How a group of "opened" notifications is worded: the leader's summary with the others
 * named ("T-Mobile outage; Verizon and AT&T also elevated"), or, for services joining a
 * group already sent, an update naming it. Which messages form a group is
 * `domain/grouping.ts`.
 */
import type { OpenedGroup } from "../grouping";
import type { IncidentSummary } from "../incident";
import { firstFitting, joinAnd, smsFits, subjectFits } from "./fitting";
import { toGsm7 } from "./gsm7";

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
