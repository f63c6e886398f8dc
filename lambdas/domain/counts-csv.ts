/**
 * The CSV of counts that the replay source and the backtest read:
 * header `timestamp,service,count`, `timestamp` the bucket start in ISO-8601 UTC, a
 * missing row a gap. Every problem names its line, and nothing is returned from a file
 * with a problem in it.
 */
import { MINUTE_MS, parseIso } from "./buckets";
import { OutcryError } from "./outcry-error";

/** The counts of one service, sorted by time. */
export interface ServiceCounts {
  service: string;
  bucketMinutes: number;
  /** Bucket starts (epoch ms), ascending. */
  times: number[];
  /** Counts, parallel to `times`. */
  counts: number[];
}

/** A CSV that cannot be used; `line` is 1-based (the header is line 1). */
export class CountsCsvError extends OutcryError {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly origin: string,
  ) {
    super(`${origin}:${line}: ${problem}`);
    this.name = "CountsCsvError";
  }
}

const EXPECTED_HEADER = "timestamp,service,count";

/**
 * Parses and validates a counts CSV. Unsorted rows are sorted; a wrong header, a
 * timestamp that is not ISO-8601, a negative or non-integer count, a duplicate row or
 * mixed bucket widths within one service are errors.
 *
 * @param text - the whole file
 * @param origin - the file name, for messages
 * @returns one entry per service, in order of first appearance
 * @throws CountsCsvError naming the line and the problem
 * @example
 * const [tmobile] = parseCountsCsv("timestamp,service,count\n2023-02-14T03:20:00Z,t-mobile,83412\n");
 */
export function parseCountsCsv(text: string, origin = "input"): ServiceCounts[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").replace(/^\uFEFF/, "").trim();
  if (header !== EXPECTED_HEADER) {
    throw new CountsCsvError(
      1,
      `header must be '${EXPECTED_HEADER}', found '${header.slice(0, 80)}'`,
      origin,
    );
  }
  const rows = new Map<string, { time: number; count: number; line: number }[]>();
  for (let index = 1; index < lines.length; index++) {
    const raw = lines[index]?.trim() ?? "";
    if (raw === "") continue;
    const line = index + 1;
    const fields = raw.split(",");
    if (fields.length !== 3) {
      throw new CountsCsvError(
        line,
        `expected 3 fields (timestamp,service,count), found ${fields.length}`,
        origin,
      );
    }
    const [timestamp = "", service = "", countText = ""] = fields.map((f) => f.trim());
    const time = parseIso(timestamp);
    if (Number.isNaN(time)) {
      throw new CountsCsvError(
        line,
        `timestamp '${timestamp}' is not ISO-8601 (e.g. 2023-02-14T03:20:00Z)`,
        origin,
      );
    }
    if (!/^[a-z0-9][a-z0-9-]*$/.test(service)) {
      throw new CountsCsvError(
        line,
        `service '${service}' must be lower-case letters, digits and hyphens`,
        origin,
      );
    }
    if (!/^\d+$/.test(countText)) {
      throw new CountsCsvError(
        line,
        `count '${countText}' must be a non-negative whole number`,
        origin,
      );
    }
    const count = Number(countText);
    if (!Number.isSafeInteger(count)) {
      throw new CountsCsvError(line, `count '${countText}' is too large`, origin);
    }
    let list = rows.get(service);
    if (!list) {
      list = [];
      rows.set(service, list);
    }
    list.push({ time, count, line });
  }
  return [...rows.entries()].map(([service, list]) => toSeries(service, list, origin));
}

function toSeries(
  service: string,
  list: { time: number; count: number; line: number }[],
  origin: string,
): ServiceCounts {
  list.sort((a, b) => a.time - b.time || a.line - b.line);
  // The width is the most common spacing; gaps are whole multiples of it, anything else
  // means the rows mix widths.
  const spacings = new Map<number, number>();
  for (let i = 1; i < list.length; i++) {
    const previous = list[i - 1];
    const current = list[i];
    if (!previous || !current) continue;
    const step = current.time - previous.time;
    if (step === 0) {
      throw new CountsCsvError(
        current.line,
        `duplicate row: ${service} at this timestamp already appears on line ${previous.line}`,
        origin,
      );
    }
    spacings.set(step, (spacings.get(step) ?? 0) + 1);
  }
  // A lone row has no spacing: the default 5 minutes when it sits on that grid, else 1.
  const lone = list.length === 1 && (list[0]?.time ?? 0) % (5 * MINUTE_MS) !== 0;
  let width = (lone ? 1 : 5) * MINUTE_MS;
  let best = 0;
  for (const [step, seen] of spacings) {
    if (seen > best || (seen === best && step < width)) {
      width = step;
      best = seen;
    }
  }
  const bucketMinutes = width / MINUTE_MS;
  if (![1, 5, 10, 15].includes(bucketMinutes)) {
    throw new CountsCsvError(
      list[1]?.line ?? 2,
      `${service} rows are ${bucketMinutes} minutes apart; use buckets of 1, 5, 10 or 15 minutes`,
      origin,
    );
  }
  for (let i = 0; i < list.length; i++) {
    const row = list[i];
    const previous = list[i - 1];
    if (!row) continue;
    if (row.time % width !== 0 || (previous && (row.time - previous.time) % width !== 0)) {
      throw new CountsCsvError(
        row.line,
        `mixed bucket widths for ${service}: this row is not on the ${bucketMinutes}-minute grid of the others`,
        origin,
      );
    }
  }
  return {
    service,
    bucketMinutes,
    times: list.map((row) => row.time),
    counts: list.map((row) => row.count),
  };
}
