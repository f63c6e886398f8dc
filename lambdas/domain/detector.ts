/**
 * The online detector of one service. It is fed one closed bucket at a time, carries all
 * it knows in a small serializable state (about 2 KB, whatever the bucket width), and
 * never looks ahead, so the detect Lambda, the local runtime and the backtest get the
 * same incidents from the same counts.
 *
 * Rule, in order, for each bucket (the reason for each choice after the dash):
 * 1. A gap (no data) changes nothing: it is neither a zero nor a sign of recovery.
 *    Until the baseline has seen its first hour, every bucket only teaches it - with
 *    nothing to compare against, nothing can be called abnormal.
 * 2. The expected count comes from the seasonal baseline (see baseline.ts: hour-of-week
 *    slots, falling back to hour-of-day slots, then to the recent level) - report counts
 *    follow the clock, so 3 a.m. and 7 p.m. must not share one yardstick.
 * 3. A bucket is abnormal when all of these hold:
 *    a. count >= `minRatio` x expected and count - expected >= `minExcess` - far above
 *       both relatively and absolutely, so a sparse service alerts on a few dozen reports
 *       and a busy one ignores ordinary swings;
 *    b. its surprise, (count - expected) / sqrt(expected) (the excess in units of
 *       Poisson noise), is at least 1.5 x the surprise this service reaches on an
 *       ordinary day (its typical daily maximum, learned over about a week) - a spiky
 *       service whose every day has a burst 10x its baseline must surge beyond that to
 *       alert, while a smooth one keeps the sensitivity of rule (a). Until a whole day
 *       has been seen only (a) applies;
 *    c. within 24 h after an incident resolved, the surprise also exceeds that
 *       incident's largest - a service flapping back to the level it was at is the same
 *       trouble, already told; a worse surge still alerts.
 * 4. An incident opens on the `confirmBuckets`-th abnormal bucket in a row, dated from
 *    the first - one odd bucket is not an outage. But an extreme bucket, abnormal with
 *    twice the ratio of (a) and twice the surprise bar of (b), opens it at once: waiting
 *    a bucket to confirm a surge that large only delays the alert.
 * 4b. A sustained surge opens an incident too, though no single bucket is abnormal: when
 *    the weighted means of the last hour or so (1 h half-life) put the counts at 2 x the
 *    expected ones or more, the excess adds up to 2 x `minExcess` reports, its surprise
 *    at that scale (excess / sqrt(expected), both summed over the mean's window) is at
 *    least 1.75 x the bar of (b), the bucket itself is still above `resolveRatio` x
 *    expected, and within the 24 h of (c) the bucket's own surprise beats the last
 *    incident's. It is dated from the first bucket of that elevated run.
 *    Only once the bar of (b) is known and the expected count comes from learned slots
 *    (the recent-level fallback lags a steep morning rise by an hour). - A sparse service
 *    whose reports go from 1 to 10 a bucket for an hour has a few dozen reports too many,
 *    and a busy one at 3 x for an hour is in trouble, yet neither is ever 4 x in one
 *    bucket; a duration is its own confirmation.
 * 5. While open: the peak is tracked, the level at each whole local hour after the peak is
 *    kept as a falloff milestone (48 at most), and the incident resolves after
 *    `resolveMinutes` of counts below `resolveRatio` x expected (hysteresis). A second
 *    surge before that stays the same incident. After a day open, counts that are merely
 *    not abnormal also count as quiet - the baseline does not learn during an incident,
 *    so a lasting change of level (a source added, a bigger audience) would otherwise
 *    keep it open forever and silence the service.
 * 6. Only buckets that are neither abnormal nor part of an incident teach the baseline,
 *    so an outage never inflates what counts as normal. Surprises of every bucket teach
 *    the typical daily maximum, but clipped to 10 x its current value, so an outage day
 *    raises the bar by a bounded step while a service that bursts every day learns that
 *    it does.
 */

import {
  type BaselineState,
  baselineReady,
  expectedCount,
  initialBaseline,
  learnBaseline,
  noteSurprise,
  observeBaseline,
  seasonalKnown,
  surpriseOf,
  typicalDailyMax,
} from "./baseline";
import { HOUR_MS, MINUTE_MS } from "./buckets";
import type { DetectorSettings } from "./config";
import { type Incident, type IncidentEvent, incidentId } from "./incident";
import { utcOffsetMs } from "./zone-offset";

/**
 * The version of {@link DetectorState} this code writes. Raise it with a step in
 * detector-state-migration.ts whenever the shape changes, so stored states keep their meaning.
 */
export const DETECTOR_STATE_VERSION = 2;

/**
 * What the detector remembers about one service between buckets, every field required.
 * A stored state is read through `migrateDetectorState` (detector-state-migration.ts).
 */
export interface DetectorState {
  version: typeof DETECTOR_STATE_VERSION;
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
  /** Largest surprise (rule 3b) seen while the open incident lasts. */
  incidentSurprise: number;
  /** Rule 3c: until when a new incident must be more surprising than the last one was. */
  afterglow: { until: number; surprise: number } | null;
  /** Rule 4b: weighted means (1 h half-life) of counts and expected counts outside incidents. */
  recent: { count: number; expected: number };
  /** Rule 4b: the current run of buckets above `resolveRatio` x expected, outside incidents. */
  elevated: { start: number; peak: { count: number; at: number } } | null;
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
    version: DETECTOR_STATE_VERSION,
    lastBucket: null,
    baseline: initialBaseline(),
    pending: null,
    quietBuckets: 0,
    quietSince: null,
    incident: null,
    incidentSurprise: 0,
    afterglow: null,
    recent: { count: 0, expected: 0 },
    elevated: null,
  };
}

/** Rule 3b: abnormal needs this many times the service's typical daily maximum surprise. */
const TAIL_FACTOR = 1.5;
/** Rule 4: an extreme bucket has this many times the ratio and the surprise bar. */
const EXTREME_FACTOR = 2;
/** Rule 3c: how long after a resolution a new incident must beat the last one's surprise. */
const AFTERGLOW_MS = 24 * 60 * 60_000;
/** Rule 4b: half-life of the recent means, and what the sustained surge must reach. */
const RECENT_HALF_LIFE_MINUTES = 60;
const SUSTAINED_RATIO = 2;
const SUSTAINED_EXCESS = 2;
const SUSTAINED_BAR = 1.75;
/** Falloff milestones an incident keeps (two days of whole hours). */
const MAX_FALLOFFS = 48;
/** After this long open, "not abnormal" is enough to resolve (see rule 5). */
const MAX_OPEN_MS = 24 * 60 * MINUTE_MS;

/** True when `count` is far above `baseline` both relatively and absolutely (rule 3a). */
export function isAbnormal(count: number, baseline: number, settings: DetectorSettings): boolean {
  const floor = Math.max(baseline, 1);
  return count >= settings.minRatio * floor && count - baseline >= settings.minExcess;
}

/**
 * True when `count` is back near `baseline`: below `resolveRatio` x baseline (rule 5).
 * A run of such buckets resolves an incident; the API calls a service above it elevated.
 */
export function isQuiet(count: number, baseline: number, settings: DetectorSettings): boolean {
  return count < elevatedFrom(baseline, settings);
}

/**
 * The count from which a bucket is elevated rather than quiet: the top of the baseline
 * band the API and the dashboard show.
 */
export function elevatedFrom(baseline: number, settings: DetectorSettings): number {
  return settings.resolveRatio * Math.max(baseline, 1);
}

/** True when one abnormal bucket alone is beyond doubt (rule 4, without the surprise bar). */
export function isExtreme(count: number, baseline: number, settings: DetectorSettings): boolean {
  const floor = Math.max(baseline, 1);
  return (
    count >= EXTREME_FACTOR * settings.minRatio * floor && count - baseline >= settings.minExcess
  );
}

/**
 * Rule 4b: updates the recent means and the elevated run in `state` (a fresh copy) with
 * the bucket starting `at`, and tells whether the last hour or so adds up to a surge. Not
 * before a whole day is seen (`bar` is 0 until then, and the baseline still lags the
 * day's rhythm).
 */
function isSustained(
  state: DetectorState,
  at: number,
  count: number,
  expected: number,
  elevated: boolean,
  bar: number,
  context: DetectorContext,
): boolean {
  const alpha = 1 - 0.5 ** (context.bucketMinutes / RECENT_HALF_LIFE_MINUTES);
  const before = state.recent;
  const recent = {
    count: before.count + alpha * (count - before.count),
    expected: before.expected + alpha * (expected - before.expected),
  };
  state.recent = recent;
  const run = state.elevated;
  if (!elevated) state.elevated = null;
  else if (!run) state.elevated = { start: at, peak: { count, at } };
  else if (count > run.peak.count) state.elevated = { start: run.start, peak: { count, at } };
  if (!elevated || bar <= 0) return false;
  // The weighted mean spans about this many buckets.
  const window = (2 - alpha) / alpha;
  const excess = (recent.count - recent.expected) * window;
  const surprise = excess / Math.sqrt(Math.max(recent.expected, 0.5) * window);
  return (
    recent.count >= SUSTAINED_RATIO * Math.max(recent.expected, 1) &&
    excess >= SUSTAINED_EXCESS * context.settings.minExcess &&
    surprise >= SUSTAINED_BAR * bar
  );
}

function localMinuteOfHour(timeMs: number, timeZone: string): number {
  const local = timeMs + utcOffsetMs(timeZone, timeMs);
  return Math.floor((((local % HOUR_MS) + HOUR_MS) % HOUR_MS) / MINUTE_MS);
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
  const state: DetectorState = {
    version: DETECTOR_STATE_VERSION,
    lastBucket: bucketStart,
    baseline: previous.baseline,
    pending: previous.pending,
    quietBuckets: previous.quietBuckets,
    quietSince: previous.quietSince,
    incident: previous.incident,
    incidentSurprise: previous.incidentSurprise,
    afterglow: previous.afterglow,
    recent: previous.recent,
    elevated: previous.elevated,
  };
  if (count === null) return { state, events: [] };

  const { settings } = context;
  const learned = previous.baseline;
  const baseline = expectedCount(learned, bucketStart, context);
  const ready = baselineReady(learned, context);
  const surprise = surpriseOf(count, baseline);
  const tail = typicalDailyMax(learned);
  const glow = previous.afterglow;
  const tailBar = tail < 0 ? 0 : TAIL_FACTOR * tail;
  const glowBar = glow && bucketStart < glow.until ? glow.surprise : 0;
  const bar = Math.max(tailBar, glowBar);
  const abnormal = ready && isAbnormal(count, baseline, settings) && surprise >= bar;
  const extreme =
    abnormal && isExtreme(count, baseline, settings) && surprise >= EXTREME_FACTOR * bar;
  const events: IncidentEvent[] = [];

  if (state.incident) {
    state.elevated = null;
    if (ready) state.baseline = noteSurprise(learned, bucketStart, surprise, context);
    state.incidentSurprise = Math.max(previous.incidentSurprise, Math.round(surprise * 10) / 10);
    const incident = { ...state.incident, falloffs: [...state.incident.falloffs] };
    state.incident = incident;
    if (count > incident.peak.count) {
      incident.peak = { count, at: bucketStart };
      incident.falloffs = [];
      events.push({ type: "peak", at: bucketStart, incident });
    } else if (localMinuteOfHour(bucketStart, context.timeZone) === 0) {
      // Two days of hourly levels at most: the newest replaces the last beyond that.
      if (incident.falloffs.length >= MAX_FALLOFFS) incident.falloffs.pop();
      incident.falloffs.push({ at: bucketStart, count });
      events.push({ type: "falloff", at: bucketStart, incident });
    }
    // After a day open, a bucket that is no longer abnormal counts as quiet too: the
    // service has settled at a new level (a source added, more users), not an outage.
    const settled =
      bucketStart - incident.startedAt >= MAX_OPEN_MS && !isAbnormal(count, baseline, settings);
    const quiet = isQuiet(count, baseline, settings) || settled;
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
      state.afterglow = {
        until: bucketStart + AFTERGLOW_MS,
        surprise: Math.round(state.incidentSurprise),
      };
      state.incidentSurprise = 0;
      state.quietBuckets = 0;
      state.quietSince = null;
    }
    return { state, events };
  }

  const elevated = count >= settings.resolveRatio * Math.max(baseline, 1);
  // isSustained first: it also keeps the recent means, whatever the rest says.
  const sustained =
    ready &&
    isSustained(state, bucketStart, count, baseline, elevated, tailBar, context) &&
    surprise >= glowBar &&
    seasonalKnown(learned, bucketStart, context);
  if (!abnormal && !sustained) {
    state.pending = null;
    state.baseline = ready
      ? observeBaseline(learned, bucketStart, count, surprise, true, context)
      : learnBaseline(learned, bucketStart, count, context);
    return { state, events };
  }
  state.baseline = noteSurprise(learned, bucketStart, surprise, context);

  const before = previous.pending;
  const run = state.elevated;
  const pending = before
    ? {
        start: before.start,
        buckets: before.buckets + 1,
        peak: count > before.peak.count ? { count, at: bucketStart } : before.peak,
      }
    : { start: bucketStart, buckets: 1, peak: { count, at: bucketStart } };
  state.pending = abnormal ? pending : null;
  if (pending.buckets < settings.confirmBuckets && !extreme && !sustained) {
    return { state, events };
  }
  if (sustained && run) {
    // Dated from the first bucket of the elevated run; its peak counts.
    pending.start = Math.min(pending.start, run.start);
    if (run.peak.count > pending.peak.count) pending.peak = run.peak;
  }

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
  state.elevated = null;
  state.quietBuckets = 0;
  state.quietSince = null;
  state.incident = incident;
  state.incidentSurprise = Math.round(surprise * 10) / 10;
  events.push({ type: "opened", at: bucketStart, incident });
  return { state, events };
}
