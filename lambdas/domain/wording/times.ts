/**
 * Moments and durations as a newsroom writes them (DESIGN, "Timeline phrasing"):
 * "10:20 p.m. ET (03:20 GMT)", "midnight ET", "5 h 25 min".
 *
 * Local times always come from Intl with the service's IANA zone, never from a fixed
 * offset, so that the clock reading and the zone label are right on either side of a DST
 * change (01:30 on a fall-back night reads "1:30 a.m. ET" both times; the GMT time tells
 * the two apart).
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../buckets";

/**
 * North American zone names mapped to the labels US newsrooms use. Keyed by the region of
 * Intl's generic name ("Eastern Time", "Mountain Standard Time") rather than by zone id, so
 * every zone of the region (America/Indiana/*, America/Kentucky/*, America/Toronto,
 * America/Phoenix, America/Boise, America/Adak...) is covered without a hand-kept list,
 * and a zone that changed region (parts of Indiana) gets the label of the moment.
 */
const US_ZONE_LABELS: Readonly<Record<string, string>> = {
  Eastern: "ET",
  Central: "CT",
  Mountain: "MT",
  Pacific: "PT",
  Alaska: "AKT",
  "Hawaii-Aleutian": "HT",
};

interface ZoneFormats {
  clock: Intl.DateTimeFormat;
  genericName: Intl.DateTimeFormat;
  longName: Intl.DateTimeFormat;
  shortName: Intl.DateTimeFormat;
  date: Intl.DateTimeFormat;
}

// Building an Intl.DateTimeFormat costs far more than using one; a summary formats several
// moments of one zone, and a backtest formats thousands.
const formatsByZone = new Map<string, ZoneFormats>();

function formatsFor(timeZone: string): ZoneFormats {
  let formats = formatsByZone.get(timeZone);
  if (!formats) {
    const make = (options: Intl.DateTimeFormatOptions) =>
      new Intl.DateTimeFormat("en-US", { timeZone, ...options });
    formats = {
      // h23 rather than hour12: false, which some ICU builds render midnight as "24".
      clock: make({ hour: "numeric", minute: "numeric", hourCycle: "h23" }),
      genericName: make({ timeZoneName: "longGeneric" }),
      longName: make({ timeZoneName: "long" }),
      shortName: make({ timeZoneName: "short" }),
      date: make({ month: "short", day: "numeric" }),
    };
    formatsByZone.set(timeZone, formats);
  }
  return formats;
}

function part(format: Intl.DateTimeFormat, ms: number, type: Intl.DateTimeFormatPartTypes) {
  return format.formatToParts(ms).find((p) => p.type === type)?.value ?? "";
}

/**
 * The zone label shown after a local time: ET, CT, MT, PT, AKT or HT for the North American
 * regions that have one, otherwise Intl's en-US short name, which is an offset such as
 * "GMT+1" or "GMT+5:30" (or "GMT"/"UTC"). Offsets were chosen over abbreviations like
 * "CET" or "IST" because they are unambiguous ("IST" is Irish, Israeli and Indian time)
 * and read naturally next to the "(03:20 GMT)" that follows.
 *
 * @throws RangeError when `timeZone` is not an IANA zone Node knows.
 * @example zoneLabel(Date.parse("2023-02-14T03:20:00Z"), "America/Chicago") // "CT"
 * @example zoneLabel(Date.parse("2023-02-14T03:20:00Z"), "Europe/Berlin") // "GMT+1"
 */
export function zoneLabel(ms: number, timeZone: string): string {
  const formats = formatsFor(timeZone);
  for (const format of [formats.genericName, formats.longName]) {
    // "Eastern Time", "Mountain Standard Time", "Eastern Daylight Time" -> "Eastern".
    const region = /^(.+?) (?:Standard |Daylight )?Time$/.exec(part(format, ms, "timeZoneName"));
    const label = region?.[1] === undefined ? undefined : US_ZONE_LABELS[region[1]];
    if (label) return label;
  }
  return part(formats.shortName, ms, "timeZoneName");
}

/**
 * A wall-clock reading on the 12-hour clock, AP style: "10:20 p.m.", "9 p.m." on the hour,
 * and "midnight"/"noon" rather than the ambiguous "12 a.m."/"12 p.m.".
 *
 * @example formatClock(22, 20) // "10:20 p.m."
 * @example formatClock(0, 0) // "midnight"
 */
export function formatClock(hour: number, minute: number): string {
  if (minute === 0 && hour === 0) return "midnight";
  if (minute === 0 && hour === 12) return "noon";
  const suffix = hour < 12 ? "a.m." : "p.m.";
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0
    ? `${hour12} ${suffix}`
    : `${hour12}:${String(minute).padStart(2, "0")} ${suffix}`;
}

/**
 * The local time of `ms` in `timeZone` with its zone label (see {@link zoneLabel}).
 *
 * @throws RangeError when `timeZone` is not an IANA zone Node knows.
 * @example formatLocalTime(Date.parse("2023-02-14T03:20:00Z"), "America/New_York") // "10:20 p.m. ET"
 * @example formatLocalTime(Date.parse("2023-02-14T05:00:00Z"), "America/New_York") // "midnight ET"
 */
export function formatLocalTime(ms: number, timeZone: string): string {
  const clock = formatsFor(timeZone).clock;
  const hour = Number(part(clock, ms, "hour")) % 24;
  const minute = Number(part(clock, ms, "minute"));
  return `${formatClock(hour, minute)} ${zoneLabel(ms, timeZone)}`;
}

/**
 * The local calendar date of `ms` in `timeZone`, for moments a reader could otherwise
 * place on the wrong day.
 *
 * @example formatLocalDate(Date.parse("2023-02-14T03:20:00Z"), "America/New_York") // "Feb 13"
 */
export function formatLocalDate(ms: number, timeZone: string): string {
  return formatsFor(timeZone).date.format(ms);
}

/**
 * The UTC time of `ms` on the 24-hour clock, in parentheses as it follows a local time.
 *
 * @example formatGmt(Date.parse("2023-02-14T03:20:00Z")) // "(03:20 GMT)"
 */
export function formatGmt(ms: number): string {
  const date = new Date(ms);
  const hh = String(date.getUTCHours()).padStart(2, "0");
  const mm = String(date.getUTCMinutes()).padStart(2, "0");
  return `(${hh}:${mm} GMT)`;
}

/**
 * Options of {@link formatTimeWithGmt}.
 *
 * @example const options: TimeWithGmtOptions = { withDate: true };
 */
export interface TimeWithGmtOptions {
  /** Name the local date after the zone ("... ET on Feb 15 (...)"). */
  withDate?: boolean;
}

/**
 * Local time, optionally its local date, then the UTC time.
 *
 * @example formatTimeWithGmt(Date.parse("2023-02-14T03:20:00Z"), "America/New_York")
 * // "10:20 p.m. ET (03:20 GMT)"
 * @example formatTimeWithGmt(Date.parse("2023-02-14T03:20:00Z"), "America/New_York", { withDate: true })
 * // "10:20 p.m. ET on Feb 13 (03:20 GMT)"
 */
export function formatTimeWithGmt(
  ms: number,
  timeZone: string,
  options: TimeWithGmtOptions = {},
): string {
  const date = options.withDate ? ` on ${formatLocalDate(ms, timeZone)}` : "";
  return `${formatLocalTime(ms, timeZone)}${date} ${formatGmt(ms)}`;
}

/**
 * A duration to the minute, coarsening as it grows: minutes under an hour, hours and
 * minutes under a day, then days and hours (minutes no longer matter to a reader).
 * Rounded to the nearest minute, and from a day on to the nearest hour.
 *
 * @example formatDuration(5 * 3_600_000 + 25 * 60_000) // "5 h 25 min"
 * @example formatDuration(45 * 60_000) // "45 min"
 * @example formatDuration(52 * 3_600_000) // "2 days 4 h"
 */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE_MS));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < DAY_MS / MINUTE_MS) {
    const rest = minutes % 60;
    return rest === 0
      ? `${Math.floor(minutes / 60)} h`
      : `${Math.floor(minutes / 60)} h ${rest} min`;
  }
  const hours = Math.round((minutes * MINUTE_MS) / HOUR_MS);
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const dayWord = days === 1 ? "day" : "days";
  return rest === 0 ? `${days} ${dayWord}` : `${days} ${dayWord} ${rest} h`;
}
