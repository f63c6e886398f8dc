/**
 * The recovery forecast: nothing until a fall is established, then a time near when a
 * clean falloff of each shape is back under its resolve level, inside its interval; "now"
 * once it is under.
 */
import { describe, expect, it } from "vitest";
import { type FalloffPoint, recoveryForecast } from "../../lambdas/domain/recovery-forecast";

const MIN = 60_000;
const PEAK_AT = Date.parse("2023-02-14T03:20:00Z");
const PEAK = { at: PEAK_AT, count: 5_100 };
const EXPECTED = 100;
const RESOLVE_LEVEL = 150;

/** Buckets every 5 minutes after the peak, for `minutes`, of normal plus `excess(t)`. */
function falloff(excess: (minutes: number) => number, minutes: number): FalloffPoint[] {
  const points: FalloffPoint[] = [];
  for (let t = 5; t <= minutes; t += 5) {
    points.push({
      at: PEAK_AT + t * MIN,
      count: EXPECTED + excess(t),
      expected: EXPECTED,
      resolveLevel: RESOLVE_LEVEL,
    });
  }
  return points;
}

/** When `excess` first leaves less than the level's share of normal, less its noise. */
function backUnder(excess: (minutes: number) => number): number {
  const margin = RESOLVE_LEVEL - EXPECTED - Math.sqrt(RESOLVE_LEVEL);
  let t = 0;
  while (excess(t) > margin) t += 0.5;
  return PEAK_AT + t * MIN;
}

describe("recoveryForecast", () => {
  it("holds a clean long tail inside its interval, though far from its middle", () => {
    // Act: an hour into a fall that slows as it goes
    const excess = (t: number) => 5_000 / (1 + t / 15) ** 1.5;
    const forecast = recoveryForecast(PEAK, falloff(excess, 60));

    // Assess
    const truth = backUnder(excess);
    expect(forecast?.earliest).toBeLessThanOrEqual(truth);
    expect(forecast?.latest).toBeGreaterThanOrEqual(truth);
  });

  it.each([
    ["exponential", (t: number) => 5_000 * Math.exp(-t / 40)],
    ["linear", (t: number) => Math.max(0, 5_000 * (1 - t / 180))],
  ])("forecasts a clean %s fall within 10 minutes, inside its interval", (_, excess) => {
    // Act: an hour into the fall
    const forecast = recoveryForecast(PEAK, falloff(excess, 60));

    // Assess
    const truth = backUnder(excess);
    expect(forecast).not.toBeNull();
    expect(Math.abs((forecast?.at ?? 0) - truth) / MIN).toBeLessThan(10);
    expect(forecast?.earliest).toBeLessThanOrEqual(truth);
    expect(forecast?.latest).toBeGreaterThanOrEqual(truth);
  });

  it("says nothing while the counts rise, stay flat, or have hardly fallen", () => {
    // Act
    const rising = recoveryForecast(
      PEAK,
      falloff((t) => 5_000 + 50 * t, 60),
    );
    const flat = recoveryForecast(
      { ...PEAK, count: 4_000 },
      falloff(() => 2_500, 60),
    );
    const barely = recoveryForecast(
      PEAK,
      falloff((t) => 5_000 - 10 * t, 60),
    );
    const tooSoon = recoveryForecast(
      PEAK,
      falloff((t) => 5_000 * Math.exp(-t / 5), 10),
    );

    // Assess
    expect([rising, flat, barely, tooSoon]).toEqual([null, null, null, null]);
  });

  it("says now once the counts are back under", () => {
    // Act
    const points = falloff((t) => 5_000 * Math.exp(-t / 10), 120);
    const forecast = recoveryForecast(PEAK, points);

    // Assess
    const newest = points.at(-1)?.at;
    expect(forecast).toEqual({ at: newest, earliest: newest, latest: newest });
  });

  it("says nothing of a fall that would take more than two days", () => {
    // Act
    const forecast = recoveryForecast(
      PEAK,
      falloff((t) => 3_400 * Math.exp(-t / 5_000), 120),
    );

    // Assess
    expect(forecast).toBeNull();
  });
});
