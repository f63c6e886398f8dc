/**
 * What detect feeds the detector, on dynalite: each new bucket once, in time order, after
 * the buckets collect counts again (revisions of what it judged, so a late count or a
 * failed source's count reaches it), and the partial flag of a bucket a weighted source
 * failed for. The detector is the real one, watched on its way in; the last tests check
 * what it makes of them: an outage carried mostly by a feed does not resolve while the
 * feed's reads fail, and a late count opens the incident the first count missed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { LOOK_BACK_BUCKETS, MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { Observation } from "../../lambdas/domain/detector";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

/** Every observation the detector was given, with the service it was for. */
const fed = vi.hoisted(() => [] as { service: string; observation: Observation }[]);
vi.mock("../../lambdas/domain/detector", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lambdas/domain/detector")>();
  return {
    ...actual,
    stepDetector: (...args: Parameters<typeof actual.stepDetector>) => {
      fed.push({ service: args[2].service, observation: { ...args[1] } });
      return actual.stepDetector(...args);
    },
  };
});

const WIDTH = 5 * MINUTE_MS;
const T0 = parseIso("2024-05-01T12:00:00Z");
const bucket = (i: number) => T0 + i * WIDTH;

/** Crowd reports and a feed, both of weight 1, and a status page of weight 0. */
const config = parseConfig({
  services: [
    {
      id: "s",
      name: "S",
      category: "app",
      sources: [
        { kind: "replay", id: "feed", file: "feed.csv" },
        { kind: "statuspage", id: "status", url: "https://status.example.com" },
      ],
    },
  ],
});
/** A tick time whose settled bucket is `i` (one schedule period after it closed). */
const tickAfter = (i: number) => bucket(i) + WIDTH + config.scheduleMinutes * MINUTE_MS;

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

/** What the detector was fed since the last call: bucket index, count, partial flag. */
function takeFed() {
  const taken = fed.splice(0).map(({ service, observation }) => {
    expect(service).toBe("s");
    const { bucketStart, count, ...rest } = observation;
    return { i: (bucketStart - T0) / WIDTH, count, ...rest };
  });
  return taken;
}

describe("detect feeds the detector", () => {
  it("each new bucket once, after the look-back buckets again with their revised counts", async () => {
    // Prepare: ten buckets of 10 reports and 5 items, judged by a first tick
    const { deps } = await pipelineOn(table, config);
    const series = deps.collect.series;
    for (let i = 0; i < 10; i++) {
      await series.putCount("s", "reports", bucket(i), 10);
      await series.putCount("s", "feed", bucket(i), 5);
    }
    await detectIncidents(deps.detect, tickAfter(9));
    const first = takeFed();
    const stateAfterFirst = await deps.detect.states.load("s");

    // Act: late reports for bucket 8; bucket 10 comes in while the feed fails
    await series.putCount("s", "reports", bucket(8), 40);
    await series.putCount("s", "reports", bucket(10), 10);
    await series.markFailed("s", "feed", [bucket(10)]);
    const second = await detectIncidents(deps.detect, tickAfter(10));
    const fedSecond = takeFed();

    // Assess: the first tick fed each bucket once, in order (the day before the counts,
    // as gaps: a new state learns from the history the table holds)
    const order = first.map((o) => o.i);
    expect(order).toEqual(order.map((_, k) => (order[0] ?? 0) + k));
    expect(order.at(-1)).toBe(9);
    expect(first.filter((o) => o.i >= 0)).toEqual(order.slice(-10).map((i) => ({ i, count: 15 })));
    expect(first.filter((o) => o.i < 0).every((o) => o.count === null)).toBe(true);
    expect(stateAfterFirst.state?.lastBucket).toBe(bucket(9));
    // The second fed the look-back buckets again (8 revised), then the new one, partial
    expect(LOOK_BACK_BUCKETS).toBe(2);
    expect(fedSecond).toEqual([
      { i: 7, count: 15 },
      { i: 8, count: 45 },
      { i: 9, count: 15 },
      { i: 10, count: 10, partial: true },
    ]);
    // Only the new bucket counts as stepped through
    expect(second.buckets).toBe(1);
    expect((await deps.detect.states.load("s")).state?.lastBucket).toBe(bucket(10));
  });

  it("the revision of a partial bucket once its failed source has counted it", async () => {
    // Prepare: bucket 5 judged while the feed had failed for it
    const { deps } = await pipelineOn(table, config);
    const series = deps.collect.series;
    for (let i = 0; i <= 6; i++) {
      await series.putCount("s", "reports", bucket(i), 10);
      if (i !== 5) await series.putCount("s", "feed", bucket(i), 5);
    }
    await series.markFailed("s", "feed", [bucket(5)]);
    await detectIncidents(deps.detect, tickAfter(5));
    const judged = takeFed().at(-1);

    // Act: the feed's count of bucket 5 arrives with bucket 6's
    await series.putCount("s", "feed", bucket(5), 5);
    await detectIncidents(deps.detect, tickAfter(6));

    // Assess: judged partial at first; revised, whole, before bucket 6
    expect(judged).toEqual({ i: 5, count: 10, partial: true });
    expect(takeFed()).toEqual([
      { i: 3, count: 15 },
      { i: 4, count: 15 },
      { i: 5, count: 15 },
      { i: 6, count: 15 },
    ]);
  });

  it("nothing on a tick with no new bucket, and never a failed weight-0 source as partial", async () => {
    // Prepare: the status page (weight 0) failed for bucket 3, judged by a first tick
    const { deps } = await pipelineOn(table, config);
    for (let i = 0; i <= 3; i++) await deps.collect.series.putCount("s", "reports", bucket(i), 10);
    await deps.collect.series.markFailed("s", "status", [bucket(3)]);
    await detectIncidents(deps.detect, tickAfter(3));
    const first = takeFed();

    // Act: a late count for bucket 2, and ticks that bring no new bucket (the checkpoint
    // skips them; without it, the state is read and left as it was)
    await deps.collect.series.putCount("s", "reports", bucket(2), 99);
    const skipped = await detectIncidents(deps.detect, tickAfter(3) + MINUTE_MS);
    await deps.detect.checkpoints.write(
      { index: 0, count: 1 },
      {
        services: "another fingerprint",
        through: bucket(3),
        quietSince: {},
        open: [],
      },
    );
    const read = await detectIncidents(deps.detect, tickAfter(3) + 2 * MINUTE_MS);

    // Assess
    expect(first.at(-1)).toEqual({ i: 3, count: 10 });
    expect(skipped.skipped).toBe(true);
    expect(read.skipped).toBe(false);
    expect(read.buckets).toBe(0);
    expect(takeFed()).toEqual([]);
  });
});

describe("detect with partial and late buckets, to the transitions", () => {
  beforeEach(() => {
    fed.splice(0);
  });

  it("keeps an outage open while its main source fails, and resolves it once counts are back", async () => {
    // Prepare: two hours of 10 reports and 10 items a bucket, then an outage of 2,000
    // items a bucket, judged tick by tick
    const { deps } = await pipelineOn(table, config);
    const series = deps.collect.series;
    const transitions: string[] = [];
    const tick = async (i: number, reports: number, feed: number | "failed") => {
      await series.putCount("s", "reports", bucket(i), reports);
      if (feed === "failed") await series.markFailed("s", "feed", [bucket(i)]);
      else await series.putCount("s", "feed", bucket(i), feed);
      const result = await detectIncidents(deps.detect, tickAfter(i));
      for (const t of result.transitions) transitions.push(`${t.transition}@${i}`);
    };
    for (let i = 0; i < 24; i++) {
      await series.putCount("s", "reports", bucket(i), 10);
      await series.putCount("s", "feed", bucket(i), 10);
    }
    await detectIncidents(deps.detect, tickAfter(23));
    for (let i = 24; i < 28; i++) await tick(i, 12, 2000);

    // Act: the feed fails for an hour, which leaves the reports alone in the totals
    for (let i = 28; i < 40; i++) await tick(i, 12, "failed");
    const whileFailed = [...transitions];
    // ...then it counts again, at the usual level
    for (let i = 40; i < 50; i++) await tick(i, 10, 10);

    // Assess
    expect(whileFailed).toEqual(["opened@24"]);
    expect(transitions).toEqual(["opened@24", "resolved@45"]);
    const { state } = await deps.detect.states.load("s");
    expect(state?.incident).toBeNull();
  });

  it("opens on a late count that collect wrote into a bucket already judged", async () => {
    // Prepare: a day and two hours of a quiet service (one a bucket), judged
    const { deps } = await pipelineOn(table, config);
    const series = deps.collect.series;
    const history = 26 * 12;
    for (let i = 0; i < history; i++) await series.putCount("s", "reports", bucket(i), 1);
    await detectIncidents(deps.detect, tickAfter(history - 1));
    const opened: number[] = [];
    const tick = async (i: number) => {
      const result = await detectIncidents(deps.detect, tickAfter(i));
      for (const t of result.transitions) if (t.transition === "opened") opened.push(i);
    };

    // Act: three buckets of 7 reports as first counted (not yet 20 too many), then the
    // late reports of the last of them, and the next bucket
    for (let i = history; i < history + 3; i++) {
      await series.putCount("s", "reports", bucket(i), 7);
      await tick(i);
    }
    const before = [...opened];
    await series.putCount("s", "reports", bucket(history + 2), 30);
    await series.putCount("s", "reports", bucket(history + 3), 7);
    await tick(history + 3);
    await tick(history + 3);

    // Assess: opened a bucket late, once
    expect(before).toEqual([]);
    expect(opened).toEqual([history + 3]);
  });
});
