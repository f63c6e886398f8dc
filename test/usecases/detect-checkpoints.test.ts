/**
 * Detect's checkpoints on the real DynamoDB protocol (dynalite), with every request
 * counted at the SDK boundary: a tick that brings no new bucket reads no detector state
 * and still delivers, correlating across shards as the tick before did; a service whose
 * save lost, a shard that failed and a service newly configured are all advanced by the
 * next tick, new bucket or not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { type Config, parseConfig } from "../../lambdas/domain/config";
import type { DetectorStateStore } from "../../lambdas/domain/ports";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import {
  type DetectDependencies,
  type DetectResult,
  detectIncidents,
  detectShard,
  tickThrough,
} from "../../lambdas/usecases/detect-incidents";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { countedClient, type SentRequest } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { BUCKET_MS, surgeCount, T0, tickAfter } from "../support/surge-series";
import { pipelineOn, RecordingNotifier } from "./pipeline-fixture";

/** The bucket `index` starts here. */
const bucket = (index: number) => T0 + index * BUCKET_MS;
const SERVICES = ["t-mobile", "verizon", "att"];
const configOf = (services: readonly string[]) =>
  parseConfig({
    services: services.map((id) => ({ id, name: id, category: "carrier" })),
    notifications: { groupWindowMinutes: 0, peakMultiples: [] },
  });

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

/** A fresh table with the surge series of every service in `SERVICES` through bucket 40. */
async function seeded() {
  const { tableName } = await table.freshTable();
  const { client, sent } = countedClient(table.store.endpoint);
  const series = new DynamoSeriesStore({ client, tableName }, 30);
  for (let index = 0; index <= 40; index++) {
    for (const service of SERVICES) {
      await series.putCount(service, "reports", bucket(index), surgeCount(service, index));
    }
  }
  const wall = { now: T0 };
  const notifier = new RecordingNotifier();
  /** Detect over `config` on the seeded table, its wall clock `wall.now`. */
  const detect = (config: Config = configOf(SERVICES)): DetectDependencies =>
    buildDependencies({
      config,
      tableName,
      client,
      notifiers: () => [notifier],
      salt: async () => "salt",
      now: () => wall.now,
    }).detect;
  return { sent, wall, notifier, detect };
}

/** The detector states `requests` read, by service. */
const stateReads = (requests: readonly SentRequest[]) =>
  requests
    .flatMap((r) => r.partitions.filter(() => r.command === "Query"))
    .flatMap((pk) => (pk.startsWith("D#") ? [pk.slice(2)] : []));

/** `run`'s result and the requests it sent. */
async function counted<T>(sent: SentRequest[], run: () => Promise<T>) {
  sent.length = 0;
  const result = await run();
  return { result, requests: [...sent] };
}

/** States that `store` saves except `service`'s, which it answers as `lost` or throws. */
function refusing(
  store: DetectorStateStore,
  service: string,
  how: "lost" | "throws",
): DetectorStateStore {
  return {
    load: (id) => store.load(id),
    loadMany: (ids) => store.loadMany(ids),
    save: async (id, state, expected) => {
      if (id !== service) return store.save(id, state, expected);
      if (how === "throws") throw new Error("injected: the store is unreachable");
      return false;
    },
  };
}

describe("detect checkpoints", () => {
  it("reads no state on a tick with no new bucket, and still delivers on it", async () => {
    // Prepare: the opening's first delivery fails
    const { sent, wall, notifier, detect } = await seeded();
    const deps = detect();
    notifier.failures = 1;

    // Act: a tick a minute through the surge
    const ticks: { index: number; minute: number; result: DetectResult; reads: string[] }[] = [];
    for (let index = 20; index <= 28; index++) {
      for (let minute = 0; minute < 5; minute++) {
        wall.now = tickAfter(index, minute);
        const { result, requests } = await counted(sent, () => detectIncidents(deps, wall.now));
        ticks.push({ index, minute, result, reads: stateReads(requests) });
        // Assess (each tick): a tick that settles no new bucket reads no state nor count
        if (minute > 0) {
          expect(requests.filter((r) => r.partitions[0]?.startsWith("S#"))).toEqual([]);
        }
      }
    }

    // Assess: every state read on each new bucket, none in the four minutes between
    const newBuckets = ticks.filter((t) => t.minute === 0);
    const between = ticks.filter((t) => t.minute > 0);
    expect(newBuckets.map((t) => [t.result.skipped, t.reads.sort()])).toEqual(
      newBuckets.map(() => [false, [...SERVICES].sort()]),
    );
    expect(between.map((t) => [t.result.skipped, t.reads])).toEqual(between.map(() => [true, []]));
    // The opening failed on its bucket's tick and went out on the next, a tick that
    // read no state; that tick still named the open incident.
    const failedAt = ticks.findIndex((t) => t.result.delivery.failed.length > 0);
    const opened = ticks[failedAt]?.result.delivery.failed[0]?.key ?? "none";
    expect(opened).toMatch(/^t-mobile-.*#opened$/);
    expect(ticks[failedAt]?.minute).toBe(0);
    expect(ticks[failedAt + 1]?.result.skipped).toBe(true);
    expect(ticks[failedAt + 1]?.result.delivery.sent).toEqual([opened]);
    expect(ticks[failedAt + 1]?.result.open.map((i) => i.service)).toEqual(["t-mobile"]);
    expect(notifier.sent.map((m) => m.key)).toEqual([opened]);
  });

  it("advances a service whose save lost on the next tick, though it brings no new bucket", async () => {
    // Prepare: a first tick saves every state
    const { sent, detect } = await seeded();
    const deps = detect();
    await detectIncidents(deps, tickAfter(20));

    // Act: Verizon's save loses on the next bucket's tick; then two ticks with no new bucket
    const losing = { ...deps, states: refusing(deps.states, "verizon", "lost") };
    const lost = await detectIncidents(losing, tickAfter(21));
    const next = await counted(sent, () => detectIncidents(deps, tickAfter(21, 1)));
    const after = await counted(sent, () => detectIncidents(deps, tickAfter(21, 2)));

    // Assess: the next tick read every state again and advanced Verizon; the one after
    // read none
    expect(lost.conflicts).toEqual(["verizon"]);
    expect((await deps.states.load("t-mobile")).state?.lastBucket).toBe(bucket(21));
    expect(next.result.skipped).toBe(false);
    expect(stateReads(next.requests).sort()).toEqual([...SERVICES].sort());
    expect(next.result.buckets).toBe(1);
    expect((await deps.states.load("verizon")).state?.lastBucket).toBe(bucket(21));
    expect(after.result.skipped).toBe(true);
    expect(stateReads(after.requests)).toEqual([]);
  });

  it("advances the services of a shard that failed on the next tick; the others read nothing", async () => {
    // Prepare: three shards of one service each, all saved once
    const { sent, detect } = await seeded();
    const deps = detect();
    const tick = async (at: number, over: DetectDependencies = deps) => {
      const through = await tickThrough(over, at);
      return Promise.allSettled(
        [0, 1, 2].map((index) => detectShard(over, { at, through, shard: { index, count: 3 } })),
      );
    };
    await tick(tickAfter(20));

    // Act: Verizon's shard fails on the next bucket's tick; then a tick with no new bucket
    const failing = { ...deps, states: refusing(deps.states, "verizon", "throws") };
    const failed = await tick(tickAfter(21), failing);
    const next = await counted(sent, () => tick(tickAfter(21, 1)));

    // Assess
    expect(failed.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(next.result.map((o) => (o.status === "fulfilled" ? o.value.skipped : o.status))).toEqual(
      [true, false, true],
    );
    expect(stateReads(next.requests)).toEqual(["verizon"]);
    expect((await deps.states.load("verizon")).state?.lastBucket).toBe(bucket(21));
  });

  it("reads every state of a shard whose services changed, and learns the new one at once", async () => {
    // Prepare: two carriers detected, then AT&T configured beside them
    const { sent, detect } = await seeded();
    const before = detect(configOf(["t-mobile", "verizon"]));
    await detectIncidents(before, tickAfter(20));
    const deps = detect(configOf(SERVICES));

    // Act: two ticks with no new bucket
    const next = await counted(sent, () => detectIncidents(deps, tickAfter(20, 1)));
    const after = await counted(sent, () => detectIncidents(deps, tickAfter(20, 2)));

    // Assess
    expect(next.result.skipped).toBe(false);
    expect(stateReads(next.requests).sort()).toEqual([...SERVICES].sort());
    expect((await deps.states.load("att")).state?.lastBucket).toBe(bucket(20));
    expect(after.result.skipped).toBe(true);
    expect(stateReads(after.requests)).toEqual([]);
  });

  it("correlates across shards on a tick that reads no state as on the tick before", async () => {
    // Prepare: A (shard 0) surges at 12:00 and is quiet from 12:15, still open (it resolves
    // after 2 h); B (shard 1) surges from 13:00, beyond the 30-minute window of A's surge
    const config = parseConfig({
      services: [
        { id: "a", name: "A", category: "carrier" },
        { id: "b", name: "B", category: "carrier" },
      ],
      detector: { resolveMinutes: 120 },
    });
    const { deps } = await pipelineOn(table, config);
    const surgeOf = { a: parseIso("2024-03-01T12:00:00Z"), b: parseIso("2024-03-01T13:00:00Z") };
    const last = parseIso("2024-03-01T13:15:00Z");
    for (let t = parseIso("2024-03-01T10:00:00Z"); t <= last; t += BUCKET_MS) {
      for (const service of ["a", "b"] as const) {
        const surging = t >= surgeOf[service] && t < surgeOf[service] + 15 * MINUTE_MS;
        await deps.collect.series.putCount(service, "reports", t, surging ? 900 : 10);
      }
    }
    const tick = async (at: number) => {
      const through = await tickThrough(deps.detect, at);
      const shards = [];
      for (const index of [0, 1]) {
        shards.push(await detectShard(deps.detect, { at, through, shard: { index, count: 2 } }));
      }
      return shards;
    };

    // Act: the tick that opens B, then one a minute later with no new bucket
    const peers = async () =>
      Object.fromEntries(
        (await deps.detect.incidents.list({ limit: 10 })).items.map(({ incident }) => [
          incident.service,
          incident.correlatedWith,
        ]),
      );
    const at = last + BUCKET_MS + MINUTE_MS;
    await tick(at);
    const before = await peers();
    const between = await tick(at + MINUTE_MS);

    // Assess: the finisher of the tick that read no state still knew A had gone quiet,
    // so A, whose surge ended before B's began, names nobody
    expect(between.map((s) => [s.skipped, s.tickComplete])).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(Object.keys(before).sort()).toEqual(["a", "b"]);
    expect(before.a).toEqual([]);
    expect(await peers()).toEqual(before);
  });
});
