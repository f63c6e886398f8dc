/**
 * Synthetic services for the detector's class tests: a rate of reports per minute that
 * follows the clock (a daily cycle, events, outages), drawn as Poisson counts into
 * buckets of any width and fed through the detector, with the incidents it opened.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../lambdas/domain/buckets";
import { type DetectorSettings, DetectorSettingsSchema } from "../../lambdas/domain/config";
import {
  type DetectorState,
  initialDetectorState,
  type Observation,
  stepDetector,
} from "../../lambdas/domain/detector";
import type { Incident } from "../../lambdas/domain/incident";
import { poisson, uniform } from "./random-counts";

/** Reports per minute at epoch-ms `t`. */
export type Rate = (t: number) => number;

/** Monday 2024-03-04 00:00 UTC: where every synthetic run starts. */
export const EPOCH = Date.parse("2024-03-04T00:00:00Z");
export const DEFAULT_SETTINGS: DetectorSettings = DetectorSettingsSchema.parse({});

/**
 * A daily cycle with mean 1: `exp(swing x cos)` peaking at `peakHour` UTC, normalised so
 * that a service of `level` reports a minute averages that over the day.
 */
export function dailyCycle(swing = 1, peakHour = 15): (t: number) => number {
  let norm = 0;
  for (let i = 0; i < 96; i++) norm += Math.exp(swing * Math.cos((2 * Math.PI * i) / 96)) / 96;
  return (t) =>
    Math.exp(swing * Math.cos((2 * Math.PI * (t - peakHour * HOUR_MS)) / DAY_MS)) / norm;
}

/** True from `from` for `minutes`. */
export const during = (t: number, from: number, minutes: number) =>
  t >= from && t < from + minutes * MINUTE_MS;

/** What one run of the detector over a synthetic service gave. */
export interface SyntheticRun {
  opened: Incident[];
  resolved: Incident[];
  /** Minute the opening was known: the end of the bucket that opened it. */
  openedAt: number[];
  state: DetectorState;
}

/** Options of {@link runService}. */
export interface RunOptions {
  bucketMinutes: number;
  days: number;
  seed: number;
  timeZone?: string;
  settings?: DetectorSettings;
  service?: string;
  /** Changes an observation before it is fed (a partial bucket, a late count). */
  observe?: (observation: Observation) => Observation;
}

/**
 * Draws `days` of Poisson counts of `rate` into buckets and feeds them to the detector.
 * @example runService((t) => 2 * cycle(t), { bucketMinutes: 1, days: 14, seed: 1 }).opened
 */
export function runService(rate: Rate, options: RunOptions): SyntheticRun {
  const width = options.bucketMinutes * MINUTE_MS;
  const u = uniform(options.seed);
  const context = {
    service: options.service ?? "synthetic",
    timeZone: options.timeZone ?? "UTC",
    bucketMinutes: options.bucketMinutes,
    settings: options.settings ?? DEFAULT_SETTINGS,
  };
  let state = initialDetectorState();
  const opened: Incident[] = [];
  const resolved: Incident[] = [];
  const openedAt: number[] = [];
  for (let t = EPOCH; t < EPOCH + options.days * DAY_MS; t += width) {
    let mean = 0;
    for (let m = 0; m < options.bucketMinutes; m++) mean += rate(t + m * MINUTE_MS);
    const drawn: Observation = { bucketStart: t, count: poisson(mean, u) };
    const step = stepDetector(state, options.observe?.(drawn) ?? drawn, context);
    state = step.state;
    for (const event of step.events) {
      if (event.type === "opened") {
        opened.push(event.incident);
        openedAt.push(event.at + width);
      }
      if (event.type === "resolved") resolved.push(event.incident);
    }
  }
  return { opened, resolved, openedAt, state };
}
