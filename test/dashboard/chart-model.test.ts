/**
 * The chart's model: what is drawn, shaded, labelled and said, from the API's answers.
 * Pure code, so tested without a browser; the drawing itself is checked in
 * dashboard.browser.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Incident, Series } from "../../dashboard/src/api";
import { chartModel, chartTime, incidentRange, peakLabel } from "../../dashboard/src/chart-model";
import { viewerClock, viewerDateTime } from "../../dashboard/src/format";

const FROM = Date.parse("2023-02-13T06:00:00Z");
const STEP = 5 * 60_000;
const NO_MIX: Series["mix"] = { area: "us", problems: {}, regions: {}, otherRegions: 0 };

function series(
  counts: (number | null)[],
  extra: { baseline?: number; threshold?: number } = {},
): Series {
  return {
    service: "t-mobile",
    bucketMinutes: 5,
    from: new Date(FROM).toISOString(),
    to: new Date(FROM + 24 * 3_600_000).toISOString(),
    points: counts.map((count, i) => ({
      at: new Date(FROM + i * STEP).toISOString(),
      count,
      sources: {},
      baseline: extra.baseline ?? null,
      threshold: extra.threshold ?? null,
    })),
    mix: NO_MIX,
  };
}

function incident(startIndex: number, endIndex: number | null): Incident {
  const at = (i: number) => new Date(FROM + i * STEP).toISOString();
  return {
    id: `t-mobile-${startIndex}`,
    service: "t-mobile",
    status: endIndex === null ? "open" : "resolved",
    startedAt: at(startIndex),
    openedAt: at(startIndex + 2),
    resolvedAt: endIndex === null ? null : at(endIndex),
    countAtOpen: 100,
    baselineAtOpen: 40,
    peak: { count: 900, at: at(startIndex + 1) },
    falloffs: [],
    correlatedWith: [],
    likelyUpstream: null,
    summary: { subject: "s", text: "t", sms: "m" },
  };
}

describe("chartModel", () => {
  it("keeps gaps as gaps and finds the peak and the latest count", () => {
    // Act
    const model = chartModel("T-Mobile", series([3, null, 9, 4, null]), []);

    // Assess
    expect(model.data[1]).toEqual([3, null, 9, 4, null]);
    expect(model.data[0][1]).toBe((FROM + STEP) / 1000);
    expect(model.peak).toMatchObject({ count: 9, at: (FROM + 2 * STEP) / 1000 });
    expect(model.latest).toEqual({ count: 4, at: (FROM + 3 * STEP) / 1000 });
  });

  it("says the peak, the baseline and the latest count in one sentence", () => {
    // Act
    const model = chartModel(
      "T-Mobile",
      series([40, 83_412, 9_040], { baseline: 40, threshold: 60 }),
      [incident(1, null)],
      null,
      { lastDay: true },
    );

    // Assess
    const peakAt = viewerClock(FROM + STEP);
    const latestAt = viewerClock(FROM + 2 * STEP);
    expect(model.summary).toBe(
      `T-Mobile, last 24 hours: peak 83,412 reports at ${peakAt}, baseline 40; latest 9,040 at ${latestAt}; 1 incident shaded.`,
    );
  });

  it("hatches the points a source failed for and says how many, and what that means", () => {
    // Prepare: the third and fourth points lack a failed source
    const partial = series([40, 42, 3, 5, 41], { baseline: 40, threshold: 60 });
    for (const i of [2, 3]) {
      const point = partial.points[i];
      if (point) Object.assign(point, { partial: true, failedSources: ["rss"] });
    }

    // Act
    const model = chartModel("T-Mobile", partial, [], null, { lastDay: true });
    const whole = chartModel("T-Mobile", series([40, 42, 3, 5, 41]), [], null, { lastDay: true });

    // Assess
    expect(model.partial).toEqual([false, false, true, true, false]);
    expect(model.summary).toMatch(/; 2 points hatched: partial, a source failed\.$/);
    expect(whole.partial).toEqual([false, false, false, false, false]);
    expect(whole.summary).not.toContain("partial");
  });

  it("falls back to the service's baseline when the series has none", () => {
    // Act
    const model = chartModel("AT&T", series([5, 7]), [], 6.4);

    // Assess
    expect(model.peak?.baseline).toBe(6.4);
    expect(model.data[2]).toEqual([null, null]);
    expect(model.summary).toContain("baseline 6");
  });

  it("shades incidents clipped to the chart, an open one up to its end", () => {
    // Prepare: one resolved inside, one open, one long before the chart
    const before = {
      ...incident(0, 1),
      startedAt: "2023-02-10T00:00:00Z",
      resolvedAt: "2023-02-10T05:00:00Z",
    };

    // Act
    const model = chartModel("T-Mobile", series([1, 2, 3, 4, 5, 6]), [
      incident(1, 3),
      incident(4, null),
      before,
    ]);

    // Assess
    const s = (i: number) => (FROM + i * STEP) / 1000;
    expect(model.spans).toEqual([
      { from: s(1), to: s(3), open: false },
      { from: s(4), to: s(6), open: true },
    ]);
  });

  it("labels a peak inside an incident or far above the band, not the noise of a quiet day", () => {
    // Act
    const quiet = chartModel("A", series([30, 36, 31], { baseline: 25, threshold: 35 }), []);
    const surge = chartModel("A", series([30, 360, 31], { baseline: 25, threshold: 35 }), []);
    const during = chartModel("A", series([30, 36, 31]), [incident(1, 2)]);

    // Assess
    expect(quiet.peakNotable).toBe(false);
    expect(surge.peakNotable).toBe(true);
    expect(during.peakNotable).toBe(true);
  });

  it("says there is no data rather than a peak of nothing", () => {
    // Act
    const model = chartModel("Verizon", series([null, null]), [], null, { lastDay: true });

    // Assess
    expect(model.peak).toBeNull();
    expect(model.summary).toBe("Verizon, last 24 hours: no data.");
  });
});

describe("chart labels", () => {
  /** A week of 10-minute points, as the API rolls up 5-minute buckets. */
  function week(): Series {
    const to = FROM + 7 * 24 * 3_600_000;
    const step = 10 * 60_000;
    return {
      service: "t-mobile",
      bucketMinutes: 10,
      from: new Date(FROM).toISOString(),
      to: new Date(to).toISOString(),
      points: Array.from({ length: (to - FROM) / step }, (_, i) => ({
        at: new Date(FROM + i * step).toISOString(),
        count: i === 500 ? 9_000 : 10,
        sources: {},
        baseline: 10,
        threshold: 20,
      })),
      mix: NO_MIX,
    };
  }

  it("dates the times of a chart over 24 hours and says a rolled-up point's width", () => {
    // Act
    const model = chartModel("T-Mobile", week(), []);

    // Assess: peak label, caption and cursor all carry the date and the width
    const peakAt = FROM + 500 * 10 * 60_000;
    expect(model.long).toBe(true);
    expect(chartTime(model, peakAt / 1000)).toBe(viewerDateTime(peakAt));
    expect(peakLabel(model, false)).toBe(`9,000 per 10 min at ${viewerDateTime(peakAt)}`);
    expect(model.summary).toBe(
      `T-Mobile, ${viewerDateTime(FROM)} to ${viewerDateTime(FROM + 7 * 24 * 3_600_000)} (reports per 10 min): peak 9,000 reports at ${viewerDateTime(peakAt)}, baseline 10; latest 10 at ${viewerDateTime(FROM + 1007 * 10 * 60_000)}.`,
    );
  });

  it("says 'last 24 hours' only for the 24-hour views, and times of day within a day", () => {
    // Act: a 24-hour span that is not the last 24 hours (an incident's chart)
    const span = chartModel("T-Mobile", series([1, 50, 2]), []);
    const lastDay = chartModel("T-Mobile", series([1, 50, 2]), [], null, { lastDay: true });

    // Assess
    expect(span.summary).toMatch(/^T-Mobile, \w{3} \d+, .+ to \w{3} \d+, .+: peak 50 reports at /);
    expect(lastDay.summary).toMatch(/^T-Mobile, last 24 hours: peak 50 reports at /);
    expect(span.long).toBe(false);
    expect(span.per).toBe("");
    expect(peakLabel(span, false)).toBe(`50 at ${viewerClock(FROM + STEP)}`);
    expect(peakLabel(span, true)).toBe("50");
  });
});

describe("incidentRange", () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const at = (ms: number) => new Date(ms).toISOString();

  it("asks for the span with two hours each side, ending now at the latest", () => {
    // Act
    const resolved = incidentRange(
      { startedAt: at(FROM), resolvedAt: at(FROM + 5 * HOUR) },
      FROM + DAY,
    );
    const open = incidentRange({ startedAt: at(FROM), resolvedAt: null }, FROM + 6 * HOUR);

    // Assess
    expect(resolved).toEqual({ from: at(FROM - 2 * HOUR), to: at(FROM + 7 * HOUR) });
    expect(open).toEqual({ from: at(FROM - 2 * HOUR), to: at(FROM + 6 * HOUR) });
  });

  it("keeps to the 7 days the API serves, for an incident open or resolved long ago", () => {
    // Act: open for ten days; resolved after nine days, a month ago
    const open = incidentRange({ startedAt: at(FROM), resolvedAt: null }, FROM + 10 * DAY);
    const old = incidentRange(
      { startedAt: at(FROM), resolvedAt: at(FROM + 9 * DAY) },
      FROM + 40 * DAY,
    );

    // Assess: both ends given, never more than 7 days apart
    expect(open).toEqual({ from: at(FROM + 3 * DAY), to: at(FROM + 10 * DAY) });
    expect(old).toEqual({
      from: at(FROM + 9 * DAY + 2 * HOUR - 7 * DAY),
      to: at(FROM + 9 * DAY + 2 * HOUR),
    });
  });
});
