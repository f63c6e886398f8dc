import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gsm7Length, isGsm7 } from "../../../lambdas/domain/wording/gsm7";
import {
  SMS_MAX_SEPTETS,
  SUBJECT_MAX_LENGTH,
  type SummaryContext,
  summarizeIncident,
} from "../../../lambdas/domain/wording/incident-summary";
import { moreThan } from "../../../lambdas/domain/wording/numbers";
import { at, seedIncident } from "./seed-incident";

const MIN = 60_000;

function seedContext(overrides: Partial<SummaryContext> = {}): SummaryContext {
  return {
    service: { id: "t-mobile", name: "T-Mobile", timeZone: "America/New_York" },
    correlated: [
      { name: "Verizon", peak: { count: 2034, at: at("2023-02-14T03:25:00Z") } },
      { name: "AT&T", peak: { count: 1287, at: at("2023-02-14T03:30:00Z") } },
    ],
    ...overrides,
  };
}

describe("summarizeIncident on the seed story", () => {
  it("writes the newsroom paragraph", () => {
    // Prepare
    const incident = seedIncident();

    // Act
    const { text } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).toBe(
      "Reports of T-Mobile problems began rising at around 8:50 p.m. ET (01:50 GMT), " +
        "peaked at more than 83,000 at around 10:20 p.m. ET (03:20 GMT) and had fallen to " +
        "about 9,000 by midnight ET (05:00 GMT). Verizon (more than 2,000) and AT&T " +
        "(more than 1,200) spiked at the same time. Resolved at 2:15 a.m. ET (07:15 GMT), " +
        "after 5 h 25 min.",
    );
    for (const phrase of [
      "more than 83,000",
      "10:20 p.m. ET",
      "03:20 GMT",
      "about 9,000",
      "midnight ET",
      "more than 2,000",
      "more than 1,200",
    ]) {
      expect(text).toContain(phrase);
    }
  });

  it("names the biggest correlated spike first whatever order they come in", () => {
    // Prepare
    const context = seedContext();
    const reversed = seedContext({ correlated: [...context.correlated].reverse() });

    // Act
    const { text } = summarizeIncident(seedIncident(), reversed);

    // Assess
    expect(text).toContain("Verizon (more than 2,000) and AT&T (more than 1,200)");
  });

  it("gives a resolved subject with the peak", () => {
    // Act
    const { subject } = summarizeIncident(seedIncident(), seedContext());

    // Assess
    expect(subject).toBe("Resolved: T-Mobile outage (peak more than 83,000)");
  });

  it("fits the SMS in one GSM-7 part with peak, level, other carriers and resolution", () => {
    // Act
    const { sms } = summarizeIncident(seedIncident(), seedContext());

    // Assess
    expect(sms).toBe(
      "T-Mobile outage: peak more than 83,000 reports at 10:20 p.m. ET (03:20 GMT), " +
        "about 9,000 by midnight ET. Verizon, AT&T also up. Resolved 2:15 a.m. ET.",
    );
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
  });
});

describe("summarizeIncident while open", () => {
  it("says the incident is still elevated as of the latest bucket seen", () => {
    // Prepare
    const incident = seedIncident({ resolvedAt: null });
    const context = seedContext({ now: at("2023-02-14T06:05:00Z") });

    // Act
    const { subject, text, sms } = summarizeIncident(incident, context);

    // Assess
    expect(subject).toBe("T-Mobile outage: peak more than 83,000 reports at 10:20 p.m. ET");
    expect(text).toContain(
      "Still elevated as of 1:05 a.m. ET (06:05 GMT), 4 h 15 min after it began.",
    );
    expect(text).not.toContain("Resolved");
    expect(sms).toContain("Still elevated as of 1:05 a.m. ET.");
  });

  it("without a clock, is still elevated as of the latest known level", () => {
    // Prepare
    const incident = seedIncident({ resolvedAt: null });

    // Act
    const { text } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).toContain("Still elevated as of midnight ET (05:00 GMT)");
  });

  it("says 'reached' rather than 'peaked' while no lower level has been seen", () => {
    // Prepare
    const incident = seedIncident({ resolvedAt: null, falloffs: [] });

    // Act
    const { subject, text, sms } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).toContain("and reached more than 83,000 at around 10:20 p.m. ET (03:20 GMT).");
    expect(text).not.toContain("peaked");
    expect(subject).toBe("T-Mobile outage: more than 83,000 reports at 10:20 p.m. ET");
    expect(sms.startsWith("T-Mobile outage: more than 83,000 reports")).toBe(true);
  });
});

describe("summarizeIncident phrasing rules", () => {
  it("states the first clear falloff of a resolved incident, not every hour", () => {
    // Prepare
    const incident = seedIncident({
      falloffs: [
        { at: at("2023-02-14T04:00:00Z"), count: 40_100 },
        { at: at("2023-02-14T05:00:00Z"), count: 9040 },
        { at: at("2023-02-14T06:00:00Z"), count: 2110 },
      ],
    });

    // Act
    const { text } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).not.toContain("about 40,000");
    expect(text).not.toContain("about 2,100");
    expect(text).toContain("had fallen to about 9,000 by midnight ET (05:00 GMT).");
  });

  it("states the clear falloff and the latest level of an open incident", () => {
    // Prepare
    const incident = seedIncident({
      resolvedAt: null,
      falloffs: [
        { at: at("2023-02-14T04:00:00Z"), count: 40_100 },
        { at: at("2023-02-14T05:00:00Z"), count: 9040 },
        { at: at("2023-02-14T06:00:00Z"), count: 2110 },
      ],
    });

    // Act
    const { text } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).toContain(
      "had fallen to about 9,000 by midnight ET (05:00 GMT) and to about 2,100 by 1 a.m. ET (06:00 GMT).",
    );
  });

  it("states the latest level while none is a clear falloff", () => {
    // Prepare
    const incident = seedIncident({
      resolvedAt: null,
      falloffs: [
        { at: at("2023-02-14T04:00:00Z"), count: 47_381 },
        { at: at("2023-02-14T05:00:00Z"), count: 30_000 },
      ],
    });

    // Act
    const { text } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).not.toContain("about 47,000");
    expect(text).toContain("had fallen to about 30,000 by midnight ET (05:00 GMT)");
  });

  it("dates the moments a day or more after the start", () => {
    // Prepare
    const incident = seedIncident({ resolvedAt: at("2023-02-16T07:15:00Z") });

    // Act
    const { text } = summarizeIncident(incident, seedContext());

    // Assess
    expect(text).toContain("by midnight ET (05:00 GMT)");
    expect(text).toContain("Resolved at 2:15 a.m. ET on Feb 16 (07:15 GMT), after 2 days 5 h.");
  });

  it("sums up correlated services beyond three", () => {
    // Prepare
    const peak = { count: 500, at: at("2023-02-14T03:20:00Z") };
    const correlated = ["A1", "B2", "C3", "D4", "E5"].map((name) => ({ name, peak }));

    // Act
    const { text, sms } = summarizeIncident(seedIncident(), seedContext({ correlated }));

    // Assess
    expect(text).toContain(
      "A1 (500), B2 (500), C3 (500) and 2 other services spiked at the same time.",
    );
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
  });

  it("names the likely upstream in the text, and its provider and place in the SMS", () => {
    // Act
    const { text, sms } = summarizeIncident(
      seedIncident(),
      seedContext({ likelyUpstream: "AWS us-east-1: Increased API Error Rates" }),
    );
    const without = summarizeIncident(seedIncident(), seedContext());

    // Assess: after the other services, before the resolution; the SMS gives up the
    // other services' names before it gives up the upstream
    expect(text).toContain(
      "spiked at the same time. Likely upstream: AWS us-east-1: Increased API Error Rates. Resolved",
    );
    expect(sms).toContain("Likely upstream: AWS us-east-1.");
    expect(sms).not.toContain("Increased");
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
    expect(`${without.text}${without.sms}`).not.toContain("upstream");
  });

  it("omits the correlated sentence when no other service spiked", () => {
    // Act
    const { text } = summarizeIncident(seedIncident(), seedContext({ correlated: [] }));

    // Assess
    expect(text).not.toContain("spiked");
  });

  it("uses the zone's Intl short name outside North America", () => {
    // Prepare
    const context = seedContext({
      service: { id: "telekom", name: "Telekom", timeZone: "Europe/Berlin" },
    });

    // Act
    const { text } = summarizeIncident(seedIncident(), context);

    // Assess
    expect(text).toContain("peaked at more than 83,000 at around 4:20 a.m. GMT+1 (03:20 GMT)");
  });

  it("keeps a long name and its peak in the subject by dropping the time and noun first", () => {
    // Prepare
    const name = "Consolidated Regional Broadband And Wireless Cooperative Net";
    const incident = seedIncident({
      resolvedAt: null,
      peak: { count: 1_234_567, at: at("2023-02-14T03:20:00Z") },
    });

    // Act
    const { subject } = summarizeIncident(
      incident,
      seedContext({ service: { id: "crbw", name, timeZone: "America/New_York" } }),
    );

    // Assess
    expect(subject).toBe(`${name} outage: peak more than 1,234,000`);
    expect(subject.length).toBeLessThan(100);
  });

  it("keeps a long name and its peak in a resolved subject by dropping 'outage'", () => {
    // Prepare
    const name = "Consolidated Regional Broadband And Wireless Cooperative Net";
    const incident = seedIncident({ peak: { count: 1_234_567, at: at("2023-02-14T03:20:00Z") } });

    // Act
    const { subject } = summarizeIncident(
      incident,
      seedContext({ service: { id: "crbw", name, timeZone: "America/New_York" } }),
    );

    // Assess
    expect(subject).toBe(`Resolved: ${name} (peak more than 1,234,000)`);
  });

  it("shortens a name only at a word boundary, without an ellipsis", () => {
    // Prepare
    const name = "Resolved Extremely Long Regional Broadband Service Company Na";
    const incident = seedIncident({
      peak: { count: 123_456_789_012, at: at("2023-02-14T03:20:00Z") },
    });
    const context = seedContext({ service: { id: "x", name, timeZone: "Asia/Kathmandu" } });

    // Act
    const { subject } = summarizeIncident(incident, context);

    // Assess
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(subject).not.toMatch(/…|\.\.\./);
    const shownName = subject.replace(/^Resolved: /, "").replace(/ outage.*$/, "");
    expect(name.startsWith(`${shownName} `) || name === shownName).toBe(true);
  });

  it("writes the SMS with the service id when GSM-7 cannot write the name", () => {
    // Prepare
    const context = seedContext({
      service: { id: "china-mobile", name: "中国移动", timeZone: "Asia/Shanghai" },
      correlated: [{ name: "中国联通", peak: { count: 3000, at: at("2023-02-14T03:20:00Z") } }],
    });

    // Act
    const { sms, subject } = summarizeIncident(seedIncident(), context);

    // Assess
    expect(sms.startsWith("china-mobile outage:")).toBe(true);
    expect(sms).not.toContain("?");
    expect(subject).toContain("中国移动");
  });

  it("converts curly quotes and dashes in names for the SMS", () => {
    // Prepare
    const context = seedContext({
      service: { id: "joes", name: "Joe’s Net — Fibre", timeZone: "America/Chicago" },
    });

    // Act
    const { sms } = summarizeIncident(seedIncident(), context);

    // Assess
    expect(sms.startsWith("Joe's Net - Fibre outage:")).toBe(true);
    expect(isGsm7(sms)).toBe(true);
  });

  it("keeps the subject on one line whatever the name holds", () => {
    // Prepare
    const context = seedContext({
      service: { id: "x", name: "Two\nLines\tand tabs", timeZone: "America/Chicago" },
    });

    // Act
    const { subject } = summarizeIncident(seedIncident(), context);

    // Assess
    expect(subject).toBe("Resolved: Two Lines and tabs outage (peak more than 83,000)");
  });
});

describe("summarizeIncident limits hold for any incident", () => {
  const zones = Intl.supportedValuesOf("timeZone");
  const STEP = 5 * MIN;
  const arbitraryName = fc
    .oneof(
      fc.string({ unit: "binary", minLength: 1, maxLength: 60 }),
      fc.string({
        unit: fc.constantFrom("{", "€", "W", " ", "ß", "–"),
        minLength: 1,
        maxLength: 60,
      }),
      fc
        .array(fc.stringMatching(/^[A-Za-z&]{1,12}$/), { minLength: 1, maxLength: 10 })
        .map((w) => w.join(" ")),
    )
    .filter((name) => name.trim().length > 0 && name.length <= 60);
  const arbitraryCount = fc.oneof(
    fc.integer({ min: 1, max: 50_000_000 }),
    fc.double({ min: 1, max: 1e12, noNaN: true }),
  );
  const arbitraryCase = fc.record({
    start: fc
      .integer({ min: 946_684_800_000 / STEP, max: 4_102_444_800_000 / STEP })
      .map((n) => n * STEP),
    toPeak: fc.nat({ max: 2000 }),
    falloffs: fc.array(
      fc.record({ after: fc.integer({ min: 1, max: 2000 }), count: arbitraryCount }),
      { maxLength: 6 },
    ),
    toResolved: fc.option(fc.integer({ min: 1, max: 20_000 })),
    peak: arbitraryCount,
    name: arbitraryName,
    id: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/),
    zone: fc.constantFrom(...zones),
    correlated: fc.array(fc.record({ name: arbitraryName, count: arbitraryCount }), {
      maxLength: 6,
    }),
    nowAfter: fc.option(fc.nat({ max: 5000 })),
  });

  it("subject under 100 characters on one line, SMS within 160 GSM-7 septets", () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        // Prepare
        const peakAt = c.start + c.toPeak * STEP;
        let last = peakAt;
        const falloffs = c.falloffs.map((f) => {
          last += f.after * STEP;
          return { at: last, count: f.count };
        });
        const incident = seedIncident({
          startedAt: c.start,
          peak: { count: c.peak, at: peakAt },
          falloffs,
          resolvedAt: c.toResolved === null ? null : last + c.toResolved * STEP,
        });
        const context: SummaryContext = {
          service: { id: c.id, name: c.name, timeZone: c.zone },
          correlated: c.correlated.map((o) => ({
            name: o.name,
            peak: { count: o.count, at: peakAt },
          })),
          ...(c.nowAfter === null ? {} : { now: last + c.nowAfter * STEP }),
        };

        // Act
        const { subject, text, sms } = summarizeIncident(incident, context);

        // Assess
        expect(subject.length).toBeLessThan(100);
        expect(subject).not.toMatch(/[\r\n]/);
        expect(gsm7Length(sms)).toBeLessThanOrEqual(160);
        expect(sms.endsWith(".")).toBe(true);
        expect(text).toContain(moreThan(c.peak));
        expect(subject + sms).toContain(moreThan(c.peak));
      }),
      { numRuns: 300 },
    );
  });
});
