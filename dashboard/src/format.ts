/**
 * Numbers and times as the page shows them. Times are in the viewer's zone and locale
 * (the browser's); the service's own zone is offered on hover, phrased exactly as the
 * notifications phrase it ("10:20 p.m. ET on Feb 13 (03:20 GMT)"), by reusing the
 * summary's formatter.
 */
import { formatTimeWithGmt } from "../../lambdas/domain/phrasing/times";
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

/** "5 h 25 min", "45 min", "2 days 4 h": the notifications' own phrasing. */
export { formatDuration as duration } from "../../lambdas/domain/phrasing/times";
