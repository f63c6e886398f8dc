/**
 * Partial buckets on dynalite: a weighted source that fails marks the buckets it should
 * have written, so their totals read as partial; its next count of a bucket clears the
 * mark. A source that read nothing, one of weight 0, and buckets the source had counted
 * already are never marked, a bucket every weighted source failed stays a gap, and a
 * bucket holding only marks is not a service's latest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, parseIso, toIso } from "../../lambdas/domain/buckets";
import { combinedBucket } from "../../lambdas/domain/combine";
import { parseConfig } from "../../lambdas/domain/config";
import type { CountSource } from "../../lambdas/domain/count-source";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { serviceStatus } from "../../lambdas/usecases/query-status";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

/** A source that answers `counts(bucket)` for each bucket, or fails while `failing`. */
function switchable(id: string, weight: number, counts: (bucket: number) => number | null) {
  const source = {
    id,
    weight,
    failing: false as boolean,
    async read(request: { buckets: readonly number[] }) {
      if (source.failing) throw new Error(`${id} answered HTTP 503`);
      return { counts: request.buckets.map(counts) };
    },
  } satisfies CountSource & { failing: boolean };
  return source;
}

/** 12:01: the closed buckets read are 11:45, 11:50 and 11:55. */
const NOW = parseIso("2024-05-01T12:01:00Z");
const FIRST = parseIso("2024-05-01T11:45:00Z");
const clock = (ms: number) => toIso(ms).slice(11, 16);

/** Crowd reports with none posted: 0 each bucket, as the real source counts them. */
const crowd = () => switchable("reports", 1, () => 0);

/** A service whose sources are `sources` (the configuration's are not read). */
async function setUp(sources: CountSource[]) {
  const config = parseConfig({ services: [{ id: "s", name: "S", category: "app" }] });
  const { deps } = await pipelineOn(table, config);
  const collect = { ...deps.collect, sourcesFor: () => sources };
  /** The stored points from 11:45 to 12:00: time, counts and failure marks. */
  const stored = async () =>
    (await deps.collect.series.range("s", FIRST, parseIso("2024-05-01T12:00:00Z"))).map((p) => ({
      at: clock(p.bucketStart),
      counts: p.counts,
      failed: p.failed ?? [],
    }));
  return { deps, collect, stored };
}

describe("partial buckets", () => {
  it("marks the buckets a failing weighted source should have written, and its next count clears them", async () => {
    // Prepare: crowd reports (none posted: 0 each bucket) and a feed that fails
    const feed = switchable("feed", 1, () => 5);
    const { collect, stored } = await setUp([crowd(), feed]);
    feed.failing = true;

    // Act: a tick while the feed fails
    await collectCounts(collect, NOW);
    const failed = await stored();

    // Assess: every bucket of the read is marked for the feed, and reads as partial
    expect(failed).toEqual([
      { at: "11:45", counts: { reports: 0 }, failed: ["feed"] },
      { at: "11:50", counts: { reports: 0 }, failed: ["feed"] },
      { at: "11:55", counts: { reports: 0 }, failed: ["feed"] },
    ]);
    const weights = { reports: 1, feed: 1 };
    const [point] = await collect.series.range("s", FIRST, FIRST);
    expect(combinedBucket(point, weights)).toEqual({ count: 0, partial: true });

    // Act: the feed answers again a minute later (the same three buckets)
    feed.failing = false;
    await collectCounts(collect, NOW + MINUTE_MS);

    // Assess: its counts are in, the marks gone
    expect(await stored()).toEqual([
      { at: "11:45", counts: { reports: 0, feed: 5 }, failed: [] },
      { at: "11:50", counts: { reports: 0, feed: 5 }, failed: [] },
      { at: "11:55", counts: { reports: 0, feed: 5 }, failed: [] },
    ]);
    const [recounted] = await collect.series.range("s", FIRST, FIRST);
    expect(combinedBucket(recounted, weights)).toEqual({ count: 5, partial: false });
  });

  it("keeps a mark where the source, answering again, still has no count", async () => {
    // Prepare: the feed fails, then answers for the newest bucket only (a present value)
    let newestOnly = false;
    const feed = switchable("feed", 1, (bucket) =>
      newestOnly && bucket !== parseIso("2024-05-01T11:55:00Z") ? null : 3,
    );
    const { collect, stored } = await setUp([crowd(), feed]);
    feed.failing = true;
    await collectCounts(collect, NOW);

    // Act
    feed.failing = false;
    newestOnly = true;
    await collectCounts(collect, NOW + MINUTE_MS);

    // Assess: the two buckets it cannot tell keep the failure that left them without it
    expect(await stored()).toEqual([
      { at: "11:45", counts: { reports: 0 }, failed: ["feed"] },
      { at: "11:50", counts: { reports: 0 }, failed: ["feed"] },
      { at: "11:55", counts: { reports: 0, feed: 3 }, failed: [] },
    ]);
  });

  it("never marks a bucket the source counted, one it read nothing for, or a source of weight 0", async () => {
    // Prepare: a feed that reads nothing (0) and a status signal of weight 0
    const feed = switchable("feed", 1, () => 0);
    const signal = switchable("signal", 0, () => 1);
    const { collect, stored } = await setUp([crowd(), feed, signal]);
    await collectCounts(collect, NOW);

    // Act: both fail on the next tick, which reads the same buckets
    feed.failing = true;
    signal.failing = true;
    await collectCounts(collect, NOW + MINUTE_MS);
    // A new weighted source whose first read fails marks only the buckets it was asked for
    const late = switchable("late", 1, () => 1);
    late.failing = true;
    const later = await setUp([crowd(), late]);
    await collectCounts(later.collect, NOW + 5 * MINUTE_MS);

    // Assess: nothing marked; the new source's marks start at its first read (11:50)
    expect((await stored()).map((p) => p.failed)).toEqual([[], [], []]);
    expect(await later.stored()).toEqual([
      { at: "11:50", counts: { reports: 0 }, failed: ["late"] },
      { at: "11:55", counts: { reports: 0 }, failed: ["late"] },
      { at: "12:00", counts: { reports: 0 }, failed: ["late"] },
    ]);
  });

  it("leaves a bucket every weighted source failed a gap, not a partial zero", async () => {
    // Prepare: no crowd reports; the only weighted source fails
    const feed = switchable("feed", 2, () => 5);
    feed.failing = true;
    const { collect, stored } = await setUp([feed]);

    // Act
    const result = await collectCounts(collect, NOW);
    const [point] = await collect.series.range("s", FIRST, FIRST);

    // Assess: the marks are kept, the bucket has no total
    expect((await stored()).map((p) => p.failed)).toEqual([["feed"], ["feed"], ["feed"]]);
    expect(result.latest.s).toBeNull();
    expect(combinedBucket(point, { feed: 2 })).toEqual({ count: null, partial: false });
  });

  it("leaves a service's latest count at the newest bucket with data, not one holding only marks", async () => {
    // Prepare: crowd reports counted 7 at 11:45, then fail
    const reports = switchable("reports", 1, () => 7);
    const { deps, collect } = await setUp([reports]);
    await collect.series.putCount("s", "reports", FIRST, 7);
    reports.failing = true;

    // Act
    await collectCounts(collect, NOW);
    const service = collect.config.services[0];
    if (!service) throw new Error("no service");
    const summary = await serviceStatus(deps.api, service, NOW);

    // Assess: 11:50 and 11:55 hold only marks
    expect(summary.latest).toEqual({ at: "2024-05-01T11:45:00Z", count: 7 });
  });
});
