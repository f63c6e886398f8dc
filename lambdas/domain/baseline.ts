/**
 * The expected count of a service for a bucket: an exponentially weighted mean of the
 * normal buckets seen so far, with a half-life of a few hours so it follows the day/night
 * cycle without chasing noise. While history is short (the first hour) the plain mean of
 * what has been seen stands in, and until that first hour is seen the baseline is not
 * ready: with nothing to compare against, no count is called abnormal.
 */
import { MINUTE_MS } from "./buckets";

/** What the baseline remembers. */
export interface BaselineState {
  /** Weighted mean of normal counts. */
  level: number;
  /** Normal buckets learned so far (capped; only "few or many" matters). */
  samples: number;
}

/** Half-life of the weighted mean. */
const HALF_LIFE_MS = 3 * 60 * MINUTE_MS;
/** Buckets of history before the weighted mean is trusted over the plain mean. */
const WARM_UP_MS = 60 * MINUTE_MS;
const SAMPLE_CAP = 1_000_000;

/** A baseline that has seen nothing. */
export function initialBaseline(): BaselineState {
  return { level: 0, samples: 0 };
}

/** True once the baseline has seen enough normal history to judge a bucket. */
export function baselineReady(state: BaselineState, context: { bucketMinutes: number }): boolean {
  return state.samples * context.bucketMinutes * MINUTE_MS >= WARM_UP_MS;
}

/** The count expected for the bucket at `bucketStart`. */
export function expectedCount(
  state: BaselineState,
  _bucketStart: number,
  _context: { bucketMinutes: number },
): number {
  return state.samples === 0 ? 1 : state.level;
}

/** Teaches the baseline one normal bucket. */
export function learnBaseline(
  state: BaselineState,
  _bucketStart: number,
  count: number,
  context: { bucketMinutes: number },
): BaselineState {
  const width = context.bucketMinutes * MINUTE_MS;
  const samples = Math.min(state.samples + 1, SAMPLE_CAP);
  const warm = samples * width > WARM_UP_MS;
  const alpha = warm ? 1 - 0.5 ** (width / HALF_LIFE_MS) : 1 / samples;
  return { level: state.level + alpha * (count - state.level), samples };
}
