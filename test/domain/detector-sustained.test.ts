import { describe, expect, it } from "vitest";
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MIN } from "../../lambdas/domain/buckets";
import { DetectorSettingsSchema } from "../../lambdas/domain/config";
import {
  type DetectorContext,
  type DetectorState,
  initialDetectorState,
  stepDetector,
} from "../../lambdas/domain/detector";
import type { IncidentEvent } from "../../lambdas/domain/incident";

const START = Date.parse("2024-05-06T00:00:00Z");
const CONTEXT: DetectorContext = {
  service: "svc",
  timeZone: "Europe/Berlin",
  bucketMinutes: 5,
  settings: DetectorSettingsSchema.parse({}),
};

interface Run {
  state: DetectorState;
  opened: IncidentEvent[];
  next: number;
}

function feed(count: (t: number) => number, from: number, to: number, run?: Run): Run {
  let state = run?.state ?? initialDetectorState();
  const opened = [...(run?.opened ?? [])];
  for (let t = from; t < to; t += 5 * MIN) {
    const step = stepDetector(state, { bucketStart: t, count: count(t) }, CONTEXT);
    state = step.state;
    for (const event of step.events) if (event.type === "opened") opened.push(event);
  }
  return { state, opened, next: to };
}

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("stepDetector on a sustained surge (rule 4b)", () => {
  it("opens on a sparse service whose reports stay at 6 a bucket for two hours", () => {
    // Prepare: three days of 0-1 reports a bucket; then 5-7 a bucket (never 20 in one)
    const u = random(5);
    const days = feed(() => (u() < 0.4 ? 1 : 0), START, START + 3 * DAY);
    const from = days.next + 10 * HOUR;
    const surge = (t: number) => (t >= from && t < from + 2 * HOUR ? 5 + Math.floor(u() * 3) : 0);

    // Act
    const run = feed(surge, days.next, days.next + DAY, days);

    // Assess: dated from the first elevated bucket, opened within the hour
    expect(days.opened).toEqual([]);
    expect(run.opened).toHaveLength(1);
    const [open] = run.opened;
    expect(open?.incident.startedAt).toBe(from);
    expect(open?.at).toBeLessThan(from + HOUR);
    expect(open?.incident.peak.count).toBeLessThan(8);
  });

  it("opens on a busy service at 3x for two hours, where no bucket is 4x", () => {
    // Prepare: three days at 1,000 +/- 10 %, then 2,800-3,200 a bucket
    const u = random(9);
    const days = feed(() => Math.round(1000 * (0.9 + 0.2 * u())), START, START + 3 * DAY);
    const from = days.next + 14 * HOUR;
    const level = (t: number) => (t >= from && t < from + 2 * HOUR ? 3000 : 1000);

    // Act
    const run = feed(
      (t) => Math.round(level(t) * (0.93 + 0.14 * u())),
      days.next,
      days.next + DAY,
      days,
    );

    // Assess
    expect(run.opened.map((e) => e.incident.startedAt)).toEqual([from]);
  });

  it("does not open on a busy service at 1.6x for hours", () => {
    // Prepare
    const u = random(13);
    const days = feed(() => Math.round(1000 * (0.9 + 0.2 * u())), START, START + 3 * DAY);
    const from = days.next + 14 * HOUR;

    // Act
    const run = feed(
      (t) => Math.round((t >= from && t < from + 4 * HOUR ? 1600 : 1000) * (0.9 + 0.2 * u())),
      days.next,
      days.next + DAY,
      days,
    );

    // Assess
    expect(run.opened).toEqual([]);
  });
});
