/**
 * Ticks in shards on the real DynamoDB protocol (dynalite): the same incidents,
 * correlation and notifications as one whole tick; a shard that fails holds nobody else
 * back; the bucket is collected, and the tick delivered, once the last shard is done;
 * and a shard that runs out of time leaves different services behind each tick.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastClosedBucket, MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { CountSource } from "../../lambdas/domain/count-source";
import { parseCountsCsv } from "../../lambdas/domain/counts-csv";
import type { ShardJob } from "../../lambdas/domain/shards";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import {
  type DetectDependencies,
  detectIncidents,
  detectShard,
  tickThrough,
} from "../../lambdas/usecases/detect-incidents";
import { dispatchCollect } from "../../lambdas/usecases/dispatch-collect";
import { dispatchDetect } from "../../lambdas/usecases/dispatch-detect";
import { InProcessShardQueue } from "../../local/shard-queue";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

const SEED = join(import.meta.dirname, "../../examples/data/tmobile-2023-02-13.csv");
const FROM = parseIso("2023-02-13T18:00:00Z");
const TO = parseIso("2023-02-14T08:00:00Z");
const HOUR = 60 * MINUTE_MS;
const CARRIERS = [
  { id: "t-mobile", name: "T-Mobile", category: "carrier" },
  { id: "verizon", name: "Verizon", category: "carrier" },
  { id: "att", name: "AT&T", category: "carrier" },
];
const config = parseConfig({
  services: CARRIERS,
  notifications: { groupWindowMinutes: 60, peakMultiples: [] },
});
const seed = parseCountsCsv(readFileSync(SEED, "utf8"));
const tickAfter = (bucket: number) => bucket + 5 * MINUTE_MS + config.scheduleMinutes * MINUTE_MS;

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function seeded() {
  const pipeline = await pipelineOn(table, config);
  for (const series of seed) {
    for (let i = 0; i < series.times.length; i++) {
      const time = series.times[i] ?? 0;
      if (time < FROM - 24 * HOUR || time > TO) continue;
      await pipeline.deps.collect.series.putCount(
        series.service,
        "reports",
        time,
        series.counts[i] ?? 0,
      );
    }
  }
  return pipeline;
}

/** A detect tick in three shards, one service each, run one after another. */
async function shardedDetect(deps: DetectDependencies, at: number) {
  const through = await tickThrough(deps, at);
  const results = [];
  for (let index = 0; index < 3; index++) {
    results.push(await detectShard(deps, { at, through, shard: { index, count: 3 } }));
  }
  return results;
}

describe("detect in shards", () => {
  it("finds the incidents, correlation and messages one whole tick finds", async () => {
    // Prepare: the seed twice, one table run whole, the other in three shards
    const whole = await seeded();
    const sharded = await seeded();

    // Act: hourly ticks through the night, each followed a minute later by one that
    // brings no new bucket (its shards read no state, and the last still finishes it)
    for (let bucket = FROM + HOUR; bucket <= TO; bucket += HOUR) {
      for (const at of [tickAfter(bucket), tickAfter(bucket) + MINUTE_MS]) {
        await detectIncidents(whole.deps.detect, at);
        const shards = await shardedDetect(sharded.deps.detect, at);
        // Assess (each tick): only the last shard finishes the tick
        expect(shards.map((s) => s.tickComplete)).toEqual([false, false, true]);
        const between = at !== tickAfter(bucket);
        expect(shards.map((s) => s.skipped)).toEqual([between, between, between]);
      }
    }
    const incidents = async (deps: DetectDependencies) =>
      (await deps.incidents.list({ limit: 20 })).items.map(({ incident }) => ({
        id: incident.id,
        peak: incident.peak,
        resolvedAt: incident.resolvedAt,
        correlatedWith: incident.correlatedWith,
      }));

    // Assess: the same incidents, each correlated with the carriers of the other shards
    const expected = await incidents(whole.deps.detect);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(await incidents(sharded.deps.detect)).toEqual(expected);
    const tmobile = expected.find((i) => i.id.startsWith("t-mobile"));
    expect(tmobile?.correlatedWith).toEqual(["att", "verizon"]);
    // The same notifications, each once, the openings as one group.
    const keys = (sent: { key: string; transition: string }[]) =>
      sent.map((m) => `${m.transition} ${m.key}`).sort();
    expect(keys(sharded.notifier.sent)).toEqual(keys(whole.notifier.sent));
    expect(sharded.notifier.sent.filter((m) => m.transition === "opened")).toHaveLength(1);
  });

  it("saves the other shards when one fails, and delivers at the next hand-out", async () => {
    // Prepare: shard 1 (Verizon) cannot save its state on the surge's tick
    const { deps, notifier } = await seeded();
    const at = tickAfter(parseIso("2023-02-14T03:00:00Z"));
    const failing: DetectDependencies = {
      ...deps.detect,
      states: {
        load: (service) => deps.detect.states.load(service),
        loadMany: (services) => deps.detect.states.loadMany(services),
        save: async (service, state, expected) => {
          if (service === "verizon") throw new Error("injected: the store is unreachable");
          return deps.detect.states.save(service, state, expected);
        },
      },
    };
    const through = await tickThrough(deps.detect, at);

    // Act: the tick's three shards, the second failing; then the next tick's hand-out
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map((index) => detectShard(failing, { at, through, shard: { index, count: 3 } })),
    );
    const before = notifier.sent.length;
    const queue = new InProcessShardQueue();
    const next = await dispatchDetect(deps.detect, queue, at + config.scheduleMinutes * MINUTE_MS);

    // Assess: the failure stayed in its shard, the tick never finished, and the hand-out
    // of the next tick delivered the openings the others recorded
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(
      outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.tickComplete] : [])),
    ).toEqual([false, false]);
    expect(before).toBe(0);
    expect(next.delivery.sent.length).toBeGreaterThan(0);
    expect(notifier.sent.map((m) => m.service)).toContain("t-mobile");
    expect(queue.take()).toHaveLength(1);
    expect((await deps.detect.states.load("t-mobile")).state?.incident).not.toBeNull();
  });

  it("hands out one job per shard, all through the same bucket", async () => {
    // Prepare: 450 services at 200 a shard
    const many = parseConfig({
      services: Array.from({ length: 450 }, (_, i) => ({
        id: `s-${i}`,
        name: `S ${i}`,
        category: "app",
      })),
    });
    const { deps } = await pipelineOn(table, many);
    const queue = new InProcessShardQueue();
    const at = parseIso("2024-01-01T00:01:00Z");

    // Act
    await dispatchDetect(deps.detect, queue, at);
    await dispatchCollect(many, queue, at);

    // Assess
    const jobs: ShardJob[] = queue.take();
    expect(jobs.map((j) => `${j.kind} ${j.shard.index}/${j.shard.count}`)).toEqual([
      "detect 0/3",
      "detect 1/3",
      "detect 2/3",
      "collect 0/3",
      "collect 1/3",
      "collect 2/3",
    ]);
    expect(new Set(jobs.filter((j) => j.kind === "detect").map((j) => j.through)).size).toBe(1);
  });
});

describe("collect in shards", () => {
  /** A source that takes `ms` to read and notes which services it was asked for. */
  const slowSources =
    (ms: number, read: string[]) =>
    (service: string): CountSource[] => [
      {
        id: "slow",
        weight: 1,
        async read(request) {
          await new Promise((resolve) => setTimeout(resolve, ms));
          read.push(service);
          return { counts: request.buckets.map(() => 1) };
        },
      },
    ];

  it("marks the bucket collected when the last shard is done", async () => {
    // Prepare
    const { deps } = await pipelineOn(table, config);
    const read: string[] = [];
    const collect = { ...deps.collect, sourcesFor: slowSources(0, read) };
    const at = parseIso("2024-01-01T00:06:00Z");

    // Act
    const first = await collectCounts(collect, at, { shard: { index: 1, count: 2 } });
    const marked = await deps.collect.progress.collectedThrough();
    const again = await collectCounts(collect, at, { shard: { index: 1, count: 2 } });
    const last = await collectCounts(collect, at, { shard: { index: 0, count: 2 } });

    // Assess
    expect([first.tickComplete, again.tickComplete, last.tickComplete]).toEqual([
      false,
      false,
      true,
    ]);
    expect(marked).toBeNull();
    expect(await deps.collect.progress.collectedThrough()).toBe(lastClosedBucket(at, 5));
    expect(Object.keys(first.latest).sort()).toEqual(["att", "verizon"]);
    expect(Object.keys(last.latest)).toEqual(["t-mobile"]);
  });

  it("leaves different services behind each tick when a shard runs out of time", async () => {
    // Prepare: 40 services, reads that take longer than the tick allows for all of them
    const services = Array.from({ length: 40 }, (_, i) => ({
      id: `s-${i}`,
      name: `S ${i}`,
      category: "app",
    }));
    const crowded = parseConfig({ services });
    const { deps } = await pipelineOn(table, crowded);
    const read: string[] = [];
    const collect = { ...deps.collect, sourcesFor: slowSources(300, read) };

    // Act: ticks each with time for about one round of 32 reads
    const perTick: number[] = [];
    for (let tick = 0; tick < 6; tick++) {
      const before = read.length;
      const at = parseIso("2024-01-01T00:06:00Z") + tick * MINUTE_MS;
      await collectCounts(collect, at, { finishBy: Date.now() + 400 });
      perTick.push(read.length - before);
    }

    // Assess: no tick read them all, yet every service was read
    expect(Math.max(...perTick)).toBeLessThan(40);
    expect(new Set(read).size).toBe(40);
  });
});
