/**
 * What a stored detector state means, whichever release saved it: one pure function turns
 * every shape ever persisted into the current, complete {@link DetectorState}, so the
 * detector and the baseline never guess at missing fields on the hot path.
 *
 * Every release before the version was told apart wrote `version: 1`; the shapes differ
 * by which fields exist, so version 1 is read field by field:
 * - the first release: no `quietSince` (a quiet run in progress then has no known start),
 *   and a level-only baseline `{level, samples}`;
 * - the next: `quietSince` added, the baseline still level-only;
 * - the seasonal detector: a seasonal baseline (168 weekly slots) and the optional
 *   `incidentSurprise`, `afterglow`, `recent` and `elevated` of rules 3b-4b. A state of an
 *   earlier release stepped over gaps only gained these but kept its level-only baseline.
 * Version 2 has every field of its release present. Version 3, the current shape, adds
 * the kept window of newest buckets (empty after migration: the next buckets fill it),
 * the baseline's memory of what recurs (nothing hot yet), the long means of rule 4c
 * (zero: they start as the 1-hour means once did, their ratio right and their surprise
 * low until they fill) and the bursts of rule 4d (none yet).
 */
import { type BaselineState, initialBaseline, noHotSlots } from "./baseline";
import { DETECTOR_STATE_VERSION, type DetectorState } from "./detector";
import type { Incident } from "./incident";
import { OutcryError } from "./outcry-error";

/** The baseline saved before seasonal slots existed; either field may be absent. */
export interface LevelOnlyBaseline {
  level?: number;
  samples?: number;
}

/** The baseline of version 2: no memory of what recurs, no count of every bucket of an hour. */
export type BaselineStateV2 = Omit<
  BaselineState,
  | "hourAll"
  | "hourAllBuckets"
  | "hourOdd"
  | "dailyHot"
  | "dailyHotLevel"
  | "weeklyHot"
  | "weeklyHotLevel"
>;

/** A state saved as version 2. */
export interface DetectorStateV2
  extends Omit<DetectorState, "version" | "baseline" | "window" | "long" | "bursts" | "burstDays"> {
  version: 2;
  baseline: BaselineStateV2;
}

/** Any state saved as version 1 (see the module comment for the shapes it covers). */
export interface DetectorStateV1 {
  version: 1;
  lastBucket: number | null;
  baseline: BaselineStateV2 | LevelOnlyBaseline;
  pending: DetectorState["pending"];
  quietBuckets: number;
  quietSince?: number | null;
  incident: Incident | null;
  incidentSurprise?: number;
  afterglow?: DetectorState["afterglow"];
  recent?: DetectorState["recent"];
  elevated?: DetectorState["elevated"];
}

/** Whatever the detector state store may hold. */
export type StoredDetectorState = DetectorStateV1 | DetectorStateV2 | DetectorState;

/** A stored state this code cannot read: saved by a newer release, or not a state at all. */
export class UnknownDetectorStateVersionError extends OutcryError {
  constructor(readonly version: unknown) {
    super(
      `detector state version ${JSON.stringify(version)} is unknown: this code reads versions 1 to ${DETECTOR_STATE_VERSION}` +
        (typeof version === "number" && version > DETECTOR_STATE_VERSION
          ? " (saved by a newer release?)"
          : ""),
    );
    this.name = "UnknownDetectorStateVersionError";
  }
}

/**
 * The current, complete form of a stored detector state. A current state is returned as
 * it is, so migrating twice changes nothing.
 *
 * @throws {UnknownDetectorStateVersionError} when the version is not one this code knows
 * @example
 * const state = migrateDetectorState(JSON.parse(item.state));
 * stepDetector(state, observation, context);
 */
export function migrateDetectorState(stored: StoredDetectorState): DetectorState {
  // Read as unknown: the value comes from JSON and may be anything.
  const version: unknown = (stored as { version?: unknown }).version;
  if (version === DETECTOR_STATE_VERSION) return stored as DetectorState;
  if (version === 2) return fromV2(stored as DetectorStateV2);
  if (version !== 1) throw new UnknownDetectorStateVersionError(version);
  const v1 = stored as DetectorStateV1;
  return fromV2({
    version: 2,
    lastBucket: v1.lastBucket,
    baseline: migrateBaseline(v1.baseline),
    pending: v1.pending,
    quietBuckets: v1.quietBuckets,
    // A quiet run saved without its start is dated from its next quiet bucket.
    quietSince: v1.quietSince ?? null,
    incident: v1.incident,
    incidentSurprise: v1.incidentSurprise ?? 0,
    afterglow: v1.afterglow ?? null,
    recent: v1.recent ?? { count: 0, expected: 0 },
    elevated: v1.elevated ?? null,
  });
}

/**
 * Version 2 to 3: an empty window, a baseline that has seen nothing recur, long means at
 * zero and no bursts.
 */
function fromV2(v2: DetectorStateV2): DetectorState {
  return {
    ...v2,
    version: DETECTOR_STATE_VERSION,
    window: [],
    baseline: { ...v2.baseline, hourAll: 0, hourAllBuckets: 0, hourOdd: 0, ...noHotSlots() },
    long: { count: 0, expected: 0 },
    bursts: [],
    burstDays: { day: -1, max: 0, typical: -1 },
  };
}

/**
 * A level-only baseline keeps its level and sample count and starts learning slots. Its
 * zone is UTC, as in a fresh state: with no slot learned the expected count is the level
 * in any zone, and the first bucket learned sets the service's own zone.
 */
function migrateBaseline(baseline: BaselineStateV2 | LevelOnlyBaseline): BaselineStateV2 {
  if (isSeasonal(baseline)) return baseline;
  return { ...initialBaseline(), level: baseline.level ?? 0, samples: baseline.samples ?? 0 };
}

function isSeasonal(baseline: BaselineStateV2 | LevelOnlyBaseline): baseline is BaselineStateV2 {
  const { weekly } = baseline as { weekly?: unknown };
  return Array.isArray(weekly) && weekly.length === 168;
}
