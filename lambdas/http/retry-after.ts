/**
 * How long a server asked us to wait: the `Retry-After` field (RFC 9110 §10.2.3), read
 * strictly, for every caller alike. Its value is either delay-seconds, a non-negative
 * integer, or an HTTP-date (§5.6.7); anything else is ignored, as the RFC lets a recipient
 * do. Strictness matters because `Date.parse` reads far more than HTTP-dates: it takes
 * "1.5" or "-1" for dates in the past, which would make a client retry at once.
 */

/**
 * The largest delay-seconds honoured: a larger (or overflowing) value counts as 2^31 s,
 * as RFC 9111 §1.2.2 tells caches to do with delta-seconds, so a huge value still reads
 * as "much too long" rather than as Infinity or an unreadable number.
 */
export const MAX_RETRY_AFTER_SECONDS = 2 ** 31;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
/** `Sun, 06 Nov 1994 08:49:37 GMT`, the form senders must use. */
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`,
);
/** `Sunday, 06-Nov-94 08:49:37 GMT`, obsolete but to be accepted. */
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994` (C's asctime), obsolete but to be accepted; it is UTC. */
const ASCTIME = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`,
);

/**
 * An rfc850-date's two-digit year: the RFC says one that looks more than 50 years in the
 * future is the most recent past year with the same last two digits.
 */
function fullYear(twoDigits: number, nowMs: number): number {
  const thisYear = new Date(nowMs).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}

/** Epoch ms of a calendar time in UTC, or null when no such time exists (31 Feb, 25:00). */
function utc(year: number, month: string, day: number, time: string[]): number | null {
  const [hours, minutes, seconds] = time.map(Number) as [number, number, number];
  const monthIndex = MONTHS.indexOf(month);
  // Second 60 is a leap second in the grammar; Date.UTC carries it into the next minute.
  if (hours > 23 || minutes > 59 || seconds > 60 || day < 1) return null;
  const at = Date.UTC(year, monthIndex, day, hours, minutes, seconds);
  return new Date(at).getUTCDate() === day ? at : null;
}

/**
 * Epoch ms of an HTTP-date in any of its three forms (RFC 9110 §5.6.7), or null when the
 * text is not one.
 * @example parseHttpDate("Tue, 14 Feb 2023 03:30:45 GMT", Date.now()) // 1676345445000
 */
export function parseHttpDate(text: string, nowMs: number): number | null {
  let match = IMF_FIXDATE.exec(text);
  if (match) {
    const [, day, month, year, ...time] = match as unknown as string[];
    return utc(Number(year), month as string, Number(day), time);
  }
  match = RFC_850.exec(text);
  if (match) {
    const [, day, month, year, ...time] = match as unknown as string[];
    return utc(fullYear(Number(year), nowMs), month as string, Number(day), time);
  }
  match = ASCTIME.exec(text);
  if (match) {
    const [, month, day, h, m, s, year] = match as unknown as string[];
    return utc(Number(year), month as string, Number(day), [h, m, s] as string[]);
  }
  return null;
}

/**
 * Milliseconds to wait from a `Retry-After` value, or null when it is missing or not
 * delay-seconds nor an HTTP-date. A date in the past means no wait (0). Surrounding
 * whitespace is not part of a field value (RFC 9110 §5.5), so it is dropped.
 * @example
 * parseRetryAfter("120", now) // 120000
 * parseRetryAfter("Tue, 14 Feb 2023 03:30:45 GMT", Date.parse("2023-02-14T03:30:00Z")) // 45000
 * parseRetryAfter("1.5", now) // null: delay-seconds is an integer
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Math.min(Number(trimmed), MAX_RETRY_AFTER_SECONDS) * 1000;
  }
  const at = parseHttpDate(trimmed, nowMs);
  return at === null ? null : Math.max(0, at - nowMs);
}
