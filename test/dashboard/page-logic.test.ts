/**
 * The page's small pure parts: routes from the hash, the problem kinds offered per
 * category (the same catalog the API validates with), and the sentences a report's
 * outcome is told in.
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../dashboard/src/api";
import { problemChoices, problemLabel } from "../../dashboard/src/problem-kinds";
import { failureMessage, outcomeMessage } from "../../dashboard/src/report-dialog";
import { parseRoute } from "../../dashboard/src/router";
import { PROBLEM_KINDS } from "../../lambdas/domain/catalog";

describe("parseRoute", () => {
  it("reads the overview, a service and an incident, decoding ids", () => {
    expect(parseRoute("")).toEqual({ kind: "overview" });
    expect(parseRoute("#/")).toEqual({ kind: "overview" });
    expect(parseRoute("#/service/t-mobile")).toEqual({ kind: "service", id: "t-mobile" });
    expect(parseRoute("#/incident/t-mobile-20230214T0200Z")).toEqual({
      kind: "incident",
      id: "t-mobile-20230214T0200Z",
    });
    expect(parseRoute("#/service/a%20b")).toEqual({ kind: "service", id: "a b" });
  });

  it("sends unknown routes to the overview and leaves in-page anchors alone", () => {
    expect(parseRoute("#/nothing/here")).toEqual({ kind: "overview" });
    expect(parseRoute("#/service/%E0%A4%A")).toEqual({ kind: "overview" });
    expect(parseRoute("#main")).toBeNull();
  });
});

describe("problemChoices", () => {
  it("offers exactly the kinds the API accepts, each with words", () => {
    for (const category of Object.keys(PROBLEM_KINDS) as (keyof typeof PROBLEM_KINDS)[]) {
      const choices = problemChoices(category);
      expect(choices.map((c) => c.kind)).toEqual([...PROBLEM_KINDS[category]]);
      expect(choices.every((c) => c.label.length > 0 && c.label !== c.kind)).toBe(true);
    }
    expect(problemLabel("no-signal")).toBe("No signal");
    expect(problemLabel("something-new")).toBe("something-new");
  });
});

describe("report outcome messages", () => {
  it("thanks for a counted report and explains a duplicate", () => {
    expect(outcomeMessage("accepted", "T-Mobile", "no-signal")).toBe(
      "Thank you: your report of no signal problems with T-Mobile was counted.",
    );
    expect(outcomeMessage("duplicate", "T-Mobile", "calls")).toMatch(
      /already reported.*T-Mobile.*counted once/,
    );
  });

  it("says when to try again after a 429 and passes the API's detail on otherwise", () => {
    expect(failureMessage(new ApiError(429, "Too Many Requests", "slow down", undefined, 42))).toBe(
      "Too many reports from your network just now. Please try again in 42 seconds.",
    );
    expect(
      failureMessage(
        new ApiError(400, "Bad Request", "'problem' must be one of no-signal, calls", "problem"),
      ),
    ).toBe("The report was not accepted: 'problem' must be one of no-signal, calls.");
    expect(failureMessage(new ApiError(0, "Network error", "down"))).toMatch(/cannot be reached/);
  });
});
