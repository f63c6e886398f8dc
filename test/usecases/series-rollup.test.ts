/** The point width a series range is answered at. */
import { describe, expect, it } from "vitest";
import { MAX_SERIES_POINTS, seriesBucketMinutes } from "../../lambdas/usecases/query-status";

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
