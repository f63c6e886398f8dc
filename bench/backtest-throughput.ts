/**
 * Backtest throughput: two weeks of 5-minute counts for 1,000 services (about 4 million
 * bucket-rows) replayed through `runBacktest`, the same detector and summarizer as the
 * detect Lambda, timed on one core (the process runs single-threaded). The counts are
 * made in memory first (Poisson-like noise around a daily cycle, one surge in every
 * tenth service), so CSV parsing is not timed.
 *
 * Usage: npx tsx bench/backtest-throughput.ts [services] [days]
 */
import { resolve } from "node:path";
import { runBacktest } from "../backtest/backtest";
import { MINUTE_MS } from "../lambdas/domain/buckets";
import { DetectorSettingsSchema } from "../lambdas/domain/config";
import type { ServiceCounts } from "../lambdas/domain/counts-csv";

/** The target of issue 3. */
export const THROUGHPUT_TARGET_ROWS_PER_S = 1_000_000;

/** What one measurement found. */
export interface ThroughputResult {
  services: number;
  rows: number;
  incidents: number;
  seconds: number;
  rowsPerSecond: number;
}

/** A deterministic series: a daily cycle with noise, and a surge when `surge` is set. */
export function syntheticSeries(
  service: string,
  start: number,
  days: number,
  level: number,
  surge: boolean,
): ServiceCounts {
  let seed = 0;
  for (const char of service) seed = (seed * 31 + char.charCodeAt(0)) >>> 0;
  const random = () => {
    seed = (seed * 1_664_525 + 1_013_904_223) >>> 0;
    return seed / 2 ** 32;
  };
  const times: number[] = [];
  const counts: number[] = [];
  const buckets = (days * 24 * 60) / 5;
  const surgeAt = Math.floor(buckets * 0.8);
  for (let i = 0; i < buckets; i++) {
    const t = start + i * 5 * MINUTE_MS;
    const hour = ((t / 3_600_000) % 24) / 24;
    const mean = level * (1 + 0.6 * Math.sin(2 * Math.PI * (hour - 0.3)));
    // Normal approximation of Poisson noise: sum of uniforms, scaled by sqrt(mean).
    const noise = (random() + random() + random() - 1.5) * 2 * Math.sqrt(mean);
    let count = Math.max(0, Math.round(mean + noise));
    if (surge && i >= surgeAt && i < surgeAt + 24) count += Math.round(level * 20);
    times.push(t);
    counts.push(count);
  }
  return { service, bucketMinutes: 5, times, counts };
}

/**
 * Runs the measurement.
 * @example measureBacktestThroughput(1000, 14).rowsPerSecond // e.g. 1.5e6
 */
export function measureBacktestThroughput(services = 1000, days = 14): ThroughputResult {
  const start = Date.parse("2023-02-01T00:00:00Z");
  const series = Array.from({ length: services }, (_, i) =>
    syntheticSeries(`service-${i}`, start, days, 5 + (i % 50) * 20, i % 10 === 0),
  );
  const settings = DetectorSettingsSchema.parse({});
  const begun = performance.now();
  const result = runBacktest(series, { timeZone: "America/New_York", settings });
  const seconds = (performance.now() - begun) / 1000;
  return {
    services,
    rows: result.buckets,
    incidents: result.incidents.length,
    seconds,
    rowsPerSecond: result.buckets / seconds,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [services, days] = process.argv.slice(2).map(Number);
  const r = measureBacktestThroughput(services || 1000, days || 14);
  const verdict = r.rowsPerSecond >= THROUGHPUT_TARGET_ROWS_PER_S ? "ok" : "UNDER TARGET";
  console.log(
    `backtest: ${r.services} services, ${r.rows.toLocaleString("en-US")} bucket-rows, ` +
      `${r.incidents} incidents in ${r.seconds.toFixed(2)} s = ` +
      `${Math.round(r.rowsPerSecond).toLocaleString("en-US")} rows/s ` +
      `(target ${THROUGHPUT_TARGET_ROWS_PER_S.toLocaleString("en-US")}: ${verdict})`,
  );
}
