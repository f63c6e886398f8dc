/**
 * Detection delay: buckets from a surge's onset to the incident opening, on the seed
 * story and on synthetic surges of several shapes (step, fast ramp, exponential rise,
 * slow ramp, short burst) at several levels and bucket widths, each after three weeks of
 * Poisson noise around a daily cycle. Prints the distribution; the target (issue 3) is a
 * median of at most 2 buckets.
 *
 * Usage: npx tsx bench/detection-delay.ts
 */

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runBacktest } from "../backtest/backtest";
import { MINUTE_MS, parseIso } from "../lambdas/domain/buckets";
import { DetectorSettingsSchema } from "../lambdas/domain/config";
import { parseCountsCsv } from "../lambdas/domain/counts-csv";
import { initialDetectorState, stepDetector } from "../lambdas/domain/detector";
import { poisson, uniform } from "../test/support/random-counts";

const DAY = 24 * 60 * MINUTE_MS;
const SETTINGS = DetectorSettingsSchema.parse({});
/** The target of issue 3, in buckets. */
export const DELAY_TARGET_BUCKETS = 2;

/** Extra mean reports per bucket, `k` buckets after the onset, for a surge `size` high. */
type Shape = (k: number, size: number) => number;

export const SHAPES: Record<string, Shape> = {
  step: (k, size) => (k < 24 ? size : 0),
  "ramp 30 min": (k, size) => (k < 30 ? size * Math.min(1, (k + 1) / 6) : 0),
  exponential: (k, size) => (k < 30 ? Math.min(size, (size / 64) * 2 ** k) : 0),
  "slow ramp 2 h": (k, size) => (k < 40 ? size * Math.min(1, (k + 1) / 24) : 0),
  burst: (k, size) => (k === 0 ? 3 * size : k < 3 ? size / 2 : 0),
};

/** One synthetic case's outcome: the delay in buckets, or null when nothing opened. */
export interface DelayCase {
  shape: string;
  level: number;
  bucketMinutes: number;
  delay: number | null;
}

/** Runs one case: three weeks of noise, then the surge at a seeded time of day. */
export function delayOf(shape: string, level: number, bucketMinutes: number, seed: number) {
  const u = uniform(seed);
  const width = bucketMinutes * MINUTE_MS;
  const perBucket = (level * bucketMinutes) / 5;
  // A surge worth calling one: 10x the level, and at least 3 x minReports reports a bucket.
  const size = Math.max(10 * perBucket, 3 * SETTINGS.minReports);
  const start = Date.parse("2024-01-01T00:00:00Z");
  const onset = start + 21 * DAY + Math.floor(u() * (DAY / width)) * width;
  const context = { service: "s", timeZone: "America/New_York", bucketMinutes, settings: SETTINGS };
  const surge = SHAPES[shape] ?? (() => 0);
  let state = initialDetectorState();
  for (let t = start; t < onset + 60 * width; t += width) {
    const cycle = 1 + 0.6 * Math.cos((2 * Math.PI * (t % DAY)) / DAY);
    const extra = t >= onset ? surge((t - onset) / width, size) : 0;
    const step = stepDetector(
      state,
      { bucketStart: t, count: poisson(perBucket * cycle + extra, u) },
      context,
    );
    state = step.state;
    const open = step.events.find((e) => e.type === "opened");
    if (open) {
      if (t >= onset) return Math.round((t - onset) / width);
      // Opened before the onset: a false alert in the history; counted as missed.
      return null;
    }
  }
  return null;
}

/** Every synthetic case: 5 shapes x 4 levels x 4 bucket widths x 3 seeds. */
export function syntheticDelays(): DelayCase[] {
  const cases: DelayCase[] = [];
  for (const shape of Object.keys(SHAPES)) {
    for (const level of [0.5, 10, 200, 5000]) {
      for (const bucketMinutes of [1, 5, 10, 15]) {
        for (const seed of [1, 2, 3]) {
          cases.push({
            shape,
            level,
            bucketMinutes,
            delay: delayOf(shape, level, bucketMinutes, seed),
          });
        }
      }
    }
  }
  return cases;
}

/**
 * The seed story: onset is the first bucket after 01:30 UTC on 14 February at more than
 * twice the median of the hour before it (read from the data, not from the detector).
 */
export function seedDelays(
  csvPath: string,
): { service: string; onset: string; opened: string; delay: number }[] {
  const series = parseCountsCsv(readFileSync(csvPath, "utf8"), csvPath);
  const result = runBacktest(series, { timeZone: "America/New_York", settings: SETTINGS });
  const from = parseIso("2023-02-14T01:30:00Z");
  const out = [];
  for (const s of series) {
    const width = s.bucketMinutes * MINUTE_MS;
    let onset = -1;
    for (let i = 12; i < s.times.length; i++) {
      if ((s.times[i] ?? 0) < from) continue;
      const hour = s.counts.slice(i - 12, i).sort((a, b) => a - b);
      if ((s.counts[i] ?? 0) > 2 * (hour[6] ?? 0)) {
        onset = s.times[i] ?? -1;
        break;
      }
    }
    const incident = result.incidents.find((i) => i.service === s.service);
    if (!incident || onset < 0) continue;
    const id = [...result.openedAt.keys()].find((key) => key.startsWith(`${s.service}-`));
    const opened = id ? (result.openedAt.get(id) ?? 0) : 0;
    out.push({
      service: s.service,
      onset: new Date(onset).toISOString(),
      opened: new Date(opened).toISOString(),
      delay: (opened - onset) / width,
    });
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The distribution as printed lines. */
export function formatDelays(cases: DelayCase[], seed: ReturnType<typeof seedDelays>): string[] {
  const lines = ["detection delay (buckets from onset to open)"];
  for (const s of seed) {
    lines.push(`  seed ${s.service.padEnd(9)} onset ${s.onset} opened ${s.opened}: ${s.delay}`);
  }
  const describe = (label: string, group: DelayCase[]) => {
    const found = group.flatMap((c) => (c.delay === null ? [] : [c.delay]));
    const histogram = new Map<number, number>();
    for (const d of found) histogram.set(d, (histogram.get(d) ?? 0) + 1);
    const bars = [...histogram].sort((a, b) => a[0] - b[0]).map(([d, n]) => `${d}:${n}`);
    return `  ${label.padEnd(16)} median ${found.length ? median(found) : "-"}  missed ${group.length - found.length}/${group.length}  [${bars.join(" ")}]`;
  };
  for (const shape of Object.keys(SHAPES)) {
    lines.push(
      describe(
        shape,
        cases.filter((c) => c.shape === shape),
      ),
    );
  }
  lines.push(describe("all synthetic", cases));
  const all = [
    ...cases.flatMap((c) => (c.delay === null ? [] : [c.delay])),
    ...seed.map((s) => s.delay),
  ];
  const verdict = median(all) <= DELAY_TARGET_BUCKETS ? "ok" : "OVER";
  lines.push(
    `  median over all ${median(all)} buckets (target <= ${DELAY_TARGET_BUCKETS}: ${verdict})`,
  );
  return lines;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const seedCsv = join(
    import.meta.dirname,
    "../../shared/datasets/scenarios/tmobile-2023-02-13.csv",
  );
  for (const line of formatDelays(syntheticDelays(), seedDelays(seedCsv))) console.log(line);
}
