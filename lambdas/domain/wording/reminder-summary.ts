/**
 * How a "still elevated" reminder is worded, alone ("T-Mobile still elevated after 4 h;
 * about 2,100 reports at 3 p.m. ET (20:00 GMT)") or for the reminders of one category
 * due in one round ("Still elevated: T-Mobile, Verizon and AT&T"). The level is the
 * newest bucket's count, stated "about N" as every level after a peak is (DESIGN.md,
 * timeline phrasing). When reminders fall due is `domain/reminders.ts`.
 */
import type { IncidentSummary } from "../incident";
import type { OutboxMessage, ReminderFacts } from "../ports";
import { cutAtWord, firstFitting, fittingList, smsFits, subjectFits } from "./fitting";
import { toGsm7 } from "./gsm7";
import { about } from "./numbers";
import { formatDuration, formatLocalTime, formatTimeWithGmt } from "./times";

const count = (n: number) => n.toLocaleString("en-US");

/** "about 2,100 reports", the noun singular only for "about 1". */
function level(facts: ReminderFacts): string {
  const figure = about(facts.count);
  return `${figure} ${figure === "about 1" ? "report" : "reports"}`;
}

/**
 * The reminder of one open incident of `name`.
 * @example reminderSummary("T-Mobile", { n: 1, openedAt, count: 2_130, at, timeZone: "America/New_York" }).subject
 * // "T-Mobile still elevated after 4 h; about 2,100 reports at 3 p.m. ET (20:00 GMT)"
 */
export function reminderSummary(name: string, facts: ReminderFacts): IncidentSummary {
  const after = formatDuration(facts.at - facts.openedAt);
  const still = `${name} still elevated after ${after}`;
  const withGmt = formatTimeWithGmt(facts.at, facts.timeZone);
  const local = formatLocalTime(facts.at, facts.timeZone);
  const opened = formatTimeWithGmt(facts.openedAt, facts.timeZone, { withDate: true });
  return {
    subject: firstFitting(
      [
        `${still}; ${level(facts)} at ${withGmt}`,
        `${still}; ${level(facts)}`,
        cutAtWord(still, subjectFits),
      ],
      subjectFits,
    ),
    text: `${still}: ${level(facts)} at ${withGmt}. The outage opened at ${opened}.`,
    sms: firstFitting(
      [
        toGsm7(`${still}; ${level(facts)} at ${withGmt}.`),
        toGsm7(`${still}; ${level(facts)} at ${local}.`),
        toGsm7(`${still}.`),
        cutAtWord(toGsm7(`${still}.`), smsFits),
      ],
      smsFits,
    ),
  };
}

/**
 * The one message that reminders of one category due in one round send: the first's own
 * when alone, else every service named as far as it fits.
 * @example groupedReminder([tmobile, verizon]).subject // "Still elevated: T-Mobile and Verizon"
 */
export function groupedReminder(members: readonly OutboxMessage[]): IncidentSummary {
  const [first, ...rest] = members;
  if (!first) throw new Error("a group has at least one member");
  if (rest.length === 0) return first.summary;
  const names = members.map((m) => m.serviceName);
  const n = count(members.length);
  return {
    subject: firstFitting(
      [
        fittingList(names, (l) => `Still elevated: ${l}`, subjectFits),
        `${n} outages still elevated`,
      ],
      subjectFits,
    ),
    text: members.map((m) => m.summary.text).join("\n\n"),
    sms: firstFitting(
      [
        toGsm7(fittingList(names, (l) => `Still elevated: ${l}.`, smsFits)),
        `${n} outages still elevated.`,
      ],
      smsFits,
    ),
  };
}
