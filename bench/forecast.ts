/**
 * The recovery forecast (`lambdas/domain/recovery-forecast.ts`) replayed bucket by bucket
 * through the detector, as the API would give it at each bucket of a falloff: on the seed
 * and on synthetic falloffs of several shapes. For every forecast made, the error is its
 * distance from when the counts were in fact back under the resolve level for good (the
 * start of the quiet run that resolved the incident), and it is covered when that moment
 * lies inside its interval. Prints the median absolute error and the coverage of each.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expectedCount } from "../lambdas/domain/baseline";
import { MINUTE_MS } from "../lambdas/domain/buckets";
import { DetectorSettingsSchema } from "../lambdas/domain/config";
import { parseCountsCsv } from "../lambdas/domain/counts-csv";
import { elevatedFrom, initialDetectorState, stepDetector } from "../lambdas/domain/detector";
import { type FalloffPoint, recoveryForecast } from "../lambdas/domain/recovery-forecast";
import { poisson, uniform } from "../test/support/random-counts";

const SEED = join(import.meta.dirname, "..", "examples/data/tmobile-2023-02-13.csv");
const SETTINGS = DetectorSettingsSchema.parse({});
/** Interval coverage the 80% interval should reach, at least. */
const COVERAGE_TARGET = 0.6;

/** How the forecasts of one replay fared. */
export interface ForecastFigures {
  name: string;
  forecasts: number;
  /** Median of |forecast - actual|, minutes. */
  medianErrorMinutes: number;
  /** Share of forecasts whose interval held the actual moment. */
  coverage: number;
  /** Minutes from the peak to the first forecast. */
  firstAfterPeakMinutes: number | null;
}

/** Replays `counts` (one per bucket from `start`) and scores each forecast of its incidents. */
export function replayForecasts(
  name: string,
  counts: readonly (number | null)[],
  start: number,
  bucketMinutes: number,
  timeZone: string,
): ForecastFigures {
  const width = bucketMinutes * MINUTE_MS;
  const context = { service: name, timeZone, bucketMinutes, settings: SETTINGS };
  let state = initialDetectorState();
  let since: FalloffPoint[] = [];
  let made: { at: number; earliest: number; latest: number; madeAt: number; peakAt: number }[] = [];
  const errors: number[] = [];
  let covered = 0;
  let firstAfterPeak: number | null = null;
  counts.forEach((count, i) => {
    const bucketStart = start + i * width;
    const before = state;
    const step = stepDetector(state, { bucketStart, count }, context);
    state = step.state;
    const incident = state.incident;
    if (incident && count !== null) {
      const expected = expectedCount(state.baseline, bucketStart, context);
      const resolveLevel = elevatedFrom(expected, SETTINGS);
      since = [
        ...since.filter((p) => p.at >= incident.peak.at),
        { at: bucketStart, count, expected, resolveLevel },
      ];
      const forecast = recoveryForecast(incident.peak, since);
      if (forecast) {
        made.push({ ...forecast, madeAt: bucketStart, peakAt: incident.peak.at });
        firstAfterPeak ??= (bucketStart - incident.peak.at) / MINUTE_MS;
      }
    }
    if (step.events.some((e) => e.type === "resolved")) {
      // Back under for good from the start of the quiet run that resolved it.
      const actual = before.quietSince ?? bucketStart;
      for (const f of made) {
        errors.push(Math.abs(f.at - actual) / MINUTE_MS);
        if (f.earliest <= actual && actual <= f.latest + width) covered++;
      }
      made = [];
      since = [];
    }
  });
  errors.sort((a, b) => a - b);
  return {
    name,
    forecasts: errors.length,
    medianErrorMinutes: errors.length ? (errors[Math.floor(errors.length / 2)] ?? 0) : Number.NaN,
    coverage: errors.length ? covered / errors.length : Number.NaN,
    firstAfterPeakMinutes: firstAfterPeak,
  };
}

/** Eight quiet days of a daily cycle around 100 reports a bucket, then a falloff of `shape`. */
function synthetic(shape: (minutesAfterPeak: number) => number, seed: number) {
  const u = uniform(seed);
  const width = 5;
  const start = Date.parse("2024-03-01T00:00:00Z");
  const days = 8;
  const peakIndex = (days * 24 * 60 + 20 * 60) / width;
  const counts: number[] = [];
  for (let i = 0; i < peakIndex + (12 * 60) / width; i++) {
    const hour = ((i * width) / 60) % 24;
    const base = 100 * (1 + 0.5 * Math.cos((2 * Math.PI * (hour - 19)) / 24));
    const rise = i >= peakIndex - 3 && i < peakIndex ? 5_000 * ((i - peakIndex + 4) / 4) : 0;
    const fall = i >= peakIndex ? shape((i - peakIndex) * width) : 0;
    counts.push(poisson(base + rise + fall, u));
  }
  return { counts, start, width };
}

const SHAPES: [string, (t: number) => number][] = [
  ["exponential (40 min)", (t) => 5_000 * Math.exp(-t / 40)],
  ["linear (3 h)", (t) => Math.max(0, 5_000 * (1 - t / 180))],
  ["long tail (power law)", (t) => 5_000 / (1 + t / 15) ** 1.5],
  [
    "fast, then slow",
    (t) => (t < 30 ? 5_000 * Math.exp(-t / 15) : 5_000 * Math.exp(-2) * Math.exp(-(t - 30) / 90)),
  ],
];

/** Prints the figures; false when a replay's coverage is under the target. */
export function benchForecast(): boolean {
  const figures: ForecastFigures[] = [];
  const seed = parseCountsCsv(readFileSync(SEED, "utf8"), SEED).find(
    (s) => s.service === "t-mobile",
  );
  if (seed) {
    const width = seed.bucketMinutes * MINUTE_MS;
    const first = seed.times[0] ?? 0;
    const last = seed.times.at(-1) ?? first;
    const counts: (number | null)[] = Array.from(
      { length: (last - first) / width + 1 },
      () => null,
    );
    seed.times.forEach((t, i) => {
      counts[(t - first) / width] = seed.counts[i] ?? null;
    });
    figures.push(
      replayForecasts("seed: T-Mobile", counts, first, seed.bucketMinutes, "America/New_York"),
    );
  }
  SHAPES.forEach(([name, shape], i) => {
    const { counts, start, width } = synthetic(shape, 11 + i);
    figures.push(replayForecasts(name, counts, start, width, "UTC"));
  });
  console.log(
    "\nRecovery forecast (replayed through the detector; error against the start of the quiet run that resolved the incident; 80% interval)",
  );
  console.log("  falloff                  forecasts  first after peak  median |error|  coverage");
  let ok = true;
  for (const f of figures) {
    const low = !(f.coverage >= COVERAGE_TARGET);
    if (low) ok = false;
    console.log(
      `  ${f.name.padEnd(23)}  ${String(f.forecasts).padStart(9)}  ${f.firstAfterPeakMinutes === null ? "-" : `${f.firstAfterPeakMinutes} min`.padStart(16)}  ${`${f.medianErrorMinutes.toFixed(0)} min`.padStart(14)}  ${`${(f.coverage * 100).toFixed(0)}%`.padStart(8)}${low ? ` (target ≥ ${COVERAGE_TARGET * 100}%) OVER` : ""}`,
    );
  }
  return ok;
}
