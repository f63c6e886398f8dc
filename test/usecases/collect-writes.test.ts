/**
 * collect writes what changed: a bucket read again with the same count is not written
 * again, nor is the health of a source that keeps succeeding with nothing new; a count
 * that changed is, and so is everything after a failure. A failing source marks each
 * bucket failed once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastClosedBucket, MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { CountSource } from "../../lambdas/domain/count-source";
import type { SeriesStore, SourceHealthStore } from "../../lambdas/domain/ports";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

describe("collect's writes", () => {
  it("skips unchanged buckets and health, and writes what changed", async () => {
    // Prepare: one service whose source answers `count` for every bucket, or fails
    const config = parseConfig({ services: [{ id: "s", name: "S", category: "app" }] });
    const { deps } = await pipelineOn(table, config);
    let count = 1;
    let failing = false;
    const source: CountSource = {
      id: "feed",
      weight: 1,
      async read(request) {
        if (failing) throw new Error("injected failure");
        return { counts: request.buckets.map(() => count) };
      },
    };
    const writes: string[] = [];
    const series: SeriesStore = {
      putCount: async (...args) => {
        writes.push(`series ${args[2]}=${args[3]}`);
        return deps.collect.series.putCount(...args);
      },
      markFailed: async (...args) => {
        for (const bucket of args[2]) writes.push(`mark ${bucket}`);
        return deps.collect.series.markFailed(...args);
      },
      range: (...args) => deps.collect.series.range(...args),
      pointsAt: (...args) => deps.collect.series.pointsAt(...args),
    };
    const health: SourceHealthStore = {
      recordSuccess: async (...args) => {
        writes.push("health");
        return deps.collect.health.recordSuccess(...args);
      },
      recordFailure: (...args) => deps.collect.health.recordFailure(...args),
      list: (service) => deps.collect.health.list(service),
    };
    const collect = { ...deps.collect, series, health, sourcesFor: () => [source] };
    const at = parseIso("2024-01-01T00:06:00Z");
    const tick = async (time: number) => {
      writes.length = 0;
      await collectCounts(collect, time);
      return [...writes];
    };

    // Act and assess: the first tick writes its three buckets and the health
    expect(await tick(at)).toHaveLength(4);
    // The same buckets again, unchanged: nothing written
    expect(await tick(at + MINUTE_MS)).toEqual([]);
    // A bucket closes: only it, and the health that records it
    const next = lastClosedBucket(at + 5 * MINUTE_MS, 5);
    expect(await tick(at + 5 * MINUTE_MS)).toEqual([`series ${next}=1`, "health"]);
    // The counts change: every bucket read again
    count = 2;
    expect(await tick(at + 6 * MINUTE_MS)).toHaveLength(4);
    // A failure, then a success with the same counts: the health is written again (the
    // failure marks nothing: every bucket it read holds the source's count)
    failing = true;
    expect(await tick(at + 7 * MINUTE_MS)).toEqual([]);
    failing = false;
    expect(await tick(at + 8 * MINUTE_MS)).toEqual(["health"]);
    const [point] = await deps.collect.series.range("s", next, next);
    expect(point?.counts.feed).toBe(2);
  });

  it("marks a failing source's buckets once each, however many ticks it keeps failing", async () => {
    // Prepare: a source that fails from the start
    const config = parseConfig({ services: [{ id: "s", name: "S", category: "app" }] });
    const { deps } = await pipelineOn(table, config);
    const source: CountSource = {
      id: "feed",
      weight: 1,
      read: async () => {
        throw new Error("injected failure");
      },
    };
    const marks: number[] = [];
    const series: SeriesStore = {
      putCount: (...args) => deps.collect.series.putCount(...args),
      markFailed: async (...args) => {
        marks.push(...args[2]);
        return deps.collect.series.markFailed(...args);
      },
      range: (...args) => deps.collect.series.range(...args),
      pointsAt: (...args) => deps.collect.series.pointsAt(...args),
    };
    const collect = { ...deps.collect, series, sourcesFor: () => [source] };
    const at = parseIso("2024-01-01T00:06:00Z");

    // Act: four ticks on the same three buckets, then one once a bucket closes
    for (let minute = 0; minute < 4; minute++)
      await collectCounts(collect, at + minute * MINUTE_MS);
    await collectCounts(collect, at + 5 * MINUTE_MS);

    // Assess: the three buckets, then only the new one
    const newest = lastClosedBucket(at + 5 * MINUTE_MS, 5);
    expect(marks).toEqual([
      newest - 15 * MINUTE_MS,
      newest - 10 * MINUTE_MS,
      newest - 5 * MINUTE_MS,
      newest,
    ]);
    const points = await deps.collect.series.range("s", newest - 10 * MINUTE_MS, newest);
    expect(points.map((p) => p.failed)).toEqual([["feed"], ["feed"], ["feed"]]);
  });
});
