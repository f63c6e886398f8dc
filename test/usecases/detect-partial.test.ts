/**
 * detect on dynalite with the real detector: an outage carried mostly by a feed does not
 * resolve while the feed's reads fail (its buckets partial, their totals low), and
 * resolves once the feed counts again and the counts are back to normal; a late count
 * collect writes into a bucket already judged opens the incident the first count missed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

const WIDTH = 5 * MINUTE_MS;
const T0 = parseIso("2024-05-01T12:00:00Z");
const bucket = (i: number) => T0 + i * WIDTH;

/** Crowd reports and a feed, both of weight 1. */
const config = parseConfig({
  services: [
    {
      id: "s",
      name: "S",
      category: "app",
      sources: [{ kind: "replay", id: "feed", file: "feed.csv" }],
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

describe("detect with partial and late buckets", () => {
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
