/**
 * The `replay` source: counts read from a CSV of `timestamp,service,count`, for demos,
 * tests and trying outcry without live sources.
 */
import { readFile } from "node:fs/promises";
import { MINUTE_MS } from "../../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import { parseCountsCsv, type ServiceCounts } from "../../domain/counts-csv";
import { apportion, type SplitWeights } from "./split";

/** Settings of a replay source (see the config schema). */
export interface ReplaySettings {
  id: string;
  weight: number;
  file: string;
  /** The CSV's service value to read. */
  column: string;
  align: "exact" | "loop";
  /** Relative weights each count is divided by (see `split.ts`), for demos. */
  split?: { problems?: SplitWeights | undefined; regions?: SplitWeights | undefined } | undefined;
}

const parsed = new Map<string, Promise<ServiceCounts[]>>();

/** Reads and parses a CSV once per process, however many services replay it. */
function loadCsv(file: string): Promise<ServiceCounts[]> {
  let entry = parsed.get(file);
  if (!entry) {
    entry = readFile(file, "utf8").then((text) => parseCountsCsv(text, file));
    entry.catch(() => parsed.delete(file));
    parsed.set(file, entry);
  }
  return entry;
}

/** A {@link CountSource} replaying one service's column of a counts CSV. */
export class ReplaySource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private index: Promise<{ byTime: Map<number, number>; first: number; span: number }> | undefined;

  constructor(private readonly settings: ReplaySettings) {
    this.id = settings.id;
    this.weight = settings.weight;
  }

  private load() {
    if (this.index) return this.index;
    const index = loadCsv(this.settings.file).then((all) => {
      const series = all.find((s) => s.service === this.settings.column);
      if (!series) {
        throw new Error(
          `${this.settings.file} has no rows for '${this.settings.column}'; set the source's 'column'`,
        );
      }
      const byTime = new Map<number, number>();
      series.times.forEach((time, i) => {
        byTime.set(time, series.counts[i] ?? 0);
      });
      const first = series.times[0] ?? 0;
      const last = series.times[series.times.length - 1] ?? first;
      return { byTime, first, span: last - first + series.bucketMinutes * MINUTE_MS };
    });
    // A failed read is tried again on the next tick rather than remembered.
    index.catch(() => {
      if (this.index === index) this.index = undefined;
    });
    this.index = index;
    return index;
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { byTime, first, span } = await this.load();
    const counts = request.buckets.map((bucket) =>
      this.countAt(byTime, first, span, bucket, request.bucketMinutes),
    );
    const { problems, regions } = this.settings.split ?? {};
    return {
      counts,
      ...(problems
        ? {
            breakdowns: counts.map((count) => (count === null ? null : apportion(count, problems))),
          }
        : {}),
      ...(regions
        ? { regions: counts.map((count) => (count === null ? null : apportion(count, regions))) }
        : {}),
    };
  }

  private countAt(
    byTime: Map<number, number>,
    first: number,
    span: number,
    bucketStart: number,
    bucketMinutes: number,
  ): number | null {
    const width = bucketMinutes * MINUTE_MS;
    let time = bucketStart;
    if (this.settings.align === "loop") {
      // Tile the CSV onto real time: whole weeks keep weekdays and times of day aligned.
      const week = 7 * 24 * 60 * MINUTE_MS;
      const tile = Math.max(week, Math.ceil(span / week) * week);
      time = first + ((((bucketStart - first) % tile) + tile) % tile);
    }
    // A CSV finer than the bucket sums its rows; a row missing entirely is a gap.
    let total = 0;
    let seen = false;
    for (let t = time; t < time + width; t += MINUTE_MS) {
      const value = byTime.get(t);
      if (value !== undefined) {
        total += value;
        seen = true;
      }
    }
    return seen ? total : null;
  }
}
