/**
 * The online detector of one service. It is fed one closed bucket at a time, carries all
 * it knows in a small serializable state, and never looks ahead, so the detect Lambda,
 * the local runtime and the backtest get the same incidents from the same counts.
 *
 * Rule, in order, for each bucket:
 * 1. A gap (no data) changes nothing: it is neither a zero nor a sign of recovery.
 *    Until the baseline has seen its first hour, every bucket only teaches it.
 * 2. A bucket is abnormal when its count is at least `minRatio` times the baseline and at
 *    least `minExcess` above it, so a sparse service alerts on a few dozen reports while
 *    a busy one ignores ordinary noise.
 * 3. `confirmBuckets` abnormal buckets in a row open an incident that starts at the first.
 * 4. While open: the peak is tracked, the level at each whole local hour after the peak is
 *    kept as a falloff milestone, and the incident resolves after `resolveMinutes` of
 *    counts below `resolveRatio` x baseline (hysteresis). A second surge before that
 *    stays the same incident.
 * 5. Only buckets that are neither abnormal nor part of an incident teach the baseline,
 *    so an outage never inflates what counts as normal.
 */

import {
  type BaselineState,
  baselineReady,
  expectedCount,
  initialBaseline,
  learnBaseline,
} from "./baseline";
import type { DetectorSettings } from "./config";
import { type Incident, type IncidentEvent, incidentId } from "./incident";

/** What the detector remembers about one service between buckets. */
export interface DetectorState {
  version: 1;
  /** Start of the newest bucket processed; the next one fed must be later. */
  lastBucket: number | null;
  baseline: BaselineState;
  /** The current run of abnormal buckets not yet confirmed as an incident. */
  pending: { start: number; buckets: number; peak: { count: number; at: number } } | null;
  /** Consecutive quiet buckets while an incident is open (gaps neither add nor reset). */
  quietBuckets: number;
  /** Start of the first bucket of the current quiet run; null when not in one. */
  quietSince: number | null;
  /** The open incident, if any. */
  incident: Incident | null;
}

/** One closed bucket: `count` null marks a gap. */
export interface Observation {
  bucketStart: number;
  count: number | null;
}

/** What the detector needs to know about the service. */
export interface DetectorContext {
  service: string;
  timeZone: string;
  bucketMinutes: number;
  settings: DetectorSettings;
}

/** The state of a service the detector has never seen. */
export function initialDetectorState(): DetectorState {
  return {
    version: 1,
    lastBucket: null,
    baseline: initialBaseline(),
    pending: null,
    quietBuckets: 0,
    quietSince: null,
    incident: null,
  };
}

/** True when `count` is far above `baseline` both relatively and absolutely. */
export function isAbnormal(count: number, baseline: number, settings: DetectorSettings): boolean {
  const floor = Math.max(baseline, 1);
  return count >= settings.minRatio * floor && count - baseline >= settings.minExcess;
}

function localMinuteOfHour(timeMs: number, timeZone: string): number {
  const minute = new Intl.DateTimeFormat("en-US", { timeZone, minute: "numeric" }).format(
    new Date(timeMs),
  );
  return Number(minute);
}

/**
 * Feeds one closed bucket to the detector.
 *
 * @returns the new state (the input is not modified) and the events the bucket caused
 * @example
 * let state = initialDetectorState();
 * const step = stepDetector(state, { bucketStart, count: 412 }, context);
 * state = step.state; // persist it; act on step.events
 */
export function stepDetector(
  previous: DetectorState,
  observation: Observation,
  context: DetectorContext,
): { state: DetectorState; events: IncidentEvent[] } {
  const { bucketStart, count } = observation;
  if (previous.lastBucket !== null && bucketStart <= previous.lastBucket) {
    return { state: previous, events: [] };
  }
  const state: DetectorState = { ...previous, lastBucket: bucketStart };
  if (count === null) return { state, events: [] };

  const { settings } = context;
  const baseline = expectedCount(previous.baseline, bucketStart, context);
  const abnormal =
    baselineReady(previous.baseline, context) && isAbnormal(count, baseline, settings);
  const events: IncidentEvent[] = [];

  if (state.incident) {
    const incident = { ...state.incident, falloffs: [...state.incident.falloffs] };
    state.incident = incident;
    if (count > incident.peak.count) {
      incident.peak = { count, at: bucketStart };
      incident.falloffs = [];
      events.push({ type: "peak", at: bucketStart, incident });
    } else if (localMinuteOfHour(bucketStart, context.timeZone) === 0) {
      incident.falloffs.push({ at: bucketStart, count });
      events.push({ type: "falloff", at: bucketStart, incident });
    }
    const quiet = count < settings.resolveRatio * Math.max(baseline, 1);
    state.quietBuckets = quiet ? previous.quietBuckets + 1 : 0;
    state.quietSince = quiet ? (previous.quietSince ?? bucketStart) : null;
    const quietNeeded = Math.ceil(settings.resolveMinutes / context.bucketMinutes);
    if (state.quietBuckets >= quietNeeded) {
      // Resolved where the quiet run began; levels stated after that belong to no outage.
      const resolvedAt = state.quietSince ?? bucketStart;
      incident.resolvedAt = resolvedAt;
      incident.falloffs = incident.falloffs.filter((falloff) => falloff.at < resolvedAt);
      events.push({ type: "resolved", at: bucketStart, incident });
      state.incident = null;
      state.quietBuckets = 0;
      state.quietSince = null;
    }
    return { state, events };
  }

  if (!abnormal) {
    state.pending = null;
    state.baseline = learnBaseline(previous.baseline, bucketStart, count, context);
    return { state, events };
  }

  const before = previous.pending;
  const pending = before
    ? {
        start: before.start,
        buckets: before.buckets + 1,
        peak: count > before.peak.count ? { count, at: bucketStart } : before.peak,
      }
    : { start: bucketStart, buckets: 1, peak: { count, at: bucketStart } };
  state.pending = pending;
  if (pending.buckets < settings.confirmBuckets) return { state, events };

  const incident: Incident = {
    id: incidentId(context.service, pending.start),
    service: context.service,
    startedAt: pending.start,
    openedAt: bucketStart,
    countAtOpen: count,
    baselineAtOpen: Math.round(baseline * 10) / 10,
    peak: pending.peak,
    falloffs: [],
    resolvedAt: null,
    correlatedWith: [],
  };
  state.pending = null;
  state.quietBuckets = 0;
  state.quietSince = null;
  state.incident = incident;
  events.push({ type: "opened", at: bucketStart, incident });
  return { state, events };
}
