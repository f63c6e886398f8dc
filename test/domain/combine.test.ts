import { describe, expect, it } from "vitest";
import { combinedCount, sourceWeights } from "../../lambdas/domain/combine";
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
