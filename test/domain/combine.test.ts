import { describe, expect, it } from "vitest";
import {
  combinedBucket,
  combinedCount,
  failedSources,
  sourceWeights,
} from "../../lambdas/domain/combine";
import { parseConfig } from "../../lambdas/domain/config";

const BUCKET = Date.parse("2023-02-14T03:20:00Z");

describe("combinedCount", () => {
  it("adds the sources that have data, each times its weight", () => {
    // Prepare
    const point = { bucketStart: BUCKET, counts: { reports: 40, rss: 10 } };

    // Act
    const count = combinedCount(point, { reports: 1, rss: 0.5 });

    // Assess
    expect(count).toBe(45);
  });

  it("uses the sources present when others have no data for the bucket", () => {
    // Prepare: the status page has nothing for this bucket
    const point = { bucketStart: BUCKET, counts: { reports: 40 } };

    // Act
    const count = combinedCount(point, { reports: 2, status: 100 });

    // Assess
    expect(count).toBe(80);
  });

  it("rounds a weighted total to a whole count", () => {
    // Act + Assess
    expect(combinedCount({ bucketStart: BUCKET, counts: { rss: 3 } }, { rss: 0.5 })).toBe(2);
    expect(combinedCount({ bucketStart: BUCKET, counts: { rss: 3 } }, { rss: 0.3 })).toBe(1);
  });

  it("keeps a counted zero as zero", () => {
    // Act + Assess
    expect(combinedCount({ bucketStart: BUCKET, counts: { reports: 0 } }, { reports: 1 })).toBe(0);
  });

  it("is null (a gap) when no configured source has data", () => {
    // Prepare: only a source that is no longer configured wrote to this bucket
    const stale = { bucketStart: BUCKET, counts: { removed: 500 } };

    // Act + Assess
    expect(combinedCount(undefined, { reports: 1 })).toBeNull();
    expect(combinedCount({ bucketStart: BUCKET, counts: {} }, { reports: 1 })).toBeNull();
    expect(combinedCount(stale, { reports: 1 })).toBeNull();
  });

  it("neither counts nor fills a gap with a source of weight 0 (a signal)", () => {
    // Prepare
    const weights = { reports: 1, statuspage: 0 };

    // Act
    const signalOnly = combinedCount({ bucketStart: 0, counts: { statuspage: 3 } }, weights);
    const both = combinedCount({ bucketStart: 0, counts: { statuspage: 3, reports: 12 } }, weights);

    // Assess
    expect(signalOnly).toBeNull();
    expect(both).toBe(12);
  });
});

describe("combinedBucket", () => {
  const weights = { reports: 1, rss: 0.5, status: 0 };

  it("is partial when a weighted source failed for the bucket and has no count in it", () => {
    // Prepare: the feed failed; crowd reports counted 40
    const point = { bucketStart: BUCKET, counts: { reports: 40 }, failed: ["rss"] };

    // Act + Assess: the total of the others, flagged
    expect(combinedBucket(point, weights)).toEqual({ count: 40, partial: true });
    expect(failedSources(point, weights)).toEqual(["rss"]);
  });

  it("is whole when every source counted, a source read nothing, or only a weight-0 source failed", () => {
    // Prepare
    const counted = { bucketStart: BUCKET, counts: { reports: 40, rss: 10 } };
    const nothing = { bucketStart: BUCKET, counts: { reports: 0, rss: 0 } };
    const signalFailed = { bucketStart: BUCKET, counts: { reports: 40 }, failed: ["status"] };
    const gone = { bucketStart: BUCKET, counts: { reports: 40 }, failed: ["removed"] };

    // Act + Assess
    expect(combinedBucket(counted, weights)).toEqual({ count: 45, partial: false });
    expect(combinedBucket(nothing, weights)).toEqual({ count: 0, partial: false });
    expect(combinedBucket(signalFailed, weights)).toEqual({ count: 40, partial: false });
    expect(combinedBucket(gone, weights)).toEqual({ count: 40, partial: false });
  });

  it("is whole when the failed source has a count in the bucket after all", () => {
    // Prepare: a mark and a count of the same source (a count written since)
    const point = { bucketStart: BUCKET, counts: { reports: 40, rss: 10 }, failed: ["rss"] };

    // Act + Assess
    expect(combinedBucket(point, weights)).toEqual({ count: 45, partial: false });
    expect(failedSources(point, weights)).toEqual([]);
  });

  it("is a gap, not partial, when every weighted source failed", () => {
    // Prepare: only the weight-0 signal has a count
    const point = { bucketStart: BUCKET, counts: { status: 1 }, failed: ["reports", "rss"] };

    // Act + Assess
    expect(combinedBucket(point, weights)).toEqual({ count: null, partial: false });
    expect(combinedBucket(undefined, weights)).toEqual({ count: null, partial: false });
    expect(combinedCount(point, weights)).toBeNull();
  });
});

describe("sourceWeights", () => {
  it("lists crowd reports and every configured source with its weight", () => {
    // Prepare
    const config = parseConfig({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          reports: { weight: 2 },
          sources: [{ kind: "replay", id: "history", file: "a.csv", weight: 0.5 }],
        },
      ],
    });

    // Act
    const weights = config.services[0] ? sourceWeights(config.services[0]) : {};

    // Assess
    expect(weights).toEqual({ reports: 2, history: 0.5 });
  });

  it("leaves out crowd reports when they are disabled", () => {
    // Prepare
    const config = parseConfig({
      services: [
        {
          id: "att",
          name: "AT&T",
          category: "carrier",
          reports: { enabled: false },
          sources: [{ kind: "replay", file: "a.csv" }],
        },
      ],
    });

    // Act
    const weights = config.services[0] ? sourceWeights(config.services[0]) : {};

    // Assess
    expect(weights).toEqual({ replay: 1 });
    expect(
      combinedCount({ bucketStart: BUCKET, counts: { reports: 900, replay: 7 } }, weights),
    ).toBe(7);
  });
});
