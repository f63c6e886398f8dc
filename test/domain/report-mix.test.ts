import { describe, expect, it } from "vitest";
import { REGION_MIN_REPORTS } from "../../contract/regions";
import {
  dominantProblem,
  mixOf,
  type ReportMix,
  shownMix,
  whereFrom,
} from "../../lambdas/domain/report-mix";

const mix = (regions: Record<string, number>, otherRegions = 0): ReportMix => ({
  area: "us",
  problems: {},
  regions,
  otherRegions,
});

describe("mixOf", () => {
  it("sums kinds and regions over points and sources", () => {
    // Act
    const raw = mixOf([
      { breakdowns: { reports: { calls: 2 }, mastodon: { calls: 1, texts: 4 } } },
      { breakdowns: { reports: { calls: 3 } }, regions: { reports: { "US-TX": 2 } } },
      { regions: { reports: { "US-TX": 1, "US-WY": 1 }, replay: { "US-TX": 5 } } },
      {},
    ]);

    // Assess
    expect(raw).toEqual({
      problems: { calls: 6, texts: 4 },
      regions: { "US-TX": 8, "US-WY": 1 },
    });
  });

  it("ignores counts that are not positive numbers", () => {
    // Act
    const raw = mixOf([{ breakdowns: { reports: { calls: 0, texts: -2, sms: Number.NaN } } }]);

    // Assess
    expect(raw.problems).toEqual({});
  });
});

describe("shownMix: the k-anonymity rule", () => {
  it("names a region with 5 reports and only sums one with 4", () => {
    // Act
    const shown = shownMix("us", {
      problems: { calls: 9 },
      regions: { "US-MT": REGION_MIN_REPORTS, "US-WY": REGION_MIN_REPORTS - 1, "US-ID": 1 },
    });

    // Assess
    expect(shown).toEqual({
      area: "us",
      problems: { calls: 9 },
      regions: { "US-MT": 5 },
      otherRegions: 5,
    });
  });
});

describe("dominantProblem", () => {
  it("finds the kind most reports were of, with its share", () => {
    expect(dominantProblem({ "no-signal": 62, calls: 38 })).toEqual({
      kind: "no-signal",
      share: 0.62,
    });
  });

  it("finds none below half, or with too few reports to tell", () => {
    expect(dominantProblem({ "no-signal": 49, calls: 51 - 10, texts: 10 })).toBeNull();
    expect(dominantProblem({ calls: 19 })).toBeNull();
    expect(dominantProblem({})).toBeNull();
  });

  it("breaks a tie by name, the same every time", () => {
    expect(dominantProblem({ texts: 50, calls: 50 })?.kind).toBe("calls");
  });
});

describe("whereFrom", () => {
  it("names the fewest regions holding two thirds of the placed reports", () => {
    expect(whereFrom(mix({ "US-TX": 70, "US-FL": 20, "US-CA": 10 }))).toEqual({
      kind: "concentrated",
      regions: ["US-TX"],
    });
    expect(whereFrom(mix({ "US-TX": 31, "US-FL": 22, "US-CA": 17, "US-GA": 30 }))).toEqual({
      kind: "concentrated",
      regions: ["US-TX", "US-GA", "US-FL"],
    });
  });

  it("counts the hidden regions as placed, so they can make the rest less concentrated", () => {
    expect(whereFrom(mix({ "US-TX": 20, "US-FL": 10, "US-CA": 10 }, 30))).toBeNull();
  });

  it("says spread when no three regions hold two thirds and many regions are shown", () => {
    const even = Object.fromEntries(
      ["US-TX", "US-FL", "US-CA", "US-NY", "US-PA", "US-IL", "US-OH", "US-GA"].map((c) => [c, 10]),
    );
    expect(whereFrom(mix(even))).toEqual({ kind: "spread" });
    const fewer = Object.fromEntries(Object.entries(even).slice(0, 7));
    expect(whereFrom(mix(fewer))).toBeNull();
  });

  it("says nothing with fewer than 30 placed reports", () => {
    expect(whereFrom(mix({ "US-TX": 29 }))).toBeNull();
    expect(whereFrom(mix({ "US-TX": 25 }, 5))?.kind).toBe("concentrated");
  });
});
