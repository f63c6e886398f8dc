import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  about,
  formatCount,
  moreThan,
  reportsNoun,
  roundFigure,
  roundingStep,
} from "../../../lambdas/domain/wording/numbers";

describe("moreThan", () => {
  it.each([
    [0, "0"],
    [1, "1"],
    [99, "99"],
    [100, "100"],
    [105, "more than 100"],
    [999, "more than 990"],
    [1000, "1,000"],
    [1287, "more than 1,200"],
    [2034, "more than 2,000"],
    [9999, "more than 9,900"],
    [10_000, "10,000"],
    [83_000, "83,000"],
    [83_412, "more than 83,000"],
    [1_234_567, "more than 1,234,000"],
  ])("states a peak of %d as %j", (count, expected) => {
    // Act
    const phrase = moreThan(count);

    // Assess
    expect(phrase).toBe(expected);
  });

  it("floors a fractional count below 100 instead of claiming it exactly", () => {
    // Prepare: weighted sources can produce fractional counts
    const count = 95.5;

    // Act
    const phrase = moreThan(count);

    // Assess
    expect(phrase).toBe("more than 95");
  });

  it("never states a figure above the count nor more than one step below it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), (count) => {
        // Act
        const figure = roundFigure(count, "floor");

        // Assess
        expect(figure).toBeLessThanOrEqual(count);
        expect(count - figure).toBeLessThan(roundingStep(count));
        expect(moreThan(count)).toBe(
          figure === count ? formatCount(count) : `more than ${formatCount(figure)}`,
        );
      }),
    );
  });
});

describe("about", () => {
  it.each([
    [95, "about 95"],
    [99, "about 99"],
    [105, "about 110"],
    [104, "about 100"],
    [999, "about 1,000"],
    [1287, "about 1,300"],
    [2034, "about 2,000"],
    [9040, "about 9,000"],
    [9960, "about 10,000"],
    [10_000, "about 10,000"],
    [83_412, "about 83,000"],
    [1_234_567, "about 1,235,000"],
  ])("states a level of %d as %j", (count, expected) => {
    // Act
    const phrase = about(count);

    // Assess
    expect(phrase).toBe(expected);
  });
});

describe("roundFigure", () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])("refuses %d", (count) => {
    // Act
    const act = () => roundFigure(count, "floor");

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe("reportsNoun", () => {
  it.each([
    [0, "reports"],
    [1, "report"],
    [1.5, "report"],
    [2, "reports"],
    [83_412, "reports"],
  ])("agrees with a stated count of %d", (count, expected) => {
    // Act
    const noun = reportsNoun(count);

    // Assess
    expect(noun).toBe(expected);
  });
});
