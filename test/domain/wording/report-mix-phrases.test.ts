import { describe, expect, it } from "vitest";
import type { ReportMix } from "../../../lambdas/domain/report-mix";
import { smsFits } from "../../../lambdas/domain/wording/fitting";
import { summarizeIncident } from "../../../lambdas/domain/wording/incident-summary";
import {
  mostlyPhrase,
  problemWords,
  whereSentence,
  whereSms,
} from "../../../lambdas/domain/wording/report-mix-phrases";
import { seedIncident } from "./seed-incident";

const SEED_MIX: ReportMix = {
  area: "us",
  problems: { "no-signal": 620, calls: 170, "mobile-data": 120, texts: 60, "total-outage": 30 },
  regions: { "US-TX": 310, "US-FL": 220, "US-CA": 170, "US-GA": 60, "US-NY": 50 },
  otherRegions: 190,
};

describe("problemWords", () => {
  it("writes a label in lower case, keeps initialisms and names, spaces a class id", () => {
    expect(problemWords("no-signal")).toBe("no signal");
    expect(problemWords("api")).toBe("API");
    expect(problemWords("wifi")).toBe("Wi-Fi");
    expect(problemWords("dropped-calls")).toBe("dropped calls");
  });
});

describe("the what and where phrases", () => {
  it("say what most reports were of and where they came from", () => {
    expect(mostlyPhrase(SEED_MIX)).toBe("mostly no signal (62%)");
    expect(whereSentence(SEED_MIX)).toBe("Reports came mostly from Texas, Florida and California.");
    expect(whereSms(SEED_MIX)).toBe("Mostly from TX, FL, CA.");
  });

  it("say spread reports came from across the country, or from many countries", () => {
    const even = Object.fromEntries(
      ["US-TX", "US-FL", "US-CA", "US-NY", "US-PA", "US-IL", "US-OH", "US-GA"].map((c) => [c, 10]),
    );
    const spread: ReportMix = { ...SEED_MIX, regions: even, otherRegions: 0 };
    expect(whereSentence(spread)).toBe("Reports came from across the country.");
    const world: ReportMix = {
      area: "world",
      problems: {},
      regions: Object.fromEntries(
        ["DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE"].map((c) => [c, 10]),
      ),
      otherRegions: 0,
    };
    expect(whereSentence(world)).toBe("Reports came from many countries.");
    expect(whereSms(world)).toBe("Worldwide.");
    expect(whereSms({ ...world, regions: { DE: 40 } })).toBe("Mostly from Germany.");
  });

  it("say nothing without a mix", () => {
    expect(mostlyPhrase(undefined)).toBeNull();
    expect(whereSentence(undefined)).toBeNull();
  });
});

describe("summarizeIncident with a mix", () => {
  const service = { id: "t-mobile", name: "T-Mobile", timeZone: "America/New_York" };

  it("carries both phrases in the text, and in an SMS with room for them", () => {
    // Act
    const summary = summarizeIncident(seedIncident(), { service, correlated: [], mix: SEED_MIX });

    // Assess
    expect(summary.text).toMatch(
      /^Reports of T-Mobile problems, mostly no signal \(62%\), began rising at around 8:50 p\.m\. ET .*\. Reports came mostly from Texas, Florida and California\. Resolved at /,
    );
    expect(summary.sms).toContain("Mostly no signal (62%).");
    expect(smsFits(summary.sms)).toBe(true);
  });

  it("drops where, then what, from an SMS before what matters more", () => {
    // Prepare
    const correlated = [
      { name: "Verizon", peak: { count: 2034, at: Date.parse("2023-02-14T03:25:00Z") } },
      { name: "AT&T", peak: { count: 1287, at: Date.parse("2023-02-14T03:30:00Z") } },
    ];

    // Act
    const { sms } = summarizeIncident(seedIncident(), { service, correlated, mix: SEED_MIX });

    // Assess
    expect(smsFits(sms)).toBe(true);
    expect(sms).toContain("Verizon, AT&T also up.");
    expect(sms).not.toContain("Mostly from");
  });

  it("writes the same text as before when the mix says nothing", () => {
    const empty: ReportMix = { area: "us", problems: {}, regions: {}, otherRegions: 0 };
    const without = summarizeIncident(seedIncident(), { service, correlated: [] });
    expect(summarizeIncident(seedIncident(), { service, correlated: [], mix: empty })).toEqual(
      without,
    );
  });
});
