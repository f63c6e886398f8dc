/**
 * How a group of notifications is worded: the leader's summary with the others named
 * ("T-Mobile outage; Verizon and AT&T also elevated"), for services joining a group
 * already sent an update naming it, and for resolutions of one category one message
 * ("Resolved: T-Mobile, Verizon and AT&T outages"). Which messages form a group is
 * `domain/grouping.ts`.
 *
 * A group may have a thousand members in a mass outage. Whatever its size the message
 * reads in seconds and stays small: the subject and the SMS name as many as fit and
 * count the rest ("T-Mobile, Verizon and 998 others"); the email gives the timelines of
 * the first {@link DETAILED_MEMBERS} and names at most {@link LISTED_MEMBERS} of the
 * others, so it stays a few kilobytes, far inside SNS's 256 KB and DynamoDB's 400 KB item
 * (every member records the parts it went out as).
 */
import type { OpenedGroup } from "../grouping";
import type { IncidentSummary } from "../incident";
import type { OutboxMessage } from "../ports";
import { firstFitting, fittingList, joinAndOthers, smsFits, subjectFits } from "./fitting";
import { toGsm7 } from "./gsm7";

/** Members whose whole timeline the email gives. */
export const DETAILED_MEMBERS = 10;
/** Further members the email names; the rest it counts. */
export const LISTED_MEMBERS = 100;

/** The email text of a group: the first timelines, then the others by name. */
function groupText(members: readonly OutboxMessage[], also: string): string {
  const detailed = members.slice(0, DETAILED_MEMBERS).map((m) => m.summary.text);
  const others = members.slice(DETAILED_MEMBERS).map((m) => m.serviceName);
  if (others.length === 0) return detailed.join("\n\n");
  return [...detailed, `${joinAndOthers(others, LISTED_MEMBERS)} ${also}.`].join("\n\n");
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The one message a group sends: the leader's own summary alone, or the leader's with the
 * others named, or, for joiners, an update naming the group they join.
 * @example groupedSummary({ members: [tmobile, verizon, att], joins: null }).subject
 * // "T-Mobile outage; Verizon and AT&T also elevated"
 */
export function groupedSummary(group: OpenedGroup): IncidentSummary {
  const [first, ...rest] = group.members;
  if (!first) throw new Error("a group has at least one member");
  const serviceNames = group.members.map((m) => m.serviceName);
  if (group.joins) {
    const leader = group.joins.serviceName;
    const n = count(group.members.length);
    const more = `${n} more services elevated`;
    const names = joinAndOthers(serviceNames, LISTED_MEMBERS);
    return {
      subject: firstFitting(
        [
          fittingList(
            serviceNames,
            (l) => `${l} also elevated, with the ${leader} outage`,
            subjectFits,
          ),
          `${more}, with the ${leader} outage`,
          more,
        ],
        subjectFits,
      ),
      text: `Update to the ${leader} outage: ${names} also elevated.\n\n${groupText(group.members, "also elevated")}`,
      sms: firstFitting(
        [
          toGsm7(
            fittingList(
              serviceNames,
              (l) => `${l} also elevated, with the ${leader} outage. ${first.summary.sms}`,
              smsFits,
            ),
          ),
          toGsm7(
            fittingList(
              serviceNames,
              (l) => `${l} also elevated, with the ${leader} outage.`,
              smsFits,
            ),
          ),
          toGsm7(`${more} with the ${leader} outage.`),
          `${more}.`,
        ],
        smsFits,
      ),
    };
  }
  if (rest.length === 0) return first.summary;
  const others = rest.map((m) => m.serviceName);
  return {
    subject: firstFitting(
      [
        fittingList(others, (l) => `${first.serviceName} outage; ${l} also elevated`, subjectFits),
        `${first.serviceName} outage; ${count(rest.length)} more services elevated`,
        first.summary.subject,
      ],
      subjectFits,
    ),
    text: groupText(group.members, "also elevated"),
    sms: firstFitting(
      [
        toGsm7(fittingList(others, (l) => `${first.summary.sms} ${l} also elevated.`, smsFits)),
        toGsm7(`${first.summary.sms} ${count(rest.length)} more services elevated.`),
        first.summary.sms,
      ],
      smsFits,
    ),
  };
}

/**
 * The one message that resolutions of one category send: the first's own summary when
 * alone, or all of them named ("Resolved: T-Mobile, Verizon and AT&T outages").
 * @example groupedResolution([tmobile, verizon]).subject // "Resolved: T-Mobile and Verizon outages"
 */
export function groupedResolution(members: readonly OutboxMessage[]): IncidentSummary {
  const [first, ...rest] = members;
  if (!first) throw new Error("a group has at least one member");
  if (rest.length === 0) return first.summary;
  const names = members.map((m) => m.serviceName);
  const others = rest.map((m) => m.serviceName);
  const n = count(members.length);
  return {
    subject: firstFitting(
      [fittingList(names, (l) => `Resolved: ${l} outages`, subjectFits), `Resolved: ${n} outages`],
      subjectFits,
    ),
    text: groupText(members, "also back to normal"),
    sms: firstFitting(
      [
        toGsm7(
          fittingList(others, (l) => `${first.summary.sms} ${l} also back to normal.`, smsFits),
        ),
        toGsm7(fittingList(names, (l) => `Resolved: ${l} outages.`, smsFits)),
        `Resolved: ${n} outages.`,
      ],
      smsFits,
    ),
  };
}
