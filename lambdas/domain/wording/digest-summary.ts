/**
 * How a digest of held messages is worded: one line per incident still open, read in
 * seconds ("While you were away: T-Mobile outage since 2:10 a.m. ET, still elevated,
 * about 2,100 reports at 7 a.m. ET; Verizon outage since 2:30 a.m. ET, still elevated").
 * Levels follow DESIGN.md's timeline phrasing: the peak "more than N", a level after it
 * "about N". Which messages a digest holds is `domain/held.ts`.
 */
import type { IncidentSummary } from "../incident";
import { firstFitting, fittingList, smsFits, subjectFits } from "./fitting";
import { toGsm7 } from "./gsm7";
import { about, moreThan } from "./numbers";
import { formatLocalTime, formatTimeWithGmt } from "./times";

/** One incident of a digest, as far as it is known. */
export interface DigestLine {
  serviceName: string;
  timeZone: string;
  /** When it opened; unknown when its record could not be read. */
  openedAt?: number | undefined;
  /** Its newest level: the peak, or a level stated after it. */
  level?: { count: number; at: number; peak: boolean } | undefined;
  /** Said instead when nothing else is known: the newest held message's subject. */
  subject: string;
}

const PREFIX = "While you were away:";

function line(item: DigestLine, gmt: boolean): string {
  if (item.openedAt === undefined) return item.subject;
  const time = (ms: number) =>
    gmt ? formatTimeWithGmt(ms, item.timeZone) : formatLocalTime(ms, item.timeZone);
  const opened = `${item.serviceName} outage since ${time(item.openedAt)}, still elevated`;
  if (!item.level) return opened;
  const { count, at, peak } = item.level;
  const figure = peak ? `peaked at ${moreThan(count)}` : about(count);
  return `${opened}, ${figure} reports at ${time(at)}`;
}

/**
 * The digest of `lines` (at least one).
 * @example digestSummary([tmobile]).subject // "While you were away: T-Mobile outage, still elevated"
 */
export function digestSummary(lines: readonly DigestLine[]): IncidentSummary {
  if (lines.length === 0) throw new Error("a digest holds at least one incident");
  const names = lines.map((l) => l.serviceName);
  const n = lines.length.toLocaleString("en-US");
  const outages = lines.length === 1 ? "outage" : "outages";
  return {
    subject: firstFitting(
      [
        fittingList(names, (l) => `${PREFIX} ${l} ${outages}, still elevated`, subjectFits),
        `${PREFIX} ${n} outages still elevated`,
      ],
      subjectFits,
    ),
    text: `${PREFIX}\n\n${lines.map((l) => `${line(l, true)}.`).join("\n")}`,
    sms: firstFitting(
      [
        toGsm7(`${PREFIX} ${lines.map((l) => line(l, false)).join("; ")}.`),
        toGsm7(`${PREFIX} ${line(lines[0] as DigestLine, false)}.`),
        toGsm7(fittingList(names, (l) => `${PREFIX} ${l} ${outages}, still elevated.`, smsFits)),
        `${PREFIX} ${n} outages still elevated.`,
      ],
      smsFits,
    ),
  };
}
