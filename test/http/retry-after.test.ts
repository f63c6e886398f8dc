/**
 * `Retry-After` as RFC 9110 §10.2.3 defines it: delay-seconds (a non-negative integer) or
 * an HTTP-date in one of its three forms; everything else is no instruction at all.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_RETRY_AFTER_SECONDS,
  parseHttpDate,
  parseRetryAfter,
} from "../../lambdas/http/retry-after";

const now = Date.parse("2023-02-14T03:30:00Z");

describe("parseRetryAfter: delay-seconds", () => {
  it("reads whole seconds as milliseconds", () => {
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("007", now)).toBe(7_000);
  });

  it("drops the whitespace around the value, which is not part of it", () => {
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("\t5", now)).toBe(5_000);
  });

  it("ignores a fraction, a sign or another notation rather than guessing", () => {
    // Prepare / Act / Assess: each of these once read as 1.5 s, 0 s, 1000 s or 16 s
    for (const value of ["1.5", "-1", "+1", "1e3", "0x10", "1 2", "Infinity"]) {
      expect(parseRetryAfter(value, now), value).toBeNull();
    }
  });

  it("reads a huge value as 2^31 seconds, so it still means far too long", () => {
    expect(parseRetryAfter("99999999999999999999", now)).toBe(MAX_RETRY_AFTER_SECONDS * 1000);
    expect(parseRetryAfter("9".repeat(400), now)).toBe(MAX_RETRY_AFTER_SECONDS * 1000);
    expect(parseRetryAfter("2147483647", now)).toBe(2_147_483_647_000);
  });
});

describe("parseRetryAfter: HTTP-dates", () => {
  it("reads an IMF-fixdate as the time left until it", () => {
    expect(parseRetryAfter("Tue, 14 Feb 2023 03:30:45 GMT", now)).toBe(45_000);
    expect(parseRetryAfter(new Date(now + 3_600_000).toUTCString(), now)).toBe(3_600_000);
  });

  it("reads a date in the past as no wait", () => {
    expect(parseRetryAfter("Tue, 14 Feb 2023 03:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(0);
  });

  it("reads the two obsolete forms a recipient must still accept", () => {
    expect(parseHttpDate("Tuesday, 14-Feb-23 03:31:00 GMT", now)).toBe(now + 60_000);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBe(
      Date.parse("1994-11-06T08:49:37Z"),
    );
    expect(parseHttpDate("Tue Feb 14 03:31:00 2023", now)).toBe(now + 60_000);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994", now)).toBe(Date.parse("1994-11-06T08:49:37Z"));
  });

  it("ignores garbage and dates in other notations", () => {
    for (const value of [
      "",
      "   ",
      "soon",
      "2023-02-14T03:31:00Z",
      "Tue, 14 Feb 2023 03:31:00 PST",
      "Tue, 30 Feb 2023 03:31:00 GMT",
      "Tue, 14 Feb 2023 25:00:00 GMT",
      "tue, 14 feb 2023 03:31:00 gmt",
    ]) {
      expect(parseRetryAfter(value, now), JSON.stringify(value)).toBeNull();
    }
  });

  it("says nothing when there is no header", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
