/**
 * migrateDetectorState: every shape a release has stored becomes the current, complete
 * state, and the detector goes on from it exactly as it did when it defaulted the missing
 * fields itself (version 1), or as from the version-2 state with an empty window and
 * nothing yet hot (version 2).
 */
import { describe, expect, it } from "vitest";
import { type BaselineState, initialBaseline, noHotSlots } from "../../lambdas/domain/baseline";
import { DetectorSettingsSchema } from "../../lambdas/domain/config";
import {
  DETECTOR_STATE_VERSION,
  type DetectorContext,
  type DetectorState,
  initialDetectorState,
  stepDetector,
} from "../../lambdas/domain/detector";
import {
  type BaselineStateV2,
  type DetectorStateV1,
  type DetectorStateV2,
  migrateDetectorState,
  type StoredDetectorState,
  UnknownDetectorStateVersionError,
} from "../../lambdas/domain/detector-state-migration";
import type { Incident, IncidentEvent } from "../../lambdas/domain/incident";

const MIN = 60_000;
const HOUR = 60 * MIN;
const NY = "America/New_York";
const CONTEXT: DetectorContext = {
  service: "t-mobile",
  timeZone: NY,
  bucketMinutes: 5,
  settings: DetectorSettingsSchema.parse({}),
};
/** Monday 2023-01-02 00:00 in New York; every stored state below last saw the bucket before. */
const T0 = Date.parse("2023-01-02T05:00:00Z");

/** A daily cycle around 12 reports a bucket, with gaps, a surge, and a second one a day on. */
function countAt(index: number): number | null {
  if (index % 37 === 5 || (index >= 300 && index < 310)) return null;
  const hour = ((T0 + index * 5 * MIN) / HOUR) % 24;
  const cycle = 12 + Math.round(5 * Math.sin((2 * Math.PI * (hour - 7)) / 24));
  const wobble = (index * 7) % 5;
  if (index >= 200 && index < 230) return cycle + 300;
  if (index >= 230 && index < 250) return cycle + 40;
  if (index >= 500 && index < 506) return cycle + 500;
  return cycle + wobble;
}

/** Every bucket from T0 on: the states and events the detector gives from `state`. */
function replay(
  state: DetectorState,
  buckets = 864,
): { states: DetectorState[]; events: IncidentEvent[] } {
  const states: DetectorState[] = [];
  const events: IncidentEvent[] = [];
  let current = state;
  for (let i = 0; i < buckets; i++) {
    const step = stepDetector(
      current,
      { bucketStart: T0 + i * 5 * MIN, count: countAt(i) },
      CONTEXT,
    );
    current = step.state;
    states.push(current);
    events.push(...step.events);
  }
  return { states, events };
}

/** As a store hands it back: JSON, with whatever was undefined dropped. */
const stored = (state: object) => JSON.parse(JSON.stringify(state)) as StoredDetectorState;

const OPEN: Incident = {
  id: "t-mobile-20230102T0420Z",
  service: "t-mobile",
  startedAt: T0 - 40 * MIN,
  openedAt: T0 - 30 * MIN,
  countAtOpen: 200,
  baselineAtOpen: 12,
  peak: { count: 400, at: T0 - 20 * MIN },
  falloffs: [],
  resolvedAt: null,
  correlatedWith: [],
};

/** The fields the seasonal detector added, as the detector defaulted them when absent. */
const RULE_4B_DEFAULTS = {
  incidentSurprise: 0,
  afterglow: null,
  recent: { count: 0, expected: 0 },
  elevated: null,
};

/** What the detector upgraded a level-only baseline to (in the service's zone). */
const levelBaseline = (level: number, samples: number, zone = "UTC"): BaselineStateV2 =>
  asV2({ ...initialDetectorState(), baseline: { ...initialBaseline(zone), level, samples } })
    .baseline;

/** Two days of learning: a baseline with slots, as today's detector builds it. */
const learnedNow: DetectorState = (() => {
  let state = initialDetectorState();
  for (let at = T0 - 2 * 24 * HOUR; at < T0; at += 5 * MIN) {
    state = stepDetector(state, { bucketStart: at, count: 10 + ((at / MIN) % 7) }, CONTEXT).state;
  }
  return state;
})();

/** The same state as version 2 saved it: no window, no memory of what recurs. */
function asV2(state: DetectorState): DetectorStateV2 {
  const { window, baseline, long, bursts, burstDays, ...rest } = state;
  const {
    hourAll,
    hourAllBuckets,
    hourOdd,
    dailyHot,
    dailyHotLevel,
    weeklyHot,
    weeklyHotLevel,
    ...v2
  } = baseline;
  return { ...rest, version: 2, baseline: v2 };
}

/** What a version-2 state means now: its fields, an empty window, nothing hot, no bursts. */
function asCurrent(state: DetectorStateV2): DetectorState {
  const baseline: BaselineState = {
    ...state.baseline,
    hourAll: 0,
    hourAllBuckets: 0,
    hourOdd: 0,
    ...noHotSlots(),
  };
  return {
    ...state,
    version: DETECTOR_STATE_VERSION,
    window: [],
    baseline,
    long: { count: 0, expected: 0 },
    bursts: [],
    burstDays: { day: -1, max: 0, typical: -1 },
  };
}

const learned = asV2(learnedNow);
const { incidentSurprise, afterglow, recent, elevated, ...learnedBare } = learned;

/**
 * Each shape stored by an earlier release (labelled version 1, then 2), and the version-2
 * state the detector made of it when it defaulted missing fields on the hot path.
 */
const SHAPES: {
  name: string;
  old: DetectorStateV1 | DetectorStateV2;
  defaulted: DetectorStateV2;
}[] = [
  {
    name: "first release: no quietSince, level-only baseline, a quiet run under way",
    old: {
      version: 1,
      lastBucket: T0 - 5 * MIN,
      baseline: { level: 12, samples: 500 },
      pending: null,
      quietBuckets: 2,
      incident: OPEN,
    },
    defaulted: {
      version: 2,
      lastBucket: T0 - 5 * MIN,
      baseline: levelBaseline(12, 500, NY),
      pending: null,
      quietBuckets: 2,
      quietSince: null,
      incident: OPEN,
      ...RULE_4B_DEFAULTS,
    },
  },
  {
    name: "first release: a pending abnormal run",
    old: {
      version: 1,
      lastBucket: T0 - 5 * MIN,
      baseline: { level: 12, samples: 500 },
      pending: { start: T0 - 5 * MIN, buckets: 1, peak: { count: 90, at: T0 - 5 * MIN } },
      quietBuckets: 0,
      incident: null,
    },
    defaulted: {
      version: 2,
      lastBucket: T0 - 5 * MIN,
      baseline: levelBaseline(12, 500, NY),
      pending: { start: T0 - 5 * MIN, buckets: 1, peak: { count: 90, at: T0 - 5 * MIN } },
      quietBuckets: 0,
      quietSince: null,
      incident: null,
      ...RULE_4B_DEFAULTS,
    },
  },
  {
    name: "quietSince added, baseline still level-only",
    old: {
      version: 1,
      lastBucket: T0 - 5 * MIN,
      baseline: { level: 12, samples: 500 },
      pending: null,
      quietBuckets: 2,
      quietSince: T0 - 15 * MIN,
      incident: OPEN,
    },
    defaulted: {
      version: 2,
      lastBucket: T0 - 5 * MIN,
      baseline: levelBaseline(12, 500, NY),
      pending: null,
      quietBuckets: 2,
      quietSince: T0 - 15 * MIN,
      incident: OPEN,
      ...RULE_4B_DEFAULTS,
    },
  },
  {
    name: "level-only baseline still warming up, missing its samples",
    old: {
      version: 1,
      lastBucket: null,
      baseline: { level: 3.5 },
      pending: null,
      quietBuckets: 0,
      quietSince: null,
      incident: null,
    },
    defaulted: {
      version: 2,
      lastBucket: null,
      baseline: levelBaseline(3.5, 0, NY),
      pending: null,
      quietBuckets: 0,
      quietSince: null,
      incident: null,
      ...RULE_4B_DEFAULTS,
    },
  },
  {
    name: "an older state stepped over gaps only: rule 4b fields, level-only baseline",
    old: {
      version: 1,
      lastBucket: T0 - 5 * MIN,
      baseline: { level: 12, samples: 500 },
      pending: null,
      quietBuckets: 0,
      incident: null,
      ...RULE_4B_DEFAULTS,
    },
    defaulted: {
      version: 2,
      lastBucket: T0 - 5 * MIN,
      baseline: levelBaseline(12, 500, NY),
      pending: null,
      quietBuckets: 0,
      quietSince: null,
      incident: null,
      ...RULE_4B_DEFAULTS,
    },
  },
  {
    name: "seasonal baseline without the optional rule 3b-4b fields",
    old: { ...learnedBare, version: 1 },
    defaulted: { ...learnedBare, ...RULE_4B_DEFAULTS },
  },
  {
    name: "seasonal, complete, as the last version-1 release saved it (open, afterglow)",
    old: {
      ...learned,
      version: 1,
      incident: OPEN,
      quietBuckets: 1,
      quietSince: T0 - 10 * MIN,
      incidentSurprise: 40.2,
      afterglow: { until: T0 + 5 * HOUR, surprise: 30 },
    },
    defaulted: {
      ...learned,
      incident: OPEN,
      quietBuckets: 1,
      quietSince: T0 - 10 * MIN,
      incidentSurprise: 40.2,
      afterglow: { until: T0 + 5 * HOUR, surprise: 30 },
    },
  },
  {
    name: "version 2, with a pending run",
    old: {
      ...learned,
      pending: { start: T0 - 10 * MIN, buckets: 2, peak: { count: 90, at: T0 - 5 * MIN } },
    },
    defaulted: {
      ...learned,
      pending: { start: T0 - 10 * MIN, buckets: 2, peak: { count: 90, at: T0 - 5 * MIN } },
    },
  },
];

describe("migrateDetectorState on each shape an earlier release stored", () => {
  it.each(SHAPES)("$name: the state the detector defaulted to", ({ old, defaulted }) => {
    // Prepare
    const saved = stored(old);

    // Act
    const migrated = migrateDetectorState(saved);

    // Assess: the same, but for the zone of a level-only baseline, which is UTC as in a
    // fresh state until the first bucket is learned (the replay below shows it is moot)
    const levelOnly = !("weekly" in old.baseline);
    expect(migrated).toEqual(
      asCurrent(
        levelOnly ? { ...defaulted, baseline: { ...defaulted.baseline, zone: "UTC" } } : defaulted,
      ),
    );
    expect(migrated.version).toBe(DETECTOR_STATE_VERSION);
  });

  it.each(SHAPES)(
    "$name: the detector goes on as from the defaulted state",
    ({ old, defaulted }) => {
      // Prepare
      const migrated = migrateDetectorState(stored(old));

      // Act
      const fromOld = replay(migrated);
      const fromNew = replay(asCurrent(defaulted));

      // Assess: the same events and the same state at every bucket of three days
      expect(fromOld.events).toEqual(fromNew.events);
      expect(fromOld.states).toEqual(fromNew.states);
      expect(fromOld.events.filter((event) => event.type === "opened").length).toBeGreaterThan(0);
      expect(fromOld.events.filter((event) => event.type === "resolved").length).toBeGreaterThan(0);
    },
  );

  it("gives the current state back untouched", () => {
    // Prepare
    const current = stored(learnedNow);

    // Act
    const migrated = migrateDetectorState(current);

    // Assess
    expect(migrated).toBe(current);
  });
});

describe("migrateDetectorState twice", () => {
  it.each(SHAPES)("$name: changes nothing the second time", ({ old }) => {
    // Prepare
    const once = migrateDetectorState(stored(old));

    // Act
    const twice = migrateDetectorState(once);
    const reloaded = migrateDetectorState(stored(once));

    // Assess
    expect(twice).toEqual(once);
    expect(reloaded).toEqual(once);
  });
});

describe("migrateDetectorState on a version it does not know", () => {
  it("refuses a state saved by a newer release, naming its version", () => {
    // Prepare
    const future = stored({ ...learnedNow, version: 4, somethingNew: true });

    // Act
    const migrate = () => migrateDetectorState(future);

    // Assess
    expect(migrate).toThrow(UnknownDetectorStateVersionError);
    expect(migrate).toThrow(/detector state version 4 is unknown.*newer release/);
  });
});
