/**
 * Maintenance windows: times when a service's outages are expected (planned work), so no
 * one is notified. Incidents are still detected and recorded; only the messages wait out
 * the window, and a "resolved" goes out exactly when its "opened" did.
 */
import { MINUTE_MS } from "./buckets";
import { utcOffsetMs } from "./zone-offset";

/** Days of the week as the config names them. */
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A one-off window between two instants (epoch ms). */
export interface OneOffWindow {
  start: number;
  end: number;
}

/**
 * A window that recurs on the given days from `from` to `to` (minutes after local
 * midnight in the service's zone); `to` at or before `from` runs past midnight.
 */
export interface RecurringWindow {
  days: readonly Weekday[];
  from: number;
  to: number;
}

/** A maintenance window. */
export type MaintenanceWindow = OneOffWindow | RecurringWindow;

const DAY_MINUTES = 24 * 60;

/**
 * True when `atMs` falls in one of `windows`, recurring ones read in `timeZone`.
 * @example inMaintenance([{ days: ["sun"], from: 120, to: 240 }], "America/New_York", sundayAt3am) // true
 */
export function inMaintenance(
  windows: readonly MaintenanceWindow[],
  timeZone: string,
  atMs: number,
): boolean {
  if (windows.length === 0) return false;
  const local = atMs + utcOffsetMs(timeZone, atMs);
  const localDay = Math.floor(local / (DAY_MINUTES * MINUTE_MS));
  const minute = Math.floor((local / MINUTE_MS) % DAY_MINUTES);
  // 1 January 1970 was a Thursday.
  const weekday = (day: number) => WEEKDAYS[(((day + 4) % 7) + 7) % 7] as Weekday;
  return windows.some((window) => {
    if ("start" in window) return atMs >= window.start && atMs < window.end;
    if (window.from < window.to) {
      return window.days.includes(weekday(localDay)) && minute >= window.from && minute < window.to;
    }
    // Past midnight: the evening part belongs to the listed day, the morning to the next.
    return (
      (window.days.includes(weekday(localDay)) && minute >= window.from) ||
      (window.days.includes(weekday(localDay - 1)) && minute < window.to)
    );
  });
}
