/**
 * Property: Poisson noise around a daily cycle, with no surge, seldom opens an incident.
 * Stated rate: at most one incident per service-week in any run, and at most one per
 * twenty service-weeks over all runs (a false alert a month would make a user mute
 * outcry; the detector does far better on such noise).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DetectorSettingsSchema } from "../../lambdas/domain/config";
import { initialDetectorState, stepDetector } from "../../lambdas/domain/detector";
import { poisson, uniform } from "../support/random-counts";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const DEFAULTS = DetectorSettingsSchema.parse({});
/** Incidents allowed per service-week, per run and over all runs. */
const MAX_PER_WEEK_IN_A_RUN = 1;
const MAX_PER_WEEK_OVERALL = 1 / 20;

const scenario = fc.record({
  /** Mean reports per 5 minutes at the daily average. */
  level: fc.oneof(
    fc.double({ min: 0.2, max: 5, noNaN: true }),
    fc.double({ min: 5, max: 3000, noNaN: true }),
  ),
  /**
   * Day/night swing: the mean is proportional to exp(swing x cos(phase)), so the busiest
   * hour has e^(2 x swing) times the reports of the quietest (up to about 150x, with a
   * morning rise of a few hours).
   */
  swing: fc.double({ min: 0, max: 2.5, noNaN: true }),
  /** Hour of the daily peak, UTC. */
  peakHour: fc.integer({ min: 0, max: 23 }),
  bucketMinutes: fc.constantFrom(1, 5, 10, 15),
  timeZone: fc.constantFrom("America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC"),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

describe("stepDetector on noise without a surge", () => {
  it(`opens at most ${MAX_PER_WEEK_IN_A_RUN} incident per service-week, ${MAX_PER_WEEK_OVERALL} overall`, () => {
    // Prepare
    const weeks = 2;
    let incidents = 0;
    let runs = 0;

    // Act
    fc.assert(
      fc.property(scenario, (s) => {
        const u = uniform(s.seed);
        const context = {
          service: "noise",
          timeZone: s.timeZone,
          bucketMinutes: s.bucketMinutes,
          settings: DEFAULTS,
        };
        const width = s.bucketMinutes * MIN;
        const perBucket = (s.level * s.bucketMinutes) / 5;
        const start = Date.parse("2024-03-01T00:00:00Z");
        // Keeps the daily mean at `level` (the mean of exp(swing cos) is I0(swing)).
        let norm = 0;
        for (let i = 0; i < 96; i++)
          norm += Math.exp(s.swing * Math.cos((2 * Math.PI * i) / 96)) / 96;
        let state = initialDetectorState();
        let opened = 0;
        for (let t = start; t < start + weeks * 7 * DAY; t += width) {
          const phase = (2 * Math.PI * ((t - s.peakHour * 60 * MIN) % DAY)) / DAY;
          const mean = (perBucket * Math.exp(s.swing * Math.cos(phase))) / norm;
          const step = stepDetector(state, { bucketStart: t, count: poisson(mean, u) }, context);
          state = step.state;
          opened += step.events.filter((e) => e.type === "opened").length;
        }
        runs++;
        incidents += opened;
        expect(opened).toBeLessThanOrEqual(MAX_PER_WEEK_IN_A_RUN * weeks);
      }),
      { numRuns: 60, seed: 20_260_126 },
    );

    // Assess
    expect(incidents / (runs * weeks)).toBeLessThanOrEqual(MAX_PER_WEEK_OVERALL);
  });
});
