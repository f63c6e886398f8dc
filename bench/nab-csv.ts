/**
 * NAB's data files: header `timestamp,value`, `timestamp` a wall-clock
 * "YYYY-MM-DD HH:MM:SS" (read as UTC here), `value` a number that may be a float. The
 * detector counts reports, so each value is rounded to a whole count of at least 0; the
 * original text is kept so results can be written back exactly as read.
 */
import { MINUTE_MS } from "../lambdas/domain/buckets";

/** One NAB series, rows in file order. */
export interface NabSeries {
  /** Timestamps exactly as written in the file. */
  timestamps: string[];
  /** Epoch milliseconds of each timestamp, read as UTC. */
  times: number[];
  /** Values exactly as written in the file. */
  values: string[];
  /** Values as report counts: rounded, at least 0; null where the value is not a number. */
  counts: (number | null)[];
  /** Bucket width in minutes: the most common spacing between rows (at least 1). */
  bucketMinutes: number;
}

/** A NAB file that cannot be read; names the line. */
export class NabCsvError extends Error {
  constructor(origin: string, line: number, problem: string) {
    super(`${origin}:${line}: ${problem}`);
    this.name = "NabCsvError";
  }
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses one NAB data file.
 * @example readNabCsv("timestamp,value\n2015-02-26 21:42:53,104\n").counts // [104]
 */
export function readNabCsv(text: string, origin = "input"): NabSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").replace(/^\uFEFF/, "").trim();
  if (header !== "timestamp,value") {
    throw new NabCsvError(origin, 1, `header must be 'timestamp,value', found '${header}'`);
  }
  const series: NabSeries = { timestamps: [], times: [], values: [], counts: [], bucketMinutes: 1 };
  for (let index = 1; index < lines.length; index++) {
    const raw = lines[index]?.trim() ?? "";
    if (raw === "") continue;
    const comma = raw.indexOf(",");
    const stamp = comma < 0 ? raw : raw.slice(0, comma);
    const value = comma < 0 ? "" : raw.slice(comma + 1);
    const m = TIMESTAMP.exec(stamp);
    if (!m)
      throw new NabCsvError(origin, index + 1, `timestamp '${stamp}' is not YYYY-MM-DD HH:MM:SS`);
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as number[];
    const time = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
    const number = Number(value);
    series.timestamps.push(stamp);
    series.times.push(time);
    series.values.push(value);
    series.counts.push(
      value === "" || !Number.isFinite(number) ? null : Math.max(0, Math.round(number)),
    );
  }
  series.bucketMinutes = commonSpacingMinutes(series.times);
  return series;
}

/** The most common positive spacing between consecutive times, in whole minutes (≥ 1). */
function commonSpacingMinutes(times: readonly number[]): number {
  const tally = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const minutes = Math.round(((times[i] ?? 0) - (times[i - 1] ?? 0)) / MINUTE_MS);
    if (minutes > 0) tally.set(minutes, (tally.get(minutes) ?? 0) + 1);
  }
  let best = 1;
  let bestCount = 0;
  for (const [minutes, count] of tally) {
    if (count > bestCount || (count === bestCount && minutes < best)) {
      best = minutes;
      bestCount = count;
    }
  }
  return best;
}
