import { describe, expect, it } from "vitest";
import {
  baselineReady,
  expectedCount,
  initialBaseline,
  typicalDailyMax,
} from "../../lambdas/domain/baseline";
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MIN } from "../../lambdas/domain/buckets";
import { DetectorSettingsSchema } from "../../lambdas/domain/config";
import {
  type DetectorContext,
  type DetectorState,
  initialDetectorState,
  stepDetector,
} from "../../lambdas/domain/detector";
import { migrateDetectorState } from "../../lambdas/domain/detector-state-migration";
import type { IncidentEvent } from "../../lambdas/domain/incident";
import { utcOffsetMs } from "../../lambdas/domain/zone-offset";

const DEFAULTS = DetectorSettingsSchema.parse({});
const NY = "America/New_York";

function context(overrides: Partial<DetectorContext> = {}): DetectorContext {
  return { service: "svc", timeZone: NY, bucketMinutes: 5, settings: DEFAULTS, ...overrides };
}

interface Run {
  state: DetectorState;
  opened: IncidentEvent[];
  next: number;
}

/** Feeds `count(t)` for every 5-minute bucket from `from` (inclusive) to `to` (exclusive). */
function feed(
  count: (t: number) => number | null,
  from: number,
  to: number,
  run?: Run,
  ctx: DetectorContext = context(),
): Run {
  let state = run?.state ?? initialDetectorState();
  const opened = [...(run?.opened ?? [])];
  const width = ctx.bucketMinutes * MIN;
  for (let t = from; t < to; t += width) {
    const step = stepDetector(state, { bucketStart: t, count: count(t) }, ctx);
    state = step.state;
    for (const event of step.events) if (event.type === "opened") opened.push(event);
  }
  return { state, opened, next: to };
}

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Local hour of day (0-23) and day of week (0 = Sunday) of `t` in New York. */
function nyClock(t: number): { hour: number; weekday: number } {
  const local = new Date(t + utcOffsetMs(NY, t));
  return { hour: local.getUTCHours(), weekday: local.getUTCDay() };
}

/** Monday 2023-01-02 00:00 in New York (05:00 UTC). */
const MONDAY = Date.parse("2023-01-02T05:00:00Z");

describe("baseline cold start", () => {
  it("expects 1 report and judges nothing before it has seen an hour", () => {
    // Prepare
    const fresh = initialBaseline(NY);

    // Act
    const after55 = feed(() => 10, MONDAY, MONDAY + 55 * MIN);
    const after60 = feed(() => 10, MONDAY, MONDAY + 60 * MIN);

    // Assess
    expect(expectedCount(fresh, MONDAY, { bucketMinutes: 5 })).toBe(1);
    expect(baselineReady(fresh, { bucketMinutes: 5 })).toBe(false);
    expect(baselineReady(after55.state.baseline, { bucketMinutes: 5 })).toBe(false);
    expect(baselineReady(after60.state.baseline, { bucketMinutes: 5 })).toBe(true);
  });

  it("falls back to the recent level while no time-of-day slot is trusted", () => {
    // Prepare: a day at 10, then the level moves to 30 for six hours
    const firstDay = feed(() => 10, MONDAY, MONDAY + DAY);
    const run = feed(() => 30, firstDay.next, firstDay.next + 6 * HOUR, firstDay);

    // Act
    const expected = expectedCount(run.state.baseline, run.next, { bucketMinutes: 5 });

    // Assess: one day is not enough to trust a slot (which would say 10), so the recent
    // level answers (3 h half-life: 25 after six hours)
    expect(expected).toBeGreaterThan(20);
    expect(expected).toBeLessThanOrEqual(30);
    expect(run.opened).toEqual([]);
  });

  it("follows the day/night cycle once two days are seen, not the recent level", () => {
    // Prepare: 30 a bucket from 8 a.m. to 8 p.m. local, 10 at night, for three days
    const cycle = (t: number) => {
      const { hour } = nyClock(t);
      return hour >= 8 && hour < 20 ? 30 : 10;
    };
    const run = feed(cycle, MONDAY, MONDAY + 3 * DAY);

    // Act: the middle of the night and the middle of the day of the fourth day
    const night = expectedCount(run.state.baseline, run.next + 3 * HOUR, { bucketMinutes: 5 });
    const day = expectedCount(run.state.baseline, run.next + 14 * HOUR, { bucketMinutes: 5 });

    // Assess
    expect(night).toBeGreaterThan(7);
    expect(night).toBeLessThan(13);
    expect(day).toBeGreaterThan(24);
    expect(day).toBeLessThan(36);
  });
});

describe("baseline stored by an earlier version", () => {
  it("keeps the level of a `{level, samples}` baseline and goes on learning", () => {
    // Prepare: a detector state as persisted before seasonal slots existed, read as the
    // state store reads it
    const stored = migrateDetectorState(
      JSON.parse(
        JSON.stringify({
          version: 1,
          lastBucket: MONDAY - 5 * MIN,
          baseline: { level: 12, samples: 500 },
          pending: null,
          quietBuckets: 0,
          quietSince: null,
          incident: null,
        }),
      ),
    );

    // Act
    const expected = expectedCount(stored.baseline, MONDAY, { bucketMinutes: 5 });
    const quiet = feed(() => 12, MONDAY, MONDAY + 3 * DAY, {
      state: stored,
      opened: [],
      next: MONDAY,
    });
    const surge = feed(() => 200, quiet.next, quiet.next + 15 * MIN, quiet);

    // Assess
    expect(expected).toBe(12);
    expect(quiet.opened).toEqual([]);
    expect(quiet.state.baseline.weekly).toHaveLength(168);
    expect(surge.opened).toHaveLength(1);
  });
});

describe("baseline weekly seasonality", () => {
  /** 30 a bucket on weekdays, 10 at weekends (local days), for `weeks` weeks. */
  const weekdays = (t: number) => {
    const { weekday } = nyClock(t);
    return weekday === 0 || weekday === 6 ? 10 : 30;
  };

  it("learns that weekends are quieter than weekdays", () => {
    // Prepare
    const run = feed(weekdays, MONDAY, MONDAY + 3 * 7 * DAY);
    const saturdayNoon = run.next + 5 * DAY + 12 * HOUR;
    const mondayNoon = run.next + 12 * HOUR;

    // Act
    const saturday = expectedCount(run.state.baseline, saturdayNoon, { bucketMinutes: 5 });
    const monday = expectedCount(run.state.baseline, mondayNoon, { bucketMinutes: 5 });

    // Assess: a blend of all days (about 24) would fail both
    expect(saturday).toBeGreaterThan(8);
    expect(saturday).toBeLessThan(13);
    expect(monday).toBeGreaterThan(25);
    expect(monday).toBeLessThan(35);
    expect(run.opened).toEqual([]);
  });

  it("calls 50 reports an outage on a Saturday but not on a Monday", () => {
    // Prepare: three weeks of the weekly pattern, then a fourth week with 50 a bucket
    // from noon to 1 p.m. on Monday and on Saturday
    const weeks = feed(weekdays, MONDAY, MONDAY + 3 * 7 * DAY);
    const start = weeks.next;
    const mondayNoon = start + 12 * HOUR;
    const saturdayNoon = start + 5 * DAY + 12 * HOUR;
    const inRush = (t: number, at: number) => t >= at && t < at + HOUR;

    // Act
    const run = feed(
      (t) => (inRush(t, mondayNoon) || inRush(t, saturdayNoon) ? 50 : weekdays(t)),
      start,
      start + 7 * DAY,
      weeks,
    );

    // Assess
    expect(run.opened.map((e) => e.incident.startedAt)).toEqual([saturdayNoon]);
  });
});

describe("baseline during and after an outage", () => {
  it("does not learn a six-hour outage into its slots", () => {
    // Prepare: two weeks at about 20, then a Wednesday outage at 400 from 2 to 8 p.m.
    const noise = random(7);
    const normal = () => 20 + Math.round((noise() - 0.5) * 8);
    const weeks = feed(normal, MONDAY, MONDAY + 14 * DAY);
    const outageFrom = weeks.next + 2 * DAY + 14 * HOUR;
    const outageTo = outageFrom + 6 * HOUR;
    const isOutage = (t: number) => t >= outageFrom && t < outageTo;
    const week = feed(
      (t) => (isOutage(t) ? 400 : normal()),
      weeks.next,
      weeks.next + 7 * DAY,
      weeks,
    );

    // Act: what is expected at 5 p.m. next Wednesday, and the same outage then
    const nextWednesday = outageFrom + 7 * DAY + 3 * HOUR;
    const expected = expectedCount(week.state.baseline, nextWednesday, { bucketMinutes: 5 });
    const again = feed(
      (t) => (isOutage(t - 7 * DAY) ? 400 : normal()),
      week.next,
      week.next + 7 * DAY,
      week,
    );

    // Assess
    expect(week.opened.map((e) => e.incident.startedAt)).toEqual([outageFrom]);
    expect(expected).toBeGreaterThan(15);
    expect(expected).toBeLessThan(25);
    expect(again.opened.map((e) => e.incident.startedAt)).toEqual([
      outageFrom,
      outageFrom + 7 * DAY,
    ]);
  });

  it("keeps its hour-of-day slots in local time across the DST change", () => {
    // Prepare: 30 a bucket from 9 to 10 a.m. New York time, 10 otherwise, for two weeks
    // across 12 March 2023 (clocks go forward: 9 a.m. moves from 14:00 to 13:00 UTC)
    const from = Date.parse("2023-03-05T05:00:00Z");
    const rush = (t: number) => (nyClock(t).hour === 9 ? 30 : 10);
    const run = feed(rush, from, from + 14 * DAY);

    // Act: 9:30 a.m. and 10:30 a.m. New York time on 20 March (EDT, UTC-4)
    const nineThirty = Date.parse("2023-03-20T13:30:00Z") - 150_000;
    const tenThirty = Date.parse("2023-03-20T14:30:00Z") - 150_000;

    // Assess
    expect(expectedCount(run.state.baseline, nineThirty, { bucketMinutes: 5 })).toBeGreaterThan(25);
    expect(expectedCount(run.state.baseline, tenThirty, { bucketMinutes: 5 })).toBeLessThan(15);
    expect(run.opened).toEqual([]);
  });
});

describe("baseline typical daily surprise", () => {
  it("learns that a service bursts every day, and still opens on a far bigger surge", () => {
    // Prepare: about 20 a bucket, and every day a two-bucket burst of 250 at a random time
    const noise = random(11);
    const burstAt = Array.from(
      { length: 30 },
      (_, day) => MONDAY + day * DAY + Math.floor(noise() * 280) * 5 * MIN,
    );
    const spiky = (t: number) => {
      const burst = burstAt.some((at) => t >= at && t < at + 10 * MIN);
      return burst ? 250 : 20 + Math.round((noise() - 0.5) * 8);
    };

    // Act
    const firstWeek = feed(spiky, MONDAY, MONDAY + 7 * DAY);
    const laterWeeks = feed(spiky, firstWeek.next, firstWeek.next + 14 * DAY, firstWeek);
    const surgeAt = laterWeeks.next + 4 * HOUR;
    const surge = feed(
      (t) => (t >= surgeAt && t < surgeAt + HOUR ? 2000 : 20),
      laterWeeks.next,
      laterWeeks.next + DAY,
      laterWeeks,
    );

    // Assess: the first bursts open incidents; two weeks later they no longer do
    expect(firstWeek.opened.length).toBeGreaterThan(0);
    expect(laterWeeks.opened.length).toBe(firstWeek.opened.length);
    expect(typicalDailyMax(laterWeeks.state.baseline)).toBeGreaterThan(20);
    expect(surge.opened.map((e) => e.incident.startedAt)).toContain(surgeAt);
  });

  it("keeps a smooth service sensitive: a 5x surge after weeks of noise opens", () => {
    // Prepare: three weeks of 20 +/- 4
    const noise = random(3);
    const weeks = feed(() => 20 + Math.round((noise() - 0.5) * 8), MONDAY, MONDAY + 21 * DAY);
    const surgeAt = weeks.next + 10 * HOUR;

    // Act
    const run = feed(
      (t) => (t >= surgeAt && t < surgeAt + 30 * MIN ? 100 : 20),
      weeks.next,
      weeks.next + DAY,
      weeks,
    );

    // Assess
    expect(weeks.opened).toEqual([]);
    expect(typicalDailyMax(weeks.state.baseline)).toBeLessThan(3);
    expect(run.opened.map((e) => e.incident.startedAt)).toEqual([surgeAt]);
  });
});

describe("detector after an incident resolves", () => {
  it("treats a flap back to the same level within a day as told, but not a worse one", () => {
    // Prepare: two days at 20, then 400 for an hour (an incident that resolves)
    const days = feed(() => 20, MONDAY, MONDAY + 2 * DAY);
    const first = days.next + 10 * HOUR;
    const outage = (at: number, level: number) => (t: number) =>
      t >= at && t < at + HOUR ? level : 20;
    const one = feed(outage(first, 400), days.next, days.next + 16 * HOUR, days);

    // Act: the same level six hours after it began, a worse one the day after, the
    // same level again more than a day after that
    const flap = feed(outage(first + 8 * HOUR, 400), one.next, one.next + 4 * HOUR, one);
    const worse = feed(outage(first + 14 * HOUR, 2000), flap.next, flap.next + 6 * HOUR, flap);
    const later = feed(outage(first + 48 * HOUR, 400), worse.next, first + 60 * HOUR, worse);

    // Assess
    expect(one.opened.map((e) => e.incident.startedAt)).toEqual([first]);
    expect(flap.opened).toHaveLength(1);
    expect(worse.opened.map((e) => e.incident.startedAt)).toEqual([first, first + 14 * HOUR]);
    expect(later.opened.map((e) => e.incident.startedAt)).toContain(first + 48 * HOUR);
  });
});

describe("utcOffsetMs", () => {
  /** The offset straight from Intl, without any cache. */
  function reference(zone: string, t: number): number {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    }).formatToParts(new Date(t));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
    return wall - Math.floor(t / MIN) * MIN;
  }

  it("agrees with Intl every 20 minutes over DST changes in several zones", () => {
    // Prepare: zones with whole-hour, half-hour and 45-minute offsets and DST rules
    const zones = [NY, "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"];
    const spans = [
      [Date.parse("2023-03-11T00:00:00Z"), Date.parse("2023-03-14T00:00:00Z")],
      [Date.parse("2023-03-24T00:00:00Z"), Date.parse("2023-04-04T00:00:00Z")],
      [Date.parse("2023-09-22T00:00:00Z"), Date.parse("2023-11-07T00:00:00Z")],
    ] as const;

    // Act
    const mismatches: string[] = [];
    for (const zone of zones) {
      for (const [from, to] of spans) {
        for (let t = from; t < to; t += 20 * MIN) {
          if (utcOffsetMs(zone, t) !== reference(zone, t)) {
            mismatches.push(`${zone} ${new Date(t).toISOString()}`);
          }
        }
      }
    }

    // Assess
    expect(mismatches).toEqual([]);
  });
});
