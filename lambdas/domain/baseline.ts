/**
 * The expected count of a service for a bucket: what this time of day (and, once weeks
 * are seen, this day of the week) usually brings, learned online from normal buckets
 * only. It answers in O(1) from a few hundred numbers, so the detect Lambda reads one
 * small item per service per new bucket instead of weeks of raw buckets.
 *
 * How, and why:
 * - Normal counts are summed per local hour; when the hour is over, its mean teaches two
 *   profiles of hourly slots: 24 hours of the day (learned over about a week) and 168
 *   hours of the week (learned over about three weeks). Hourly means are steadier than
 *   single buckets, and learning once an hour keeps the cost of a bucket tiny and the
 *   stored numbers few (the state does not grow with finer buckets).
 * - An hour with too few normal buckets (most of it an outage, or a gap) teaches
 *   nothing, and the detector feeds only normal buckets: an outage never becomes normal.
 * - What recurs is learned all the same, from every bucket: each slot keeps which of its
 *   last five occurrences (days for the 24 hours of the day, weeks for the 168 of the
 *   week) ran hot - most of the hour abnormal or in an incident, or, once the slot is
 *   known to recur, still at least halfway up to its hot level - and the mean of the hot
 *   ones. A slot hot in three of its last five occurrences expects that level: a weekly
 *   event (a patch day every Tuesday at 2 p.m.) opens incidents on its first three
 *   Tuesdays and none from the fourth, while one outage, or two on consecutive Tuesdays,
 *   stays an outlier and the same surge at that hour still opens. A lasting change of
 *   level is learned the same way, from the hours of the day, in three days. An event
 *   that recurs monthly is seen at most once in five weeks and is never learned.
 * - The expected count interpolates linearly between the slots either side of the
 *   bucket's middle, so there is no step at each whole hour. A week-of-day slot is used
 *   once it has two weeks behind it; until then the hour-of-day slot stands in once it
 *   has two days; until then the recent level (an exponentially weighted mean, 3 h
 *   half-life) does, which is the sane fallback while history is short.
 * - Because days and weeks drift (a busy news day, a growing service), the seasonal
 *   value is scaled by how the last hours compared with it (a weighted mean of the ratio,
 *   6 h half-life, kept between 1/2 and 2), so the baseline follows the level without
 *   forgetting the shape.
 * - `tail` is the typical daily maximum of the surprise (the excess over the expected
 *   count in units of Poisson noise), so the detector can ask a service that bursts every
 *   day for more than its usual burst (see detector.ts, rule 3b).
 * - Slots are local wall-clock hours of the service's zone (DST nights move them with the
 *   clock), so the profile means "9 a.m. on Mondays" all year.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./buckets";
import { utcOffsetMs } from "./zone-offset";

/** What the baseline remembers (JSON-serializable, about 3 KB). */
export interface BaselineState {
  /** Weighted mean of recent normal counts (3 h half-life): the fallback baseline. */
  level: number;
  /** Normal buckets learned so far (capped; only "few or many" matters). */
  samples: number;
  /** IANA zone whose wall clock the slots follow. */
  zone: string;
  /** Recent counts relative to the seasonal value (weighted mean; 1 = as usual). */
  drift: number;
  /**
   * Typical daily maximum of the surprise (see {@link surpriseOf}), as the weighted
   * geometric mean over days; -1 until a day has been seen.
   */
  tail: number;
  /** Days learned into `tail` (capped). */
  tailDays: number;
  /** Local day (days since the epoch, wall clock) whose surprises are being watched. */
  day: number;
  dayMax: number;
  dayBuckets: number;
  /** Local hour (hours since the epoch, wall clock) whose normal counts are being summed. */
  hour: number;
  hourSum: number;
  hourBuckets: number;
  /** Every count of that hour (normal or not), its buckets, and how many were not normal. */
  hourAll: number;
  hourAllBuckets: number;
  hourOdd: number;
  /** Mean count per local hour of the day (24 slots; -1 = not seen). */
  daily: number[];
  /** Hours learned into each daily slot (capped). */
  dailySeen: number[];
  /** Mean count per local hour of the week (168 slots, slot 0 = Thursday 00:00). */
  weekly: number[];
  /** Hours learned into each weekly slot (capped). */
  weeklySeen: number[];
  /**
   * Which of each daily slot's last five occurrences ran hot (bit 0 the newest; see the
   * module comment), and the mean count of its hot ones (-1 = never hot).
   */
  dailyHot: number[];
  dailyHotLevel: number[];
  /** The same for the weekly slots. */
  weeklyHot: number[];
  weeklyHotLevel: number[];
}

/** Days the typical daily maximum surprise remembers. */
const TAIL_MEMORY = 7;
/** A day's maximum surprise counts for at most this many times the current typical one. */
const TAIL_CAP = 10;
/** Half-life of the recent level. */
const HALF_LIFE_MS = 3 * HOUR_MS;
/** Half-life of the drift ratio. */
const DRIFT_HALF_LIFE_MS = 6 * HOUR_MS;
/** Buckets of history before the weighted mean is trusted over the plain mean. */
const WARM_UP_MS = HOUR_MS;
const SAMPLE_CAP = 1_000_000;
/** How many days (daily slots) and weeks (weekly slots) the profiles remember. */
const DAILY_MEMORY = 7;
const WEEKLY_MEMORY = 3;
/** Hours a slot needs before it is trusted. */
const SLOT_TRUSTED = 2;
const SEEN_CAP = 99;
/** Occurrences a slot remembers as hot or not, and how many hot ones make it recur. */
const HOT_MEMORY_MASK = 0b11111;
const HOT_TO_RECUR = 3;
/** A mostly normal hour still ran hot at this many times its slot's usual mean. */
const HOT_RATIO = 2;
const DRIFT_MIN = 0.5;
const DRIFT_MAX = 2;

/**
 * `length` copies of `value` in an array that holds doubles from the start: the slots
 * soon hold fractions, and an array that starts as small integers changes its kind then,
 * which costs the optimised code of every state that sees both kinds.
 */
function doubles(length: number, value: number): number[] {
  const array = [0.5];
  array.pop();
  for (let i = 0; i < length; i++) array.push(value);
  return array;
}

/** `length` copies of `value` in an array without holes (read on every bucket). */
function integers(length: number, value: number): number[] {
  const array: number[] = [];
  for (let i = 0; i < length; i++) array.push(value);
  return array;
}

/** A baseline that has seen nothing. */
export function initialBaseline(zone = "UTC"): BaselineState {
  const hot = noHotSlots();
  return {
    level: 0,
    samples: 0,
    zone,
    drift: 1,
    tail: -1,
    tailDays: 0,
    day: -1,
    dayMax: 0,
    dayBuckets: 0,
    hour: -1,
    hourSum: 0,
    hourBuckets: 0,
    hourAll: 0,
    hourAllBuckets: 0,
    hourOdd: 0,
    daily: doubles(24, -1),
    dailySeen: integers(24, 0),
    weekly: doubles(168, -1),
    weeklySeen: integers(168, 0),
    // Assigned one by one, not spread, in copyBaseline's order: one hidden class for
    // every state.
    dailyHot: hot.dailyHot,
    dailyHotLevel: hot.dailyHotLevel,
    weeklyHot: hot.weeklyHot,
    weeklyHotLevel: hot.weeklyHotLevel,
  };
}

/** Recurrence memory that has seen nothing (also what an earlier release's state starts with). */
export function noHotSlots(): Pick<
  BaselineState,
  "dailyHot" | "dailyHotLevel" | "weeklyHot" | "weeklyHotLevel"
> {
  return {
    dailyHot: integers(24, 0),
    dailyHotLevel: doubles(24, -1),
    weeklyHot: integers(168, 0),
    weeklyHotLevel: doubles(168, -1),
  };
}

/** True once the baseline has seen enough normal history to judge a bucket. */
export function baselineReady(state: BaselineState, context: { bucketMinutes: number }): boolean {
  return state.samples * context.bucketMinutes * MINUTE_MS >= WARM_UP_MS;
}

/**
 * The count expected for the bucket at `bucketStart`.
 * @example expectedCount(state, Date.parse("2023-02-14T03:20:00Z"), { bucketMinutes: 5 })
 */
export function expectedCount(
  state: BaselineState,
  bucketStart: number,
  context: { bucketMinutes: number },
): number {
  if (state.samples === 0) return 1;
  const local = bucketStart + utcOffsetMs(state.zone, bucketStart);
  const seasonal = seasonalAt(state, local + (context.bucketMinutes * MINUTE_MS) / 2);
  return seasonal < 0 ? state.level : seasonal * state.drift;
}

/** True when the expected count for `bucketStart` comes from learned slots, not the fallback. */
export function seasonalKnown(
  state: BaselineState,
  bucketStart: number,
  context: { bucketMinutes: number },
): boolean {
  if (state.samples === 0) return false;
  const local = bucketStart + utcOffsetMs(state.zone, bucketStart);
  return seasonalAt(state, local + (context.bucketMinutes * MINUTE_MS) / 2) >= 0;
}

/**
 * How surprising a count is: its excess over the expected count in units of Poisson
 * noise (`(count - expected) / sqrt(expected)`), so a busy and a sparse service are
 * judged on one scale.
 */
export function surpriseOf(count: number, expected: number): number {
  return (count - expected) / Math.sqrt(Math.max(expected, 1));
}

/**
 * The surprise this service reaches on an ordinary day (its typical daily maximum), or
 * -1 while no whole day has been seen. A spiky service has a high one.
 */
export function typicalDailyMax(state: BaselineState): number {
  return state.tailDays > 0 ? state.tail : -1;
}

/**
 * Feeds the baseline one bucket (the input is not modified; slot arrays are copied only
 * when an hour closes): its surprise is noted towards the typical daily maximum, its
 * count towards what recurs, and when `normal` its count is learned into the level and
 * the slots. One call, one copy, one offset lookup: this runs for every bucket of every
 * service.
 */
export function observeBaseline(
  state: BaselineState,
  bucketStart: number,
  count: number,
  surprise: number,
  normal: boolean,
  context: { bucketMinutes: number; timeZone?: string },
): BaselineState {
  const zone = context.timeZone ?? state.zone;
  const local = bucketStart + utcOffsetMs(zone, bucketStart);
  const next = copyBaseline(state, zone);
  noteInto(next, local, surprise, context.bucketMinutes);
  tallyInto(next, local, count, normal, context.bucketMinutes);
  if (normal) learnInto(next, local, count, context.bucketMinutes);
  return next;
}

/**
 * Teaches the baseline one normal bucket.
 * @see observeBaseline
 */
export function learnBaseline(
  state: BaselineState,
  bucketStart: number,
  count: number,
  context: { bucketMinutes: number; timeZone?: string },
): BaselineState {
  const zone = context.timeZone ?? state.zone;
  const next = copyBaseline(state, zone);
  const local = bucketStart + utcOffsetMs(zone, bucketStart);
  tallyInto(next, local, count, true, context.bucketMinutes);
  learnInto(next, local, count, context.bucketMinutes);
  return next;
}

/** A shallow copy with every field spelled out: one hidden class, a cheap copy. */
function copyBaseline(state: BaselineState, zone: string): BaselineState {
  return {
    level: state.level,
    samples: state.samples,
    zone,
    drift: state.drift,
    tail: state.tail,
    tailDays: state.tailDays,
    day: state.day,
    dayMax: state.dayMax,
    dayBuckets: state.dayBuckets,
    hour: state.hour,
    hourSum: state.hourSum,
    hourBuckets: state.hourBuckets,
    hourAll: state.hourAll,
    hourAllBuckets: state.hourAllBuckets,
    hourOdd: state.hourOdd,
    daily: state.daily,
    dailySeen: state.dailySeen,
    weekly: state.weekly,
    weeklySeen: state.weeklySeen,
    dailyHot: state.dailyHot,
    dailyHotLevel: state.dailyHotLevel,
    weeklyHot: state.weeklyHot,
    weeklyHotLevel: state.weeklyHotLevel,
  };
}

/** `next` is a fresh copy owned by the caller (its arrays are still shared). */
function noteInto(next: BaselineState, local: number, surprise: number, bucketMinutes: number) {
  const localDay = Math.floor(local / DAY_MS);
  if (localDay !== next.day) {
    const perDay = DAY_MS / (bucketMinutes * MINUTE_MS);
    if (next.day >= 0 && next.dayBuckets * 2 >= perDay) {
      const logMax = Math.log(Math.max(next.dayMax, 1));
      const days = Math.min(next.tailDays + 1, TAIL_MEMORY);
      const logTail = next.tailDays > 0 ? Math.log(Math.max(next.tail, 1)) : logMax;
      next.tail = round(Math.exp(logTail + (logMax - logTail) / days));
      next.tailDays = Math.min(next.tailDays + 1, SEEN_CAP);
    }
    next.day = localDay;
    next.dayMax = 0;
    next.dayBuckets = 0;
  }
  // Clipped: one outage day moves the typical maximum by a bounded step.
  const clipped = next.tailDays > 0 ? Math.min(surprise, TAIL_CAP * next.tail) : surprise;
  if (clipped > next.dayMax) next.dayMax = round(clipped);
  next.dayBuckets += 1;
}

/** The weights of one bucket in the level and the drift, by bucket width (computed once). */
const learningRates = new Map<number, { level: number; drift: number }>();

function ratesOf(width: number): { level: number; drift: number } {
  let rates = learningRates.get(width);
  if (!rates) {
    rates = {
      level: 1 - 0.5 ** (width / HALF_LIFE_MS),
      drift: 1 - 0.5 ** (width / DRIFT_HALF_LIFE_MS),
    };
    learningRates.set(width, rates);
  }
  return rates;
}

/** `next` is a fresh copy owned by the caller (its arrays are still shared). */
function learnInto(next: BaselineState, local: number, count: number, bucketMinutes: number) {
  const width = bucketMinutes * MINUTE_MS;
  const rates = ratesOf(width);
  const samples = Math.min(next.samples + 1, SAMPLE_CAP);
  const warm = samples * width > WARM_UP_MS;
  const alpha = warm ? rates.level : 1 / samples;
  next.level += alpha * (count - next.level);
  next.samples = samples;

  const seasonal = seasonalAt(next, local + width / 2);
  if (seasonal >= 0) {
    const slow = rates.drift;
    const ratio = (count + 1) / (seasonal + 1);
    next.drift = clamp(next.drift + slow * (ratio - next.drift), DRIFT_MIN, DRIFT_MAX);
  }
  next.hourSum += count;
  next.hourBuckets += 1;
}

/**
 * Counts one bucket, normal or not, into the hour being summed; a new hour first closes
 * the last one (`next` is a fresh copy owned by the caller).
 */
function tallyInto(
  next: BaselineState,
  local: number,
  count: number,
  normal: boolean,
  bucketMinutes: number,
) {
  const localHour = Math.floor(local / HOUR_MS);
  if (localHour !== next.hour) {
    closeHour(next, bucketMinutes);
    next.hour = localHour;
    next.hourSum = 0;
    next.hourBuckets = 0;
    next.hourAll = 0;
    next.hourAllBuckets = 0;
    next.hourOdd = 0;
  }
  next.hourAll += count;
  next.hourAllBuckets += 1;
  if (!normal) next.hourOdd += 1;
}

/** The seasonal value at local wall-clock time `local`; -1 when the slots are not learned. */
function seasonalAt(state: BaselineState, local: number): number {
  // Slot values sit at the middle of their hour; interpolate between the two around us.
  const position = local / HOUR_MS - 0.5;
  const before = Math.floor(position);
  const weight = position - before;
  const a = slotValue(state, before);
  const b = slotValue(state, before + 1);
  if (a < 0) return b;
  if (b < 0) return a;
  return a + (b - a) * weight;
}

function slotValue(state: BaselineState, localHour: number): number {
  const week = mod(localHour, 168);
  const day = mod(localHour, 24);
  const usual =
    (state.weeklySeen[week] ?? 0) >= SLOT_TRUSTED
      ? (state.weekly[week] ?? -1)
      : (state.dailySeen[day] ?? 0) >= SLOT_TRUSTED
        ? (state.daily[day] ?? -1)
        : -1;
  const weekHot = state.weeklyHot[week] ?? 0;
  const dayHot = state.dailyHot[day] ?? 0;
  // Most slots never ran hot: no recurring level to weigh (the hot path of every bucket).
  if (weekHot < FEWEST_RECURRING && dayHot < FEWEST_RECURRING) return usual;
  return Math.max(
    usual,
    hotLevel(weekHot, state.weeklyHotLevel[week] ?? -1),
    hotLevel(dayHot, state.dailyHotLevel[day] ?? -1),
  );
}

/** The smallest mask with {@link HOT_TO_RECUR} bits set. */
const FEWEST_RECURRING = 2 ** HOT_TO_RECUR - 1;

/** The level a slot recurs at: its hot mean once hot in enough recent occurrences, else -1. */
function hotLevel(mask: number, level: number): number {
  let hot = 0;
  for (let bits = mask; bits > 0; bits >>= 1) hot += bits & 1;
  return hot >= HOT_TO_RECUR ? level : -1;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/**
 * Closes the hour being summed (in place): its normal counts teach the slots if enough
 * of it was normal, and all its counts teach what recurs if enough of it was seen.
 */
function closeHour(next: BaselineState, bucketMinutes: number): void {
  const perHour = Math.max(1, Math.floor(60 / bucketMinutes));
  if (next.hour < 0) return;
  const day = mod(next.hour, 24);
  const week = mod(next.hour, 168);
  if (next.hourAllBuckets * 2 >= perHour) noteHot(next, day, week);
  if (next.hourBuckets * 2 < perHour) return;
  const mean = next.hourSum / next.hourBuckets;
  // Copies: the arrays are shared with the state this one was made from.
  const daily = next.daily.slice();
  const dailySeen = next.dailySeen.slice();
  const weekly = next.weekly.slice();
  const weeklySeen = next.weeklySeen.slice();
  daily[day] = blend(daily[day] ?? -1, dailySeen[day] ?? 0, mean, DAILY_MEMORY);
  dailySeen[day] = Math.min((dailySeen[day] ?? 0) + 1, SEEN_CAP);
  weekly[week] = blend(weekly[week] ?? -1, weeklySeen[week] ?? 0, mean, WEEKLY_MEMORY);
  weeklySeen[week] = Math.min((weeklySeen[week] ?? 0) + 1, SEEN_CAP);
  Object.assign(next, { daily, dailySeen, weekly, weeklySeen });
}

/** Shifts whether the closing hour ran hot into its daily and weekly slots (in place). */
function noteHot(next: BaselineState, day: number, week: number): void {
  const mean = next.hourAll / next.hourAllBuckets;
  const odd = next.hourOdd * 2 > next.hourAllBuckets;
  const daily = shiftHot(next.dailyHot, next.dailyHotLevel, day, odd, mean, next.daily[day] ?? -1);
  if (daily) [next.dailyHot, next.dailyHotLevel] = daily;
  const weekly = shiftHot(
    next.weeklyHot,
    next.weeklyHotLevel,
    week,
    odd,
    mean,
    next.weekly[week] ?? -1,
  );
  if (weekly) [next.weeklyHot, next.weeklyHotLevel] = weekly;
}

/**
 * One occurrence of a slot: hot when most of it was not normal, when its mean was twice
 * the slot's usual one (a level that has moved up, counted normal only because the
 * detector no longer calls it abnormal), or, while the slot recurs, when its mean is
 * still at least halfway from the usual level up to the hot one (once a recurring event
 * is expected, its buckets are normal). Returns the arrays to store, or null when
 * nothing changes.
 */
function shiftHot(
  hot: readonly number[],
  levels: readonly number[],
  slot: number,
  odd: boolean,
  mean: number,
  usual: number,
): [number[], number[]] | null {
  const mask = hot[slot] ?? 0;
  const level = levels[slot] ?? -1;
  const recurring = hotLevel(mask, level);
  const known = Math.max(usual, 0);
  const isHot =
    odd ||
    (usual >= 0 && mean >= HOT_RATIO * known && mean >= known + 1) ||
    (recurring >= 0 && mean >= (known + recurring) / 2);
  const shifted = ((mask << 1) | (isHot ? 1 : 0)) & HOT_MEMORY_MASK;
  if (shifted === mask && !isHot) return null;
  // Copies: the arrays are shared with the state this one was made from.
  const nextHot = hot.slice();
  nextHot[slot] = shifted;
  if (!isHot) return [nextHot, levels as number[]];
  const nextLevels = levels.slice();
  nextLevels[slot] = level < 0 ? round(mean) : round((level + mean) / 2);
  return [nextHot, nextLevels];
}

/** Running mean for the first `memory` hours, then an exponential mean of that memory. */
function blend(old: number, seen: number, value: number, memory: number): number {
  if (seen === 0 || old < 0) return round(value);
  const alpha = 1 / Math.min(seen + 1, memory);
  return round(old + alpha * (value - old));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
