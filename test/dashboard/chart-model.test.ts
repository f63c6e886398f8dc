/**
 * The chart's model: what is drawn, shaded, labelled and said, from the API's answers.
 * Pure code, so tested without a browser; the drawing itself is checked in
 * dashboard.browser.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Incident, Series } from "../../dashboard/src/api";
import { chartModel } from "../../dashboard/src/chart-model";
import { viewerClock } from "../../dashboard/src/format";

const FROM = Date.parse("2023-02-13T06:00:00Z");
const STEP = 5 * 60_000;

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
    );

    // Assess
    const peakAt = viewerClock(FROM + STEP);
    const latestAt = viewerClock(FROM + 2 * STEP);
    expect(model.summary).toBe(
      `T-Mobile, last 24 hours: peak 83,412 reports at ${peakAt}, baseline 40; latest 9,040 at ${latestAt}; 1 incident shaded.`,
    );
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
    const model = chartModel("Verizon", series([null, null]), []);

    // Assess
    expect(model.peak).toBeNull();
    expect(model.summary).toBe("Verizon, last 24 hours: no data.");
  });
});
