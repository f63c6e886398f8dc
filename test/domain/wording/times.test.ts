import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatDuration,
  formatGmt,
  formatLocalDate,
  formatLocalTime,
  formatTimeWithGmt,
  zoneLabel,
} from "../../../lambdas/domain/wording/times";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe("formatLocalTime", () => {
  it.each([
    ["2023-02-14T03:20:00Z", "10:20 p.m. ET"],
    ["2023-02-14T01:50:00Z", "8:50 p.m. ET"],
    ["2023-02-14T05:00:00Z", "midnight ET"],
    ["2023-02-14T05:05:00Z", "12:05 a.m. ET"],
    ["2023-02-14T17:00:00Z", "noon ET"],
    ["2023-02-14T17:45:00Z", "12:45 p.m. ET"],
    ["2023-02-14T02:00:00Z", "9 p.m. ET"],
    ["2023-02-14T14:05:00Z", "9:05 a.m. ET"],
  ])("reads %s in New York as %j", (iso, expected) => {
    // Act
    const text = formatLocalTime(at(iso), "America/New_York");

    // Assess
    expect(text).toBe(expected);
  });

  it.each([
    ["America/New_York", "2023-02-14T03:20:00Z", "10:20 p.m. ET"],
    ["America/Detroit", "2023-02-14T03:20:00Z", "10:20 p.m. ET"],
    ["America/Indiana/Indianapolis", "2023-02-14T03:20:00Z", "10:20 p.m. ET"],
    ["America/Kentucky/Louisville", "2023-07-14T03:20:00Z", "11:20 p.m. ET"],
    ["America/Toronto", "2023-02-14T03:20:00Z", "10:20 p.m. ET"],
    ["America/Chicago", "2023-02-14T03:20:00Z", "9:20 p.m. CT"],
    ["America/Indiana/Knox", "2023-02-14T03:20:00Z", "9:20 p.m. CT"],
    ["America/Denver", "2023-02-14T03:20:00Z", "8:20 p.m. MT"],
    ["America/Boise", "2023-07-14T03:20:00Z", "9:20 p.m. MT"],
    ["America/Phoenix", "2023-07-14T03:20:00Z", "8:20 p.m. MT"],
    ["America/Los_Angeles", "2023-02-14T03:20:00Z", "7:20 p.m. PT"],
    ["America/Los_Angeles", "2023-07-14T03:20:00Z", "8:20 p.m. PT"],
    ["America/Anchorage", "2023-02-14T03:20:00Z", "6:20 p.m. AKT"],
    ["Pacific/Honolulu", "2023-02-14T03:20:00Z", "5:20 p.m. HT"],
  ])("labels %s with its US zone name", (zone, iso, expected) => {
    // Act
    const text = formatLocalTime(at(iso), zone);

    // Assess
    expect(text).toBe(expected);
  });

  it.each([
    ["Europe/Berlin", "2023-02-14T03:20:00Z", "4:20 a.m. GMT+1"],
    ["Europe/Berlin", "2023-07-14T03:20:00Z", "5:20 a.m. GMT+2"],
    ["Asia/Kolkata", "2023-02-14T03:20:00Z", "8:50 a.m. GMT+5:30"],
    ["Australia/Sydney", "2023-02-14T03:20:00Z", "2:20 p.m. GMT+11"],
    ["Australia/Sydney", "2023-07-14T03:20:00Z", "1:20 p.m. GMT+10"],
    ["Europe/London", "2023-02-14T00:00:00Z", "midnight GMT"],
    ["UTC", "2023-02-14T12:00:00Z", "noon UTC"],
  ])("labels non-US zone %s with its Intl short name", (zone, iso, expected) => {
    // Act
    const text = formatLocalTime(at(iso), zone);

    // Assess
    expect(text).toBe(expected);
  });

  it("reads both 1:30 a.m. of the New York fall-back night as local time, told apart by GMT", () => {
    // Prepare: 2023-11-05, clocks go back from 2:00 EDT to 1:00 EST
    const firstPass = at("2023-11-05T05:30:00Z");
    const secondPass = at("2023-11-05T06:30:00Z");

    // Act
    const first = formatTimeWithGmt(firstPass, "America/New_York");
    const second = formatTimeWithGmt(secondPass, "America/New_York");

    // Assess
    expect(first).toBe("1:30 a.m. ET (05:30 GMT)");
    expect(second).toBe("1:30 a.m. ET (06:30 GMT)");
  });

  it("skips the missing hour of the spring-forward night", () => {
    // Prepare: 2023-03-12, clocks go from 2:00 EST to 3:00 EDT
    const before = at("2023-03-12T06:59:00Z");
    const after = at("2023-03-12T07:00:00Z");

    // Act
    const texts = [
      formatLocalTime(before, "America/New_York"),
      formatLocalTime(after, "America/New_York"),
    ];

    // Assess
    expect(texts).toEqual(["1:59 a.m. ET", "3 a.m. ET"]);
  });

  it("refuses a zone that is not IANA", () => {
    // Act
    const act = () => formatLocalTime(0, "Eastern");

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe("zoneLabel", () => {
  it("follows a zone that changed region (Indiana/Knox was Eastern in 2006)", () => {
    // Prepare
    const in2006 = at("2006-02-14T12:00:00Z");
    const in2023 = at("2023-02-14T12:00:00Z");

    // Act
    const labels = [
      zoneLabel(in2006, "America/Indiana/Knox"),
      zoneLabel(in2023, "America/Indiana/Knox"),
    ];

    // Assess
    expect(labels).toEqual(["ET", "CT"]);
  });
});

describe("formatClock", () => {
  it.each([
    [0, 0, "midnight"],
    [0, 1, "12:01 a.m."],
    [11, 59, "11:59 a.m."],
    [12, 0, "noon"],
    [13, 0, "1 p.m."],
    [23, 5, "11:05 p.m."],
  ])("reads %d:%d as %j", (hour, minute, expected) => {
    // Act
    const text = formatClock(hour, minute);

    // Assess
    expect(text).toBe(expected);
  });
});

describe("formatGmt and formatTimeWithGmt", () => {
  it("writes UTC on the 24-hour clock after the local time", () => {
    // Prepare
    const peak = at("2023-02-14T03:20:00Z");

    // Act
    const gmt = formatGmt(peak);
    const both = formatTimeWithGmt(peak, "America/New_York");
    const dated = formatTimeWithGmt(peak, "America/New_York", { withDate: true });

    // Assess
    expect(gmt).toBe("(03:20 GMT)");
    expect(both).toBe("10:20 p.m. ET (03:20 GMT)");
    expect(dated).toBe("10:20 p.m. ET on Feb 13 (03:20 GMT)");
  });

  it("writes the local date of the zone, not of UTC", () => {
    // Prepare
    const lateEvening = at("2023-02-14T03:20:00Z");

    // Act
    const dates = [
      formatLocalDate(lateEvening, "America/New_York"),
      formatLocalDate(lateEvening, "Asia/Tokyo"),
    ];

    // Assess
    expect(dates).toEqual(["Feb 13", "Feb 14"]);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 min"],
    [45 * MIN, "45 min"],
    [59 * MIN + 40_000, "1 h"],
    [5 * HOUR + 25 * MIN, "5 h 25 min"],
    [3 * HOUR + 10 * MIN, "3 h 10 min"],
    [24 * HOUR, "1 day"],
    [25 * HOUR + 20 * MIN, "1 day 1 h"],
    [52 * HOUR + 10 * MIN, "2 days 4 h"],
    [52 * HOUR + 40 * MIN, "2 days 5 h"],
  ])("states %d ms as %j", (ms, expected) => {
    // Act
    const text = formatDuration(ms);

    // Assess
    expect(text).toBe(expected);
  });
});
