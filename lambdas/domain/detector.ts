/**
 * The online detector of one service. It is fed one closed bucket at a time, carries all
 * it knows in a small serializable state (about 3 KB of JSON, about 1 KB packed),
 * and never looks ahead, so the detect Lambda, the local runtime and the backtest get the
 * same incidents from the same counts.
 *
 * Thresholds are in reports and minutes, not buckets, so the same surge opens at 1, 5,
 * 10 or 15-minute buckets about the same number of minutes after it starts. The detector
 * keeps the last `confirmMinutes` of buckets and judges windows of them:
 * - the short window: the last 5 minutes (the bucket itself when buckets are wider), so a
 *   1-minute bucket of a sparse service is not judged on its own one or two reports;
 * - the confirm window: the last `confirmMinutes` (15 by default).
 *
 * Rule, in order, for each bucket (the reason for each choice after the dash):
 * 1. A gap (no data) changes nothing: it is neither a zero nor a sign of recovery. A
 *    partial bucket (a weighted source failed) that is not abnormal is a gap too: fewer
 *    reports because a feed was down is not a fall. Until the baseline has seen its first
 *    hour, every bucket only teaches it - with nothing to compare against, nothing can be
 *    called abnormal.
 * 2. The expected count comes from the seasonal baseline (see baseline.ts: hour-of-week
 *    slots, falling back to hour-of-day slots, then to the recent level, raised where an
 *    event recurs) - report counts follow the clock, so 3 a.m. and 7 p.m. must not share
 *    one yardstick, and a patch day every Tuesday is not an outage by its fourth week.
 * 3. A bucket is abnormal when its short window (counts and expected counts summed) is:
 *    a. at least `minRatio` x expected (at least 1 report expected) - far above normal;
 *    b. of a surprise, (count - expected) / sqrt(expected) (the excess in units of
 *       Poisson noise), at least 1.5 x the surprise this service's short windows reach on
 *       an ordinary day (their typical daily maximum, learned over about a week) - a
 *       spiky service whose every day has a burst 10x its baseline must surge beyond that
 *       to alert, while a smooth one keeps the sensitivity of (a). Until a whole day has
 *       been seen only (a) applies;
 *    c. within 24 h after an incident resolved, more surprising than that incident's
 *       largest - a service flapping back to the level it was at is the same trouble,
 *       already told; a worse surge still alerts. After an incident that resolved only
 *       because it had settled (rule 5), this lasts 3 days, the time the baseline takes
 *       to learn a new level (baseline.ts) - until then the rules 4c and 4d, which judge
 *       smaller ratios than a level doubled, would read the new level as a surge.
 * 4. An incident opens once the abnormal run covers `confirmMinutes` (its short windows
 *    together span that long) and the confirm window holds `minReports` reports above
 *    the expected ones - one odd bucket is not an outage, and a sparse service alerts on
 *    a few dozen reports, not on three. A window that dips below abnormal but stays
 *    above `resolveRatio` x expected keeps the run going (hysteresis: Poisson noise in a
 *    surge is not its end). It is dated from the first bucket above expected in the
 *    run's first window. Before a whole day is seen, only an extreme window opens: the
 *    baseline is then the recent level, which lags a morning rise by hours, and a sparse
 *    service's first busy hour would look like an outage. An extreme short window,
 *    abnormal with twice the ratio of (a) and twice the bar of (b), and itself
 *    `minReports` above expected, opens it at once, as does a single bucket that extreme
 *    where the short window is longer than one: waiting to confirm a surge that large
 *    only delays the alert.
 * 4b. A sustained surge opens an incident too, though no short window is abnormal: when
 *    the weighted means of the last hour or so (1 h half-life) put the counts at 2 x the
 *    expected ones or more, the excess adds up to 2 x `minReports`, its surprise at that
 *    scale (excess / sqrt(expected), both summed over the mean's window) is at least
 *    1.75 x the bar of (b), the short window is still above `resolveRatio` x expected,
 *    and within the 24 h of (c) its surprise beats the last incident's. It is dated from
 *    the first bucket of that elevated run. Only once the bar of (b) is known and the
 *    expected count comes from learned slots (the recent-level fallback lags a steep
 *    morning rise by an hour). - A sparse service whose reports go from 1 to 10 a bucket
 *    for an hour has a few dozen reports too many, and a busy one at 3 x for an hour is
 *    in trouble, yet neither is ever 4 x at once; a duration is its own confirmation.
 * 4c. The same at a longer scale: when the weighted means of the last few hours (3 h
 *    half-life) put the counts at 1.5 x the expected ones or more, the excess adds up to
 *    4 x `minReports`, its surprise at that scale is at least 1.5 x the bar of (b), and
 *    the short window is above `resolveRatio` x expected and, within the 24 h of (c),
 *    more surprising than the last incident. Dated as 4b, on the same terms. - A busy
 *    service at 1.7 x for an afternoon never doubles its hourly mean, yet hundreds of
 *    reports too many over hours are trouble; a longer mean is steadier, so its surprise
 *    is held to a lower bar.
 * 4d. Repeated bursts open an incident too: short windows more than 30 minutes apart,
 *    each at least half `minRatio` x expected, 1.5 x `minReports` above it, with a
 *    surprise of 0.8 x the typical daily maximum of (b) and, within the 24 h of (c),
 *    beyond the last incident's, whose surprises within 4 hours add up to 2.5 x that
 *    maximum (two bursts at least) and to 1.5 x the largest such sum of a usual day (its
 *    typical daily maximum: it rises at once to a day's largest, and falls back over
 *    about a week). Dated from the first of them, on the terms of 4b. - An ordinary day
 *    has one burst of its usual size; two strong ones or three usual ones within hours
 *    are an outage that flaps, though no burst lasts the `confirmMinutes` of rule 4,
 *    unless this service bursts in clusters every day, which it then has to outdo.
 * 5. While open: the peak (the largest bucket) is tracked, the level at each whole local
 *    hour after the peak is kept as a falloff milestone (48 at most), and the incident
 *    resolves after `resolveMinutes` of short windows below `resolveRatio` x expected
 *    (hysteresis). A second surge before that stays the same incident. After a day open,
 *    windows that are merely not abnormal also count as quiet - the baseline does not
 *    learn normal levels during an incident, so a lasting change of level (a source
 *    added, a bigger audience) would otherwise keep it open forever and silence the
 *    service.
 * 6. Only buckets that are neither abnormal nor part of an incident teach the baseline
 *    its normal levels, so an outage never inflates what counts as normal; every bucket
 *    teaches what recurs (baseline.ts), where one outage stays an outlier. Surprises of
 *    every bucket teach the typical daily maximum, but clipped to 10 x its current value,
 *    so an outage day raises the bar by a bounded step while a service that bursts every
 *    day learns that it does.
 * 7. A bucket fed again after it was judged (collect re-counts the last few buckets, for
 *    items that arrive late) revises the count kept for it, and the 1 and 3-hour means: the
 *    next bucket is judged on the revised windows, so late reports may open an incident
 *    a bucket later, never twice, and nothing already told is taken back. Feeding the
 *    same revision again changes nothing; a partial revision never lowers a count.
 */

import {
  type BaselineState,
  baselineReady,
  expectedCount,
  initialBaseline,
  learnBaseline,
  observeBaseline,
  seasonalKnown,
  surpriseOf,
  typicalDailyMax,
} from "./baseline";
import { HOUR_MS, LOOK_BACK_BUCKETS, MINUTE_MS } from "./buckets";
import type { DetectorSettings } from "./config";
import { effectiveThresholds } from "./detector-thresholds";
import { type Incident, type IncidentEvent, incidentId } from "./incident";
import { utcOffsetMs } from "./zone-offset";

/**
 * The version of {@link DetectorState} this code writes. Raise it with a step in
 * detector-state-migration.ts whenever the shape changes, so stored states keep their meaning.
 */
export const DETECTOR_STATE_VERSION = 3;

/**
 * What the detector remembers about one service between buckets, every field required.
 * A stored state is read through `migrateDetectorState` (detector-state-migration.ts).
 */
export interface DetectorState {
  version: typeof DETECTOR_STATE_VERSION;
  /** Start of the newest bucket processed; the next one fed must be later. */
  lastBucket: number | null;
  baseline: BaselineState;
  /**
   * The newest buckets, oldest first, the last one `lastBucket`, as pairs: each one's
   * count (-1: a gap, or a partial bucket read as one) and the expected count it was
   * judged by. As many as the confirm window or the re-counted buckets need (rule 7).
   */
  window: number[];
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
  /** Rule 4c: weighted means (3 h half-life) of counts and expected counts outside incidents. */
  long: { count: number; expected: number };
  /**
   * Rule 4d: the bursts of the last 4 hours, oldest first, as pairs: each one's start and
   * its surprise in units of the typical daily maximum (three pairs at most).
   */
  bursts: number[];
  /**
   * Rule 4d: the largest sum of bursts of the local day being watched (`day`, the
   * baseline's), and the typical daily maximum of those sums (-1 until a day is seen).
   */
  burstDays: { day: number; max: number; typical: number };
}

/**
 * One closed bucket: `count` null marks a gap; `partial` says a weighted source failed
 * for it, so its count may be short (rule 1).
 */
export interface Observation {
  bucketStart: number;
  count: number | null;
  partial?: boolean;
}

/** What the detector needs to know about the service. */
export interface DetectorContext {
  service: string;
  timeZone: string;
  bucketMinutes: number;
  settings: DetectorSettings;
}

/**
 * An array of doubles to slice empty windows from: a window soon holds fractions (the
 * expected counts), and an array that starts as small integers changes its kind then,
 * which costs the optimised code of every state that sees both kinds.
 */
const DOUBLES = [0.5];

/** The state of a service the detector has never seen. */
export function initialDetectorState(): DetectorState {
  return {
    version: DETECTOR_STATE_VERSION,
    lastBucket: null,
    baseline: initialBaseline(),
    window: DOUBLES.slice(0, 0),
    pending: null,
    quietBuckets: 0,
    quietSince: null,
    incident: null,
    incidentSurprise: 0,
    afterglow: null,
    recent: { count: 0, expected: 0 },
    elevated: null,
    long: { count: 0, expected: 0 },
    bursts: DOUBLES.slice(0, 0),
    burstDays: { day: -1, max: 0, typical: -1 },
  };
}

/** Minutes of the short window (rule 3); the bucket itself when buckets are wider. */
export const SHORT_WINDOW_MINUTES = 5;
/**
 * Buckets already judged that a revision may still change (rule 7): the newest one and
 * the `LOOK_BACK_BUCKETS` before it, which collect re-counts and detect feeds again.
 */
export const REVISABLE_BUCKETS = LOOK_BACK_BUCKETS + 1;
/** Rule 3b: abnormal needs this many times the service's typical daily maximum surprise. */
const TAIL_FACTOR = 1.5;
/** Rule 4: an extreme window has this many times the ratio and the surprise bar. */
const EXTREME_FACTOR = 2;
/** Rule 3c: how long after a resolution a new incident must beat the last one's surprise. */
const AFTERGLOW_MS = 24 * 60 * 60_000;
/** Rule 4b: half-life of the recent means, and what the sustained surge must reach. */
const RECENT_HALF_LIFE_MINUTES = 60;
const SUSTAINED_RATIO = 2;
const SUSTAINED_EXCESS = 2;
const SUSTAINED_BAR = 1.75;
/** Rule 4c: the same at a longer scale. */
const LONG_HALF_LIFE_MINUTES = 180;
const LONG_RATIO = 1.5;
const LONG_EXCESS = 4;
const LONG_BAR = 1.5;
/** Rule 4d: what a burst must reach (of `minRatio`, the typical maximum, `minReports`). */
const BURST_RATIO = 0.5;
const BURST_TAIL = 0.8;
const BURST_EXCESS = 1.5;
/** Rule 4d: bursts this far apart count apart, within this span, summed to this x the maximum. */
const BURST_GAP_MS = 30 * 60_000;
const BURST_SPAN_MS = 4 * 60 * 60_000;
const BURSTS_TAIL = 2.5;
/** Rule 4d: the sum must also be this many times the typical daily maximum of such sums. */
const BURSTS_TYPICAL = 1.5;
/** Rule 4d: days over which the typical daily maximum of burst sums falls back. */
const TYPICAL_DAYS = 7;
/** Rule 3c: the afterglow of an incident that resolved because it had settled. */
const SETTLED_AFTERGLOW_MS = 3 * AFTERGLOW_MS;
/** Falloff milestones an incident keeps (two days of whole hours). */
const MAX_FALLOFFS = 48;
/** After this long open, "not abnormal" is enough to resolve (see rule 5). */
const MAX_OPEN_MS = 24 * 60 * MINUTE_MS;

/** True when `count` is far above `baseline` relatively: `minRatio` x (at least 1). */
export function isAbnormal(count: number, baseline: number, settings: DetectorSettings): boolean {
  return count >= settings.minRatio * Math.max(baseline, 1);
}

/** Rule 4: a window (or a bucket) beyond doubt: twice the ratio and the bar, `minReports` above. */
function isExtreme(
  count: number,
  expected: number,
  surprise: number,
  bar: number,
  minReports: number,
  settings: DetectorSettings,
): boolean {
  return (
    count >= EXTREME_FACTOR * settings.minRatio * Math.max(expected, 1) &&
    surprise >= EXTREME_FACTOR * bar &&
    count - expected >= minReports
  );
}

/**
 * True when `count` is back near `baseline`: below `resolveRatio` x baseline (rule 5).
 * A run of such windows resolves an incident; the API calls a service above it elevated.
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

/** The sizes, in buckets, of the windows the rules read at one bucket width. */
interface Windows {
  /** Buckets of the short window. */
  short: number;
  /** Buckets of the confirm window. */
  confirm: number;
  /** Abnormal buckets in a row whose short windows span the confirm window. */
  run: number;
  /** Buckets the state keeps. */
  kept: number;
  minReports: number;
}

/**
 * The last answer of {@link windowsOf}: worked out when the settings or the width change,
 * read every bucket (a run feeds one configuration's services in a row).
 */
let lastWindows: { settings: DetectorSettings; bucketMinutes: number; windows: Windows } | null =
  null;

function windowsOf(context: DetectorContext): Windows {
  const last = lastWindows;
  if (last && last.settings === context.settings && last.bucketMinutes === context.bucketMinutes) {
    return last.windows;
  }
  const { minReports, confirmMinutes } = effectiveThresholds(
    context.settings,
    context.bucketMinutes,
  );
  const confirm = Math.max(1, Math.round(confirmMinutes / context.bucketMinutes));
  const short = Math.min(
    confirm,
    Math.max(1, Math.round(SHORT_WINDOW_MINUTES / context.bucketMinutes)),
  );
  const windows = {
    short,
    confirm,
    run: confirm - short + 1,
    kept: Math.max(confirm, REVISABLE_BUCKETS),
    minReports,
  };
  lastWindows = { settings: context.settings, bucketMinutes: context.bucketMinutes, windows };
  return windows;
}

/**
 * The weight of one bucket in a weighted mean of half-life `halfLifeMinutes`, by bucket
 * width, worked out once per width.
 */
function meanWeight(halfLifeMinutes: number): (bucketMinutes: number) => number {
  const byWidth = new Map<number, number>();
  return (bucketMinutes) => {
    let weight = byWidth.get(bucketMinutes);
    if (weight === undefined) {
      weight = 1 - 0.5 ** (bucketMinutes / halfLifeMinutes);
      byWidth.set(bucketMinutes, weight);
    }
    return weight;
  };
}

/** Rules 4b and 4c: the weight of one bucket in the 1-hour and the 3-hour means. */
const recentRate = meanWeight(RECENT_HALF_LIFE_MINUTES);
const longRate = meanWeight(LONG_HALF_LIFE_MINUTES);

/** A weighted mean of counts and expected counts (rules 4b and 4c). */
interface Means {
  count: number;
  expected: number;
}

/** `before` moved on by one bucket of weight `alpha`. */
function meansWith(before: Means, alpha: number, count: number, expected: number): Means {
  return {
    count: before.count + alpha * (count - before.count),
    expected: before.expected + alpha * (expected - before.expected),
  };
}

/** What a weighted mean must reach to be a surge (rules 4b and 4c). */
interface MeansBar {
  /** Counts at least this many times the expected ones... */
  ratio: number;
  /** ...this many times `minReports` above them over the mean's span... */
  excess: number;
  /** ...with a surprise at that scale this many times the bar of rule 3b. */
  bar: number;
}

const SUSTAINED: MeansBar = {
  ratio: SUSTAINED_RATIO,
  excess: SUSTAINED_EXCESS,
  bar: SUSTAINED_BAR,
};
const LONG: MeansBar = { ratio: LONG_RATIO, excess: LONG_EXCESS, bar: LONG_BAR };

/**
 * True when the weighted means reach `needed`, summed over the buckets they span (about
 * `(2 - alpha) / alpha`): never before a whole day is seen (`bar` is 0 until then).
 */
function meansSurge(
  means: Means,
  alpha: number,
  bar: number,
  minReports: number,
  needed: MeansBar,
): boolean {
  if (bar <= 0 || means.count < needed.ratio * Math.max(means.expected, 1)) return false;
  const span = (2 - alpha) / alpha;
  const excess = (means.count - means.expected) * span;
  const surprise = excess / Math.sqrt(Math.max(means.expected, 0.5) * span);
  return excess >= needed.excess * minReports && surprise >= needed.bar * bar;
}

/** `means` with one kept bucket's count changed by `delta`, `age` buckets on (rule 7). */
function meansRevised(means: Means, alpha: number, age: number, delta: number): Means {
  return { count: means.count + alpha * (1 - alpha) ** age * delta, expected: means.expected };
}

/** A gap in {@link DetectorState.window}. */
const GAP = -1;

/**
 * The counts and the expected counts summed over the newest `buckets` of `window` (gaps
 * skipped), left in {@link summed}: this runs for every bucket, so it allocates nothing.
 */
function sumOver(window: readonly number[], buckets: number): void {
  let count = 0;
  let expected = 0;
  for (let i = Math.max(0, window.length - 2 * buckets); i < window.length; i += 2) {
    const c = window[i] ?? GAP;
    if (c === GAP) continue;
    count += c;
    expected += window[i + 1] ?? 0;
  }
  summed.count = count;
  summed.expected = expected;
}

/** What {@link sumOver} last summed; read at once, before the next call. */
const summed = { count: 0, expected: 0 };

/** Reports above the expected ones over the newest `buckets` of `window`. */
function excessOver(window: readonly number[], buckets: number): number {
  sumOver(window, buckets);
  return summed.count - summed.expected;
}

/**
 * The kept buckets with the bucket at `at` appended (buckets skipped since the last one
 * become gaps), trimmed to `kept`.
 */
function appended(
  previous: DetectorState,
  at: number,
  count: number | null,
  expected: number,
  width: number,
  kept: number,
): number[] {
  const before = previous.window;
  const skipped =
    previous.lastBucket === null
      ? 0
      : Math.min(kept, Math.round((at - previous.lastBucket) / width) - 1);
  if (skipped === 0 && before.length === 2 * kept) {
    // The usual step: the oldest drops out, this bucket comes in.
    const window = before.slice(2);
    window.push(count ?? GAP, Math.round(expected * 100) / 100);
    return window;
  }
  // Oldest first: the kept buckets that still fit, the skipped ones (gaps), this bucket.
  const length = Math.min(kept, before.length / 2 + skipped + 1);
  const fromBefore = Math.max(0, length - skipped - 1);
  const window: number[] = DOUBLES.slice(0, 0);
  for (let i = before.length - 2 * fromBefore; i < before.length; i++) window.push(before[i] ?? 0);
  for (let i = Math.min(skipped, length - 1); i > 0; i--) window.push(GAP, 0);
  window.push(count ?? GAP, Math.round(expected * 100) / 100);
  return window;
}

/**
 * Rule 7: the state with the count kept for an already judged bucket revised, and the
 * recent means with it; the state itself when the bucket is no longer kept or nothing
 * changes.
 */
function revised(previous: DetectorState, observation: Observation, context: DetectorContext) {
  const { count } = observation;
  const last = previous.lastBucket;
  if (count === null || last === null) return previous;
  const width = context.bucketMinutes * MINUTE_MS;
  const age = (last - observation.bucketStart) / width;
  const index = previous.window.length - 2 - 2 * age;
  if (!Number.isInteger(age) || index < 0) return previous;
  const old = previous.window[index] ?? GAP;
  // A partial re-count may miss what the first count had; it never lowers it.
  const next = observation.partial ? (old === GAP ? GAP : Math.max(old, count)) : count;
  if (next === old) return previous;
  const window = previous.window.slice();
  window[index] = next;
  const state: DetectorState = { ...previous, window };
  if (!previous.incident) {
    const expected = window[index + 1] ?? 0;
    const delta = (next === GAP ? expected : next) - (old === GAP ? expected : old);
    state.recent = meansRevised(previous.recent, recentRate(context.bucketMinutes), age, delta);
    state.long = meansRevised(previous.long, longRate(context.bucketMinutes), age, delta);
  }
  return state;
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
  minReports: number,
): boolean {
  const alpha = recentRate(context.bucketMinutes);
  const recent = meansWith(state.recent, alpha, count, expected);
  state.recent = recent;
  const run = state.elevated;
  if (!elevated) state.elevated = null;
  else if (!run) state.elevated = { start: at, peak: { count, at } };
  else if (count > run.peak.count) state.elevated = { start: run.start, peak: { count, at } };
  return elevated && meansSurge(recent, alpha, bar, minReports, SUSTAINED);
}

/**
 * Rule 4c: updates the long means in `state` (a fresh copy) with the bucket, and tells
 * whether the last few hours add up to a surge (`elevated`: the short window is above
 * `resolveRatio` x expected; `bar` 0 until a whole day is seen).
 */
function isLongSurge(
  state: DetectorState,
  count: number,
  expected: number,
  elevated: boolean,
  bar: number,
  context: DetectorContext,
  minReports: number,
): boolean {
  const alpha = longRate(context.bucketMinutes);
  const long = meansWith(state.long, alpha, count, expected);
  state.long = long;
  return elevated && meansSurge(long, alpha, bar, minReports, LONG);
}

/**
 * Rule 4d: updates the bursts in `state` (a fresh copy) with the bucket starting `at`,
 * and returns the start of the first burst when the bursts add up to an outage, else -1.
 * `tail` is the typical daily maximum (negative until a day is seen).
 */
function burstsFrom(
  state: DetectorState,
  at: number,
  judged: { surprise: number; shortCount: number; shortExpected: number },
  tail: number,
  glowBar: number,
  settings: DetectorSettings,
  minReports: number,
): number {
  const { surprise, shortCount, shortExpected } = judged;
  const day = state.baseline.day;
  let days = state.burstDays;
  if (day !== days.day) {
    // A new day: the typical maximum rises at once to the last day's largest sum and
    // falls back over about a week (a weighted geometric mean of the days' largest).
    let typical = -1;
    if (days.day >= 0) {
      const logMax = Math.log(Math.max(days.max, 1));
      const logTypical = days.typical < 0 ? logMax : Math.log(Math.max(days.typical, 1));
      typical = Math.max(days.max, Math.exp(logTypical + (logMax - logTypical) / TYPICAL_DAYS));
    }
    days = { day, max: 0, typical: Math.round(typical * 100) / 100 };
    state.burstDays = days;
  }
  let bursts = state.bursts;
  if (bursts.length > 0 && (bursts[0] ?? 0) <= at - BURST_SPAN_MS) {
    let first = 0;
    while (first < bursts.length && (bursts[first] ?? 0) <= at - BURST_SPAN_MS) first += 2;
    bursts = bursts.slice(first);
    state.bursts = bursts;
  }
  const burst =
    tail > 0 &&
    surprise >= BURST_TAIL * tail &&
    surprise >= glowBar &&
    shortCount >= BURST_RATIO * settings.minRatio * Math.max(shortExpected, 1) &&
    shortCount - shortExpected >= BURST_EXCESS * minReports;
  if (!burst) return -1;
  const last = bursts.length > 0 ? (bursts[bursts.length - 2] ?? 0) : null;
  if (last !== null && at - last <= BURST_GAP_MS) return -1;
  let sum = surprise / tail;
  for (let i = 1; i < bursts.length; i += 2) sum += bursts[i] ?? 0;
  const usual = days.typical;
  if (sum > days.max) {
    days = { day: days.day, max: Math.round(sum * 100) / 100, typical: usual };
    state.burstDays = days;
  }
  if (bursts.length > 0 && sum >= BURSTS_TAIL && usual >= 0 && sum >= BURSTS_TYPICAL * usual) {
    const first = bursts[0] ?? at;
    state.bursts = DOUBLES.slice(0, 0);
    return first;
  }
  const next = bursts.slice();
  next.push(at, Math.round((surprise / tail) * 100) / 100);
  state.bursts = next;
  return -1;
}

function localMinuteOfHour(timeMs: number, timeZone: string): number {
  const local = timeMs + utcOffsetMs(timeZone, timeMs);
  return Math.floor((((local % HOUR_MS) + HOUR_MS) % HOUR_MS) / MINUTE_MS);
}

/**
 * The first bucket above its expected count among the newest `buckets` kept: where the
 * surge that made the short window abnormal began.
 */
function surgeStart(window: readonly number[], buckets: number, last: number, width: number) {
  const first = Math.max(0, window.length - 2 * buckets);
  for (let i = first; i < window.length; i += 2) {
    const c = window[i] ?? GAP;
    if (c !== GAP && c > (window[i + 1] ?? 0)) return last - ((window.length - 2 - i) / 2) * width;
  }
  return last;
}

/** What {@link stepDetector} worked out about the bucket it was fed. */
interface Judged {
  bucketStart: number;
  count: number;
  /** The expected count of the bucket itself. */
  baseline: number;
  /** Rule 3b's surprise of the short window, and the window's sums. */
  surprise: number;
  shortCount: number;
  shortExpected: number;
  /** Whether the baseline has seen enough to judge, and whether the bucket is abnormal. */
  ready: boolean;
  abnormal: boolean;
}

/**
 * Rule 5: one bucket while an incident is open, into `state` (a fresh copy of
 * `previous` whose incident is open): the peak, the falloff milestones, and the quiet run
 * that resolves it. Apart from {@link stepDetector} so that each stays small enough for
 * the engine to optimise whole: this runs for every bucket of every service.
 */
function stepOpen(
  state: DetectorState,
  previous: DetectorState,
  judged: Judged,
  events: IncidentEvent[],
  context: DetectorContext,
): void {
  const { bucketStart, count, surprise, shortCount, shortExpected, ready } = judged;
  const { settings } = context;
  const learned = previous.baseline;
  const open = state.incident;
  if (!open) return;
  state.elevated = null;
  state.baseline = ready
    ? observeBaseline(learned, bucketStart, count, surprise, false, context)
    : learnBaseline(learned, bucketStart, count, context);
  state.incidentSurprise = Math.max(previous.incidentSurprise, Math.round(surprise * 10) / 10);
  const incident = { ...open, falloffs: [...open.falloffs] };
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
  // After a day open, a window that is no longer abnormal counts as quiet too: the
  // service has settled at a new level (a source added, more users), not an outage.
  const settled =
    bucketStart - incident.startedAt >= MAX_OPEN_MS &&
    !isAbnormal(shortCount, shortExpected, settings);
  const quiet = isQuiet(shortCount, shortExpected, settings) || settled;
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
    // Settled rather than quiet: the baseline has yet to learn the new level (rule 3c).
    const settledOpen = resolvedAt - incident.startedAt >= MAX_OPEN_MS;
    state.afterglow = {
      until: bucketStart + (settledOpen ? SETTLED_AFTERGLOW_MS : AFTERGLOW_MS),
      surprise: Math.round(state.incidentSurprise),
    };
    state.incidentSurprise = 0;
    state.quietBuckets = 0;
    state.quietSince = null;
  }
}

/** Rule 4: opens the incident `pending` confirmed, at the bucket `at`, into `state`. */
function opened(
  state: DetectorState,
  pending: NonNullable<DetectorState["pending"]>,
  at: { bucketStart: number; count: number; baseline: number; surprise: number },
  context: DetectorContext,
): Incident {
  const incident: Incident = {
    id: incidentId(context.service, pending.start),
    service: context.service,
    startedAt: pending.start,
    openedAt: at.bucketStart,
    countAtOpen: at.count,
    baselineAtOpen: Math.round(at.baseline * 10) / 10,
    peak: pending.peak,
    falloffs: [],
    resolvedAt: null,
    correlatedWith: [],
  };
  state.incident = incident;
  state.pending = null;
  state.elevated = null;
  state.bursts = DOUBLES.slice(0, 0);
  state.quietBuckets = 0;
  state.quietSince = null;
  state.incidentSurprise = Math.round(at.surprise * 10) / 10;
  return incident;
}

/**
 * Rules 4 and 4b: a bucket outside an incident that is abnormal or part of a sustained
 * surge, into `state` (a fresh copy of `previous`): the run it extends or starts, and the
 * incident it opens, if it confirms one. Apart from {@link stepDetector}, whose usual
 * path (a normal bucket) it leaves short.
 */
function stepSurge(
  state: DetectorState,
  previous: DetectorState,
  judged: Judged,
  rules: {
    extremeBucket: boolean;
    sustained: boolean;
    long: boolean;
    burstsStart: number;
    bar: number;
    tail: number;
  },
  context: DetectorContext,
): Incident | null {
  const { bucketStart, count, baseline, surprise, shortCount, shortExpected, abnormal } = judged;
  const { extremeBucket, sustained, long, burstsStart, bar, tail } = rules;
  const { settings } = context;
  const windows = windowsOf(context);
  const { window } = state;
  const width = context.bucketMinutes * MINUTE_MS;
  const before = previous.pending;
  const run = state.elevated;
  const pending = before
    ? {
        start: before.start,
        buckets: before.buckets + 1,
        peak: count > before.peak.count ? { count, at: bucketStart } : before.peak,
      }
    : {
        start: surgeStart(window, windows.short, bucketStart, width),
        buckets: 1,
        peak: { count, at: bucketStart },
      };
  state.pending = abnormal ? pending : null;
  const extreme =
    abnormal &&
    (extremeBucket ||
      isExtreme(shortCount, shortExpected, surprise, bar, windows.minReports, settings));
  const confirmed =
    abnormal &&
    // Before a whole day is seen, the baseline is the recent level, which lags the
    // morning rise by hours: only an extreme window opens then.
    tail >= 0 &&
    pending.buckets >= windows.run &&
    excessOver(window, windows.confirm) >= windows.minReports;
  if (!confirmed && !extreme && !sustained && !long && burstsStart < 0) return null;
  if (burstsStart >= 0) pending.start = Math.min(pending.start, burstsStart);
  if ((sustained || long) && run) {
    // Dated from the first bucket of the elevated run; its peak counts.
    pending.start = Math.min(pending.start, run.start);
    if (run.peak.count > pending.peak.count) pending.peak = run.peak;
  }
  return opened(state, pending, { bucketStart, count, baseline, surprise }, context);
}

/**
 * Feeds one closed bucket to the detector. A bucket at or before the last one fed is a
 * revision (rule 7).
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
    return { state: revised(previous, observation, context), events: [] };
  }
  const width = context.bucketMinutes * MINUTE_MS;
  const windows = windowsOf(context);
  const learned = previous.baseline;
  const baseline = expectedCount(learned, bucketStart, context);
  const window = appended(previous, bucketStart, count, baseline, width, windows.kept);
  const state: DetectorState = {
    version: DETECTOR_STATE_VERSION,
    lastBucket: bucketStart,
    baseline: previous.baseline,
    window,
    pending: previous.pending,
    quietBuckets: previous.quietBuckets,
    quietSince: previous.quietSince,
    incident: previous.incident,
    incidentSurprise: previous.incidentSurprise,
    afterglow: previous.afterglow,
    recent: previous.recent,
    elevated: previous.elevated,
    long: previous.long,
    bursts: previous.bursts,
    burstDays: previous.burstDays,
  };
  if (count === null) return { state, events: [] };

  const { settings } = context;
  const ready = baselineReady(learned, context);
  sumOver(window, windows.short);
  const shortCount = summed.count;
  const shortExpected = summed.expected;
  const surprise = surpriseOf(shortCount, shortExpected);
  const tail = typicalDailyMax(learned);
  const glow = previous.afterglow;
  const tailBar = tail < 0 ? 0 : TAIL_FACTOR * tail;
  const glowBar = glow && bucketStart < glow.until ? glow.surprise : 0;
  const bar = Math.max(tailBar, glowBar);
  // The bucket alone, where the short window is longer: a step that large at once need
  // not wait for the window to fill (rule 4's extreme bucket).
  const extremeBucket =
    ready &&
    windows.short > 1 &&
    isExtreme(count, baseline, surpriseOf(count, baseline), bar, windows.minReports, settings);
  const abnormal =
    ready &&
    ((isAbnormal(shortCount, shortExpected, settings) && surprise >= bar) || extremeBucket);
  const events: IncidentEvent[] = [];

  if (observation.partial && !abnormal) {
    // Rule 1: a short count because a source failed is no sign of anything.
    window[window.length - 2] = GAP;
    return { state, events };
  }

  const judged: Judged = {
    bucketStart,
    count,
    baseline,
    surprise,
    shortCount,
    shortExpected,
    ready,
    abnormal,
  };
  if (state.incident) {
    stepOpen(state, previous, judged, events, context);
    return { state, events };
  }

  const elevated = shortCount >= elevatedFrom(shortExpected, settings);
  // isSustained first: it also keeps the recent means, whatever the rest says.
  const sustained =
    ready &&
    isSustained(
      state,
      bucketStart,
      count,
      baseline,
      elevated,
      tailBar,
      context,
      windows.minReports,
    ) &&
    surprise >= glowBar &&
    seasonalKnown(learned, bucketStart, context);
  // Rules 4c and 4d, on the same terms (and both keep their memory whatever the rest says).
  const long =
    ready &&
    isLongSurge(state, count, baseline, elevated, tailBar, context, windows.minReports) &&
    surprise >= glowBar &&
    seasonalKnown(learned, bucketStart, context);
  let burstsStart = ready
    ? burstsFrom(
        state,
        bucketStart,
        { surprise, shortCount, shortExpected },
        tail,
        glowBar,
        settings,
        windows.minReports,
      )
    : -1;
  if (burstsStart >= 0 && !seasonalKnown(learned, bucketStart, context)) burstsStart = -1;
  if (!abnormal && !sustained && !long && burstsStart < 0) {
    // A run survives a window that dips below abnormal but stays elevated (hysteresis).
    state.pending =
      previous.pending && elevated
        ? { ...previous.pending, buckets: previous.pending.buckets + 1 }
        : null;
    state.baseline = ready
      ? observeBaseline(learned, bucketStart, count, surprise, true, context)
      : learnBaseline(learned, bucketStart, count, context);
    return { state, events };
  }
  state.baseline = observeBaseline(learned, bucketStart, count, surprise, false, context);
  const incident = stepSurge(
    state,
    previous,
    judged,
    { extremeBucket, sustained, long, burstsStart, bar, tail },
    context,
  );
  if (incident) events.push({ type: "opened", at: bucketStart, incident });
  return { state, events };
}
