/**
 * The "what" bar's shares and the map's model, without a browser: the folding into
 * "Other", percents, the fill steps and shades, and that the map names exactly the
 * regions the API showed.
 */
import { describe, expect, it } from "vitest";
import {
  FILL_SHADES,
  fillSteps,
  percent,
  problemShares,
  regionModel,
  shadeOf,
  stepOf,
} from "../../dashboard/src/mix-model";

describe("problemShares", () => {
  it("gives the kinds largest first, with their labels and shares", () => {
    // Act
    const shares = problemShares({ calls: 38, "no-signal": 62 });

    // Assess
    expect(shares).toEqual([
      { kind: "no-signal", label: "No signal", count: 62, share: 0.62 },
      { kind: "calls", label: "Calls", count: 38, share: 0.38 },
    ]);
  });

  it("folds the kinds beyond the fifth slice, and the thin ones, into Other", () => {
    // Act
    const many = problemShares({ a: 30, b: 25, c: 20, d: 15, e: 6, f: 4 });
    const thin = problemShares({ "no-signal": 48, "mobile-data": 24, calls: 12, texts: 2, x: 1 });

    // Assess
    expect(many.map((s) => [s.label, s.count])).toEqual([
      ["a", 30],
      ["b", 25],
      ["c", 20],
      ["d", 15],
      ["Other", 10],
    ]);
    expect(thin.map((s) => s.label)).toEqual(["No signal", "Mobile data", "Calls", "Other"]);
    expect(thin.at(-1)?.count).toBe(3);
  });

  it("names a lone thin kind rather than calling it Other", () => {
    // Act
    const shares = problemShares({ calls: 99, texts: 1 });

    // Assess
    expect(shares.map((s) => s.label)).toEqual(["Calls", "Texts"]);
  });

  it("is empty when no report told its kind", () => {
    expect(problemShares({})).toEqual([]);
    expect(problemShares({ calls: 0 })).toEqual([]);
  });
});

describe("percent", () => {
  it("rounds to whole percents and keeps a sliver visible", () => {
    expect([percent(0.615), percent(0.004), percent(0), percent(1)]).toEqual([
      "62%",
      "<1%",
      "0%",
      "100%",
    ]);
  });
});

describe("fill steps", () => {
  it("splits the shown counts into equal steps of whole counts, no step empty by construction", () => {
    // Act
    const steps = fillSteps([40, 25, 12, 5]);
    const few = fillSteps([7, 7]);

    // Assess
    expect(steps).toEqual([
      { from: 5, to: 13 },
      { from: 14, to: 22 },
      { from: 23, to: 31 },
      { from: 32, to: 40 },
    ]);
    expect([40, 25, 12, 5].map((n) => stepOf(steps, n))).toEqual([3, 2, 0, 0]);
    expect(few).toEqual([{ from: 7, to: 7 }]);
    expect(fillSteps([])).toEqual([]);
  });

  it("always gives the top step the darkest shade, and spreads few steps apart", () => {
    expect(shadeOf(0, 1)).toBe(FILL_SHADES - 1);
    expect([0, 1].map((s) => shadeOf(s, 2))).toEqual([2, 4]);
    expect([0, 1, 2, 3, 4].map((s) => shadeOf(s, 5))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("regionModel", () => {
  it("holds exactly the regions the API showed, most reports first, shares of all placed", () => {
    // Act
    const model = regionModel({
      area: "us",
      problems: {},
      regions: { "US-FL": 25, "US-TX": 40 },
      otherRegions: 15,
    });

    // Assess
    expect(model?.rows.map((r) => [r.code, r.shapeId, r.name, r.count, r.share])).toEqual([
      ["US-TX", "48", "Texas", 40, 0.5],
      ["US-FL", "12", "Florida", 25, 0.3125],
    ]);
    expect(model?.total).toBe(80);
  });

  it("leaves out a code its area does not know, and is null when no report had a region", () => {
    // Act
    const model = regionModel({
      area: "world",
      problems: {},
      regions: { DE: 9, "US-TX": 7 },
      otherRegions: 0,
    });

    // Assess
    expect(model?.rows.map((r) => r.name)).toEqual(["Germany"]);
    expect(regionModel({ area: "us", problems: { calls: 3 }, regions: {}, otherRegions: 0 })).toBe(
      null,
    );
  });
});
