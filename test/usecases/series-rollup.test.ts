/** The point width a series range is answered at, and what a rolled-up point holds. */
import { describe, expect, it } from "vitest";
import { toIso } from "../../lambdas/domain/buckets";
import { parseConfig, type Service } from "../../lambdas/domain/config";
import { initialDetectorState } from "../../lambdas/domain/detector";
import type { SeriesPoint } from "../../lambdas/domain/ports";
import {
  MAX_SERIES_POINTS,
  type QueryDependencies,
  seriesBucketMinutes,
  serviceSeries,
} from "../../lambdas/usecases/query-status";

const MINUTE = 60_000;
const HOUR = 3_600_000;

describe("seriesBucketMinutes", () => {
  it.each([
    [1, 24 * HOUR, 1],
    [5, 24 * HOUR, 5],
    [1, 7 * 24 * HOUR, 10],
    [5, 7 * 24 * HOUR, 10],
    [15, 7 * 24 * HOUR, 15],
    [10, 14 * 24 * HOUR, 30],
  ])("stored %i-minute buckets over %i ms are answered at %i minutes", (stored, range, want) => {
    // Act
    const minutes = seriesBucketMinutes(stored, range);

    // Assess
    expect(minutes).toBe(want);
    expect(minutes % stored).toBe(0);
    expect(range / (minutes * 60_000) + 1).toBeLessThanOrEqual(MAX_SERIES_POINTS);
  });
});

describe("serviceSeries rolled up", () => {
  it("compares each point with the band of the buckets it counted, not of its gaps", async () => {
    // Arrange: 5-minute buckets, every one counted 10 except one gap; 10-minute points.
    const config = parseConfig({
      bucketMinutes: 5,
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
    });
    const service = config.services[0] as Service;
    const from = Date.parse("2024-03-01T00:00:00Z");
    const to = from + 7 * 24 * HOUR - 5 * MINUTE;
    const gap = from + 20 * MINUTE;
    const stored: SeriesPoint[] = [];
    for (let t = from; t <= to; t += 5 * MINUTE) {
      if (t !== gap) stored.push({ bucketStart: t, counts: { reports: 10 } });
    }
    const deps = {
      config,
      series: { range: async () => stored },
      // No samples yet: the expected count is 1 for every bucket.
      states: { load: async () => ({ state: initialDetectorState(), revision: 1 }) },
    } as unknown as QueryDependencies;

    // Act
    const series = await serviceSeries(deps, service, from, to);

    // Assess
    expect(series.bucketMinutes).toBe(10);
    const at = (ms: number) => series.points.find((p) => p.at === toIso(ms));
    expect(at(from)).toMatchObject({ count: 20, baseline: 2 });
    expect(at(gap)).toMatchObject({ count: 10, baseline: 1 });
    expect(series.points.at(-1)).toMatchObject({ count: 20, baseline: 2 });
  });
});
