/**
 * Numbers and times as the page shows them. Times are in the viewer's zone and locale
 * (the browser's); the service's own zone is in each time's tooltip and, for the key
 * moments, in brackets after it, phrased exactly as the notifications phrase it
 * ("10:20 p.m. ET on Feb 13 (03:20 GMT)"), by reusing the summary's formatters.
 */
import {
  formatLocalDate,
  formatLocalTime,
  formatTimeWithGmt,
} from "../../lambdas/domain/wording/times";
import { h } from "./dom";

// Building a DateTimeFormat is costly; a refresh formats hundreds of moments.
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});
const countFormat = new Intl.NumberFormat("en-US");

/** The viewer's IANA zone, e.g. "Europe/Berlin". */
export const viewerZone = (): string => clockFormat.resolvedOptions().timeZone ?? "UTC";

/** A count with grouping: 83,412. */
export const formatCount = (count: number): string => countFormat.format(Math.round(count));

/** "83,412 reports", "1 report". */
export const reports = (count: number): string =>
  `${formatCount(count)} ${Math.round(count) === 1 ? "report" : "reports"}`;

/** A time of day in the viewer's zone: "10:20 PM". */
export const viewerClock = (ms: number): string => clockFormat.format(ms);

/** A date and time in the viewer's zone: "Feb 14, 4:20 AM". */
export const viewerDateTime = (ms: number): string => dateTimeFormat.format(ms);

/**
 * The same moment in the service's zone, for a tooltip; falls back to UTC when the zone
 * is unknown to this browser.
 */
export function serviceZoneTime(ms: number, timeZone: string): string {
  try {
    return formatTimeWithGmt(ms, timeZone, { withDate: true });
  } catch {
    return new Date(ms).toISOString();
  }
}

/**
 * A `<time>` element: the viewer's time as text, the machine-readable instant in
 * `datetime`, and the service's local time in `title`.
 * @example time(Date.parse(incident.peak.at), service.timeZone, { withDate: true })
 */
export function time(
  ms: number,
  timeZone: string,
  options: { withDate?: boolean } = {},
): HTMLTimeElement {
  return h(
    "time",
    {
      datetime: new Date(ms).toISOString(),
      title: `${serviceZoneTime(ms, timeZone)} in the service's zone`,
    },
    options.withDate ? viewerDateTime(ms) : viewerClock(ms),
  );
}

/**
 * The service's wall time of `ms` when it is not the viewer's, said in brackets after
 * the viewer's: "(10:20 p.m. ET on Feb 13)", the date only when it differs; "" when
 * both zones read the same (or the zone is unknown to this browser).
 */
export function serviceZoneAside(ms: number, timeZone: string): string {
  try {
    const viewer = viewerZone();
    const date = formatLocalDate(ms, timeZone);
    const local = formatLocalTime(ms, timeZone);
    const wall = (text: string) => text.replace(/ \S+$/, "");
    const sameDate = date === formatLocalDate(ms, viewer);
    if (sameDate && wall(local) === wall(formatLocalTime(ms, viewer))) return "";
    return ` (${local}${sameDate ? "" : ` on ${date}`})`;
  } catch {
    return "";
  }
}

/**
 * {@link time} followed by the service's wall time in brackets, for the facts a reader
 * must be able to read in the service's zone without a pointer (a tooltip needs one).
 * @example h("dd", {}, ...zonedTime(started, "America/New_York", { withDate: true }))
 */
export function zonedTime(
  ms: number,
  timeZone: string,
  options: { withDate?: boolean } = {},
): (Node | string)[] {
  return [time(ms, timeZone, options), serviceZoneAside(ms, timeZone)];
}

/** "5 h 25 min", "45 min", "2 days 4 h": the notifications' own phrasing. */
export { formatDuration as duration } from "../../lambdas/domain/wording/times";
