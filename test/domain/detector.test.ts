import { describe, expect, it } from "vitest";
import { type DetectorSettings, DetectorSettingsSchema } from "../../lambdas/domain/config";
import {
  type DetectorContext,
  type DetectorState,
  initialDetectorState,
  stepDetector,
} from "../../lambdas/domain/detector";
import type { Incident, IncidentEvent } from "../../lambdas/domain/incident";

const MIN = 60_000;
const DEFAULTS = DetectorSettingsSchema.parse({});
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** Noon UTC the day before the seed story; every series below starts here. */
const T0 = Date.parse("2023-02-13T12:00:00Z");

interface Run {
  state: DetectorState;
  events: IncidentEvent[];
  /** Every incident the run saw, latest version of each, in order of opening. */
  incidents: Incident[];
  /** Bucket start after the last one fed. */
  next: number;
}

function context(overrides: Partial<DetectorContext> = {}): DetectorContext {
  return {
    service: "t-mobile",
    timeZone: "America/New_York",
    bucketMinutes: 5,
    settings: DEFAULTS,
    ...overrides,
  };
}

/**
 * Feeds `counts` (null = gap) one bucket at a time, from `start` or where `from` stopped.
 */
function feed(
  counts: readonly (number | null)[],
  ctx: DetectorContext = context(),
  from?: Run,
): Run {
  let state = from?.state ?? initialDetectorState();
  let bucket = from?.next ?? T0;
  const events: IncidentEvent[] = [...(from?.events ?? [])];
  const byId = new Map((from?.incidents ?? []).map((incident) => [incident.id, incident]));
  for (const count of counts) {
    const step = stepDetector(state, { bucketStart: bucket, count }, ctx);
    state = step.state;
    for (const event of step.events) {
      events.push(event);
      byId.set(event.incident.id, event.incident);
    }
    bucket += ctx.bucketMinutes * MIN;
  }
  return { state, events, incidents: [...byId.values()], next: bucket };
}

const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);
const opened = (run: Run) => run.events.filter((e) => e.type === "opened");
const resolved = (run: Run) => run.events.filter((e) => e.type === "resolved");
/** Bucket start of the `index`-th bucket fed from T0 (5-minute buckets unless told). */
const bucketAt = (index: number, minutes = 5) => T0 + index * minutes * MIN;

/** Two hours of a quiet service at about 10 reports per bucket. */
const HISTORY = repeat(10, 24);

describe("stepDetector warm-up", () => {
  it("opens nothing while the baseline has not seen its first hour, however big the count", () => {
    // Prepare: a service first seen mid-outage
    const counts = [100_000, 100_000, 90_000, 10, 10, 10, 10, 10, 10, 10, 10, 10];

    // Act
    const run = feed(counts);

    // Assess
    expect(run.events).toEqual([]);
    expect(run.state.incident).toBeNull();
    expect(run.state.pending).toBeNull();
  });
});

describe("stepDetector opening an incident", () => {
  it("opens on the confirmBuckets-th abnormal bucket, starting at the first", () => {
    // Prepare: history, then a moderate surge at index 24 (5x and 9x the baseline of 10:
    // abnormal, but the first is not extreme, so it must be confirmed)
    const counts = [...HISTORY, 50, 90, 2000];

    // Act
    const afterFirst = feed(counts.slice(0, 25));
    const afterSecond = feed(counts.slice(0, 26));

    // Assess
    expect(opened(afterFirst)).toEqual([]);
    expect(afterFirst.state.pending?.start).toBe(bucketAt(24));
    const [open] = opened(afterSecond);
    expect(opened(afterSecond)).toHaveLength(1);
    expect(open?.at).toBe(bucketAt(25));
    expect(open?.incident).toMatchObject({
      id: `t-mobile-${iso(bucketAt(24)).slice(0, 16).replace(/[-:]/g, "")}Z`,
      service: "t-mobile",
      startedAt: bucketAt(24),
      openedAt: bucketAt(25),
      countAtOpen: 90,
      peak: { count: 90, at: bucketAt(25) },
      resolvedAt: null,
    });
    expect(open?.incident.baselineAtOpen).toBeCloseTo(10, 0);
  });

  it.each([
    ["confirmMinutes: 20", { confirmMinutes: 20 }],
    ["an earlier release's confirmBuckets: 4", { confirmBuckets: 4 }],
  ])("waits as long as %s says", (_, confirm) => {
    // Prepare: a day of history (so that more than extreme windows may open), then four
    // abnormal buckets that are not extreme
    const settings: DetectorSettings = { ...DEFAULTS, ...confirm };
    const day = repeat(10, 288);
    const counts = [...day, ...HISTORY, 45, 50, 55, 58];
    const first = day.length + HISTORY.length;

    // Act
    const early = feed(counts.slice(0, first + 3), context({ settings }));
    const run = feed(counts, context({ settings }));

    // Assess
    expect(opened(early)).toEqual([]);
    expect(opened(run).map((e) => [e.at, e.incident.startedAt])).toEqual([
      [bucketAt(first + 3), bucketAt(first)],
    ]);
  });

  it("opens on a surge that is only abnormal, not extreme, once a day has been seen", () => {
    // Prepare
    const counts = [...HISTORY, 45, 50, 55, 58];
    const day = repeat(10, 288);

    // Act
    const fresh = feed(counts);
    const warm = feed([...day, ...counts]);

    // Assess: the first day's baseline is the recent level, which lags a morning rise
    expect(opened(fresh)).toEqual([]);
    expect(opened(warm).map((e) => e.at)).toEqual([bucketAt(day.length + 24 + 2)]);
  });

  it("does not open on a single-bucket blip, nor learn from it", () => {
    // Prepare: blips 5x the baseline of 10 (abnormal, not extreme)
    const counts = [...HISTORY, 55, 10, 10, 10, 55, 10, 10];

    // Act
    const run = feed(counts);

    // Assess
    expect(run.events).toEqual([]);
    expect(run.state.pending).toBeNull();
    expect(run.state.baseline.level).toBeLessThan(11);
  });

  it("opens at once on an extreme bucket (twice the ratio asked)", () => {
    // Prepare: 400 is 40x the baseline of 10
    const counts = [...HISTORY, 400, 900];

    // Act
    const run = feed(counts.slice(0, 25));

    // Assess
    expect(opened(run).map((e) => [e.at, e.incident.startedAt])).toEqual([
      [bucketAt(24), bucketAt(24)],
    ]);
    expect(run.state.pending).toBeNull();
  });

  it("still confirms a bucket just short of extreme", () => {
    // Prepare: 79 is under 2 x 4 x 10 = 80
    const first = feed([...HISTORY, 79]);

    // Act
    const second = feed([81], context(), first);

    // Assess
    expect(opened(first)).toEqual([]);
    expect(opened(second)).toHaveLength(1);
  });

  it("opens on a sparse service (0-1 reports a bucket) after a few dozen reports", () => {
    // Prepare: two hours of 0/1, then 30 and 45 reports
    const sparse = Array.from({ length: 24 }, (_, i) => i % 2);
    const quiet = feed(sparse);

    // Act
    const small = feed([12, 15, 9], context(), quiet);
    const surge = feed([30, 45], context(), quiet);

    // Assess
    expect(opened(small)).toEqual([]);
    expect(opened(surge)).toHaveLength(1);
    expect(surge.state.incident?.startedAt).toBe(quiet.next);
  });

  it("does not open on the noise of a busy service (~1,000 ± 25%) over three days", () => {
    // Prepare: a deterministic pseudo-random walk around 1,000
    let seed = 42;
    const noise = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const counts = Array.from({ length: 3 * 288 }, () => Math.round(1000 + 500 * noise()));

    // Act
    const run = feed(counts);
    const surge = feed([6000, 7000, 6500], context(), run);

    // Assess
    expect(Math.min(...counts)).toBeLessThan(800);
    expect(Math.max(...counts)).toBeGreaterThan(1200);
    expect(run.events).toEqual([]);
    expect(opened(surge)).toHaveLength(1);
  });
});

describe("stepDetector while an incident is open", () => {
  it("tracks the peak as it rises and keeps it when counts fall", () => {
    // Prepare: a moderate first bucket, so the incident opens on the second
    const counts = [...HISTORY, 50, 90, 3000, 8000, 6000, 2500];

    // Act
    const run = feed(counts);

    // Assess
    expect(run.state.incident?.peak).toEqual({ count: 8000, at: bucketAt(27) });
    expect(run.events.filter((e) => e.type === "peak").map((e) => e.at)).toEqual([
      bucketAt(26),
      bucketAt(27),
    ]);
  });

  /**
   * A surge rising from 02:40 UTC to a peak in the 03:20 bucket, then falling slowly for
   * six hours: the seed story's shape on 5-minute buckets.
   */
  function seedShape(): { counts: number[]; peakAt: number } {
    const start = Date.parse("2023-02-13T22:00:00Z");
    const surgeAt = Date.parse("2023-02-14T02:40:00Z");
    const peakAt = Date.parse("2023-02-14T03:20:00Z");
    const end = Date.parse("2023-02-14T09:00:00Z");
    const counts: number[] = [];
    for (let t = start; t < end; t += 5 * MIN) {
      if (t < surgeAt) counts.push(40);
      else if (t <= peakAt) counts.push(1000 * (1 + (t - surgeAt) / (5 * MIN)) ** 2);
      else counts.push(Math.round(81_000 * 0.97 ** ((t - peakAt) / (5 * MIN))));
    }
    return { counts, peakAt };
  }

  function feedFrom(startIso: string, counts: number[], timeZone: string): Run {
    const state = initialDetectorState();
    return feed(counts, context({ timeZone }), {
      state,
      events: [],
      incidents: [],
      next: Date.parse(startIso),
    });
  }

  it("states the level at each whole hour after the peak in New York (:00 UTC)", () => {
    // Prepare
    const { counts } = seedShape();

    // Act
    const run = feedFrom("2023-02-13T22:00:00Z", counts, "America/New_York");

    // Assess
    const incident = run.incidents[0];
    expect(incident?.peak).toEqual({ count: 81_000, at: Date.parse("2023-02-14T03:20:00Z") });
    const falloffs = incident?.falloffs.map((f) => iso(f.at)) ?? [];
    expect(falloffs.slice(0, 3)).toEqual([
      "2023-02-14T04:00:00Z",
      "2023-02-14T05:00:00Z",
      "2023-02-14T06:00:00Z",
    ]);
    expect(falloffs.every((at) => at.endsWith(":00:00Z"))).toBe(true);
    expect(falloffs).not.toContain("2023-02-14T03:00:00Z");
    expect(incident?.falloffs[0]?.count).toBe(Math.round(81_000 * 0.97 ** 8));
  });

  it("states the level at each whole hour after the peak in Kolkata (:30 UTC)", () => {
    // Prepare
    const { counts } = seedShape();

    // Act
    const run = feedFrom("2023-02-13T22:00:00Z", counts, "Asia/Kolkata");

    // Assess
    const incident = run.incidents[0];
    const falloffs = incident?.falloffs.map((f) => iso(f.at)) ?? [];
    expect(falloffs.slice(0, 3)).toEqual([
      "2023-02-14T03:30:00Z",
      "2023-02-14T04:30:00Z",
      "2023-02-14T05:30:00Z",
    ]);
    expect(falloffs.every((at) => at.endsWith(":30:00Z"))).toBe(true);
    expect(incident?.falloffs[0]?.count).toBe(Math.round(81_000 * 0.97 ** 2));
  });

  it("forgets milestones stated before a higher peak", () => {
    // Prepare: history from 01:45 UTC; a first high at 03:55, a dip over 04:00, a higher
    // peak at 04:10
    const from = {
      state: initialDetectorState(),
      events: [],
      incidents: [],
      next: Date.parse("2023-02-14T01:45:00Z"),
    };
    const beforeSecondPeak = feed([...HISTORY, 500, 3000, 5000, 4000, 3000], context(), from);

    // Act
    const run = feed([9000, 6000], context(), beforeSecondPeak);

    // Assess
    expect(beforeSecondPeak.state.incident?.falloffs).toEqual([
      { at: Date.parse("2023-02-14T04:00:00Z"), count: 4000 },
    ]);
    expect(run.state.incident?.peak).toEqual({
      count: 9000,
      at: Date.parse("2023-02-14T04:10:00Z"),
    });
    expect(run.state.incident?.falloffs).toEqual([]);
  });

  it("resolves only after resolveMinutes of quiet, dated from the first quiet bucket", () => {
    // Prepare: surge at 24-27, then quiet (< 1.5 x 10) from index 28
    const surge = feed([...HISTORY, 400, 900, 600, 300]);

    // Act
    const almost = feed(repeat(10, 5), context(), surge);
    const done = feed(repeat(10, 6), context(), surge);

    // Assess
    expect(resolved(almost)).toEqual([]);
    expect(almost.state.incident).not.toBeNull();
    expect(resolved(done)).toHaveLength(1);
    expect(done.state.incident).toBeNull();
    expect(resolved(done)[0]?.at).toBe(bucketAt(33));
    expect(done.incidents[0]?.resolvedAt).toBe(bucketAt(28));
  });

  it("starts the quiet count again when a bucket is not quiet", () => {
    // Prepare: 20 is above 1.5 x the baseline of 10
    const surge = feed([...HISTORY, 400, 900]);

    // Act
    const run = feed([...repeat(10, 5), 20, ...repeat(10, 5)], context(), surge);
    const then = feed([10], context(), run);

    // Assess
    expect(resolved(run)).toEqual([]);
    expect(resolved(then)).toHaveLength(1);
    expect(then.incidents[0]?.resolvedAt).toBe(bucketAt(32));
  });

  it("needs fewer quiet buckets when buckets are wider (15-minute buckets, 30 minutes)", () => {
    // Prepare: 4 buckets of 15 minutes make the first hour
    const ctx = context({ bucketMinutes: 15 });
    const surge = feed([10, 10, 10, 10, 10, 10, 400, 900], ctx);

    // Act
    const one = feed([10], ctx, surge);
    const two = feed([10, 10], ctx, surge);

    // Assess
    expect(opened(surge)).toHaveLength(1);
    expect(resolved(one)).toEqual([]);
    expect(resolved(two)).toHaveLength(1);
    expect(two.incidents[0]?.resolvedAt).toBe(bucketAt(8, 15));
  });

  it("never resolves on a gap: a long gap then more surge is still one incident", () => {
    // Prepare
    const surge = feed([...HISTORY, 400, 900, 1200]);

    // Act: four hours without data, then the outage is still there
    const run = feed([...repeat(null, 48), 1500, 800], context(), surge);

    // Assess
    expect(opened(run)).toHaveLength(1);
    expect(resolved(run)).toEqual([]);
    expect(run.incidents).toHaveLength(1);
    expect(run.state.incident?.peak).toEqual({ count: 1500, at: bucketAt(24 + 3 + 48) });
  });

  it("does not count gaps as quiet", () => {
    // Prepare
    const surge = feed([...HISTORY, 400, 900]);

    // Act: five quiet buckets and then only gaps, for hours
    const run = feed([...repeat(10, 5), ...repeat(null, 60)], context(), surge);

    // Assess
    expect(resolved(run)).toEqual([]);
    expect(run.state.incident).not.toBeNull();
  });

  it("dates the resolution from the first quiet bucket even when gaps split the quiet run", () => {
    // Prepare: quiet from index 26, then an hour without data, then one more quiet bucket
    const surge = feed([...HISTORY, 400, 900]);

    // Act
    const run = feed([...repeat(10, 5), ...repeat(null, 12), 10], context(), surge);

    // Assess
    expect(resolved(run)).toHaveLength(1);
    expect(run.incidents[0]?.resolvedAt).toBe(bucketAt(26));
  });

  it("states no falloff at or after the moment it resolved", () => {
    // Prepare: the peak at 10:05 a.m. ET (T0 is 7 a.m. ET), quiet from 10:45 a.m.
    const surge = feed([...HISTORY, ...repeat(10, 12), 400, 900, 700, 500, 300, 200, 100, 50, 30]);

    // Act: 11:00 a.m. ET is a whole hour inside the quiet run
    const run = feed(repeat(10, 6), context(), surge);

    // Assess
    const [incident] = run.incidents;
    expect(incident?.resolvedAt).toBe(bucketAt(45));
    expect(incident?.falloffs.every((f) => f.at < (incident?.resolvedAt ?? 0))).toBe(true);
  });

  it("resolves after a day when the service has settled at a new, higher level", () => {
    // Prepare: a quiet service whose reports triple for good (a source added, say)
    const history = repeat(10, 3 * 288);

    // Act: three days at the new level
    const run = feed([...history, ...repeat(35, 3 * 288)]);

    // Assess: one incident, resolved after a day, and none since
    expect(opened(run)).toHaveLength(1);
    expect(resolved(run)).toHaveLength(1);
    expect(run.state.incident).toBeNull();
    const [incident] = run.incidents;
    expect((incident?.resolvedAt ?? 0) - (incident?.startedAt ?? 0)).toBeGreaterThanOrEqual(
      24 * 60 * MIN,
    );
    expect(incident?.falloffs.length).toBeLessThanOrEqual(48);
  });

  it("keeps a second surge before resolution in the same incident", () => {
    // Prepare
    const surge = feed([...HISTORY, 400, 900, 300]);

    // Act: three quiet buckets, then a bigger second wave, then quiet for good
    const run = feed([10, 10, 10, 700, 2000, 500, ...repeat(10, 6)], context(), surge);

    // Assess
    expect(opened(run)).toHaveLength(1);
    expect(resolved(run)).toHaveLength(1);
    expect(run.incidents).toHaveLength(1);
    expect(run.incidents[0]).toMatchObject({
      startedAt: bucketAt(24),
      peak: { count: 2000, at: bucketAt(31) },
      resolvedAt: bucketAt(33),
    });
  });

  it("does not learn the outage into the baseline: the same surge opens again later", () => {
    // Prepare: a day of history, a six-hour outage at 2,000 a bucket, then quiet again
    const outage = repeat(2000, 72);
    const history = [...repeat(10, 288), ...HISTORY];
    const first = feed([...history, ...outage, ...repeat(10, 12)]);

    // Act
    const second = feed(outage.slice(0, 3), context(), first);

    // Assess
    expect(resolved(first)).toHaveLength(1);
    expect(first.state.baseline.level).toBeLessThan(11);
    expect(opened(second)).toHaveLength(2);
    expect(second.incidents.map((i) => i.startedAt)).toEqual([
      bucketAt(history.length),
      bucketAt(history.length + 72 + 12),
    ]);
  });
});

describe("stepDetector fed a bucket again (rule 7)", () => {
  it("changes nothing when the bucket is older than the ones it keeps, or its count is the same", () => {
    // Prepare
    const run = feed([...HISTORY, 400, 900]);
    const before = JSON.stringify(run.state);
    const last = run.next - 5 * MIN;

    // Act
    const same = stepDetector(run.state, { bucketStart: last, count: 900 }, context());
    const older = stepDetector(run.state, { bucketStart: bucketAt(3), count: 10 }, context());
    const gap = stepDetector(run.state, { bucketStart: last, count: null }, context());

    // Assess
    for (const step of [same, older, gap]) {
      expect(step.events).toEqual([]);
      expect(JSON.stringify(step.state)).toBe(before);
    }
  });

  it("revises a kept count idempotently, and a partial re-count never lowers it", () => {
    // Prepare
    const run = feed([...HISTORY, 400, 900]);
    const last = run.next - 5 * MIN;

    // Act
    const once = stepDetector(run.state, { bucketStart: last, count: 950 }, context());
    const twice = stepDetector(once.state, { bucketStart: last, count: 950 }, context());
    const partial = stepDetector(
      once.state,
      { bucketStart: last, count: 100, partial: true },
      context(),
    );

    // Assess
    expect(once.events).toEqual([]);
    expect(once.state.window.at(-2)).toBe(950);
    expect(twice.state).toBe(once.state);
    expect(partial.state).toBe(once.state);
  });

  it("does not modify the state it is given", () => {
    // Prepare
    const run = feed([...HISTORY, 400, 900]);
    const before = JSON.stringify(run.state);

    // Act
    stepDetector(run.state, { bucketStart: run.next, count: 20_000 }, context());
    stepDetector(run.state, { bucketStart: run.next, count: 10 }, context());

    // Assess
    expect(JSON.stringify(run.state)).toBe(before);
  });
});
