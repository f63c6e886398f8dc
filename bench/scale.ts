/**
 * The pipeline at 1,000 and 10,000 services (crowd reports only) on a metered store with
 * 5 ms per call: each function's tick (and each shard's, when the tick reports shards),
 * calls per service, `GET /services` over real HTTP cold and warm, and the monthly cost
 * per service from the cost bench's model; then the notification drain of 1,000
 * services opening at once (`mass-outage.ts`).
 *
 * The store (dynalite) runs in a process of its own but on this machine, and it is
 * slower than DynamoDB at this rate: calls queue in it beyond the injected latency. So
 * besides the wall time, each function gets a projection for AWS: the wall time with
 * each call's time brought back to the injected latency (time spent waiting on calls
 * scales with their duration), or its CPU time at Lambda's share of a vCPU for its
 * memory (1,769 MB a vCPU), whichever is longer.
 */
import { VERSION_MEMO_MS } from "../lambdas/api/response-cache";
import { lastClosedBucket, MINUTE_MS } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { perServiceTick, type TickFigures } from "./cost";
import { benchMassOutage } from "./mass-outage";
import {
  type MeteredRuntime,
  percentile,
  seedDetectorStates,
  seedReportHistory,
  shardsOf,
  shardTimes,
  startMeteredRuntime,
  warmDetectorState,
} from "./support/metered-runtime";
import {
  DYNAMO_TARGET_PER_SERVICE_MONTH,
  dynamoOf,
  functionSettings,
  LAMBDA_MB_PER_VCPU,
  monthlyModel,
} from "./support/pricing";
import type { CallRow } from "./support/store-meter";

const LATENCY_MS = 5;
/** `GET /services` p95, cold, at most. */
const LIST_P95_TARGET_MS = 200;
/** A tick's work is "well inside" its timeout when it takes at most this share of it. */
const TIMEOUT_SHARE = 0.5;
/** Lambda's response payload limit (a larger answer fails in AWS). */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

/** One function's part of one tick. */
interface FunctionTick {
  fn: string;
  wallMs: number;
  cpuMs: number;
  calls: number;
  meanStoreMs: number;
  peakInFlight: number;
  projectedMs: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

function functionTicks(bench: MeteredRuntime, memory: (fn: string) => number): FunctionTick[] {
  const { meter } = bench;
  const out: FunctionTick[] = [];
  for (const fn of meter.functions()) {
    const span = meter.spanOf(fn);
    if (!span) continue;
    const total = meter.total(fn);
    const wallMs = span.lastEnd - span.firstStart;
    const cpuMs = Math.max(0, (span.cpuAtLast - span.cpuAtFirst) / 1000 - span.meterMs);
    const meanStoreMs = total.calls > 0 ? total.storeMs / total.calls : 0;
    const latencyBound = (wallMs * LATENCY_MS) / (LATENCY_MS + meanStoreMs);
    const cpuBound = (cpuMs * LAMBDA_MB_PER_VCPU) / memory(fn);
    out.push({
      fn,
      wallMs,
      cpuMs,
      calls: total.calls,
      meanStoreMs,
      peakInFlight: span.peakInFlight,
      projectedMs: Math.max(latencyBound, cpuBound),
    });
  }
  return out;
}

/** Rows times `weight` (to stand for several ticks alike). */
function weighted(rows: readonly CallRow[], weight: number): CallRow[] {
  return rows.map((r) => ({
    ...r,
    calls: r.calls * weight,
    readUnits: r.readUnits * weight,
    writeUnits: r.writeUnits * weight,
    items: r.items * weight,
  }));
}

/** Measures one fleet size; false when a target is missed. */
async function benchScaleAt(services: number, coldSamples: number): Promise<boolean> {
  const ids = Array.from({ length: services }, (_, i) => `service-${i}`);
  const config = parseConfig({
    services: ids.map((id, i) => ({ id, name: `Service ${i}`, category: "app" })),
    reports: { challenge: false },
  });
  const settings = functionSettings();
  const memory = (fn: string) => settings[fn]?.memoryMb ?? 256;
  const width = config.bucketMinutes * MINUTE_MS;
  // The warm-up tick finds no new bucket for detect; the next one closes a bucket (every
  // function's heaviest tick), the one after is an ordinary minute.
  const heavy = Date.parse("2024-06-03T12:00:30Z");
  const started = performance.now();
  const bench = await startMeteredRuntime({
    config,
    latencyMs: LATENCY_MS,
    start: heavy - MINUTE_MS,
  });
  let ok = true;
  try {
    const state = warmDetectorState(config, lastClosedBucket(heavy, config.bucketMinutes) - width);
    await seedDetectorStates(bench.table, ids, state);
    await seedReportHistory(bench.table, config, heavy);
    const seeded = performance.now();
    const { meter } = bench;
    meter.recording = false;
    meter.phase = "tick";
    // A tick that fails (the local runtime gives each function 60 s) is a missed target.
    const failed: string[] = [];
    const tick = () =>
      bench.runtime.tick().catch((error: Error) => {
        failed.push(error.message);
        return undefined;
      });
    await tick();
    meter.recording = true;
    const ticks: { label: string; functions: FunctionTick[]; rows: CallRow[]; shards: string[] }[] =
      [];
    for (const label of ["bucket closes", "ordinary minute"]) {
      meter.reset();
      meter.phase = "tick";
      const result = await tick();
      const missed = result?.collect.failures.length ?? 0;
      if (missed > 0)
        failed.push(`${label}: ${missed} sources not read (${result?.collect.failures[0]?.error})`);
      const functions = functionTicks(bench, memory);
      const shards: string[] = [];
      for (const [fn, part] of [
        ["collect", result?.collect],
        ["detect", result?.detect],
      ] as const) {
        const list = shardsOf((result && shardTimes(result, fn)) ?? part);
        const whole = functions.find((f) => f.fn === fn);
        if (!list || !whole) continue;
        const timed = list.filter((s) => s.ms !== undefined).map((s) => s.ms ?? 0);
        if (timed.length === 0) continue;
        const slowest = Math.max(...timed);
        // Each shard runs in a function of its own in AWS. Its wait on calls is brought
        // back to the injected latency as for a whole tick; its CPU is its share of the
        // tick's (the shards are balanced slices, run here in one process).
        const projected = Math.max(
          (slowest * LATENCY_MS) / (LATENCY_MS + whole.meanStoreMs),
          ((whole.cpuMs / list.length) * LAMBDA_MB_PER_VCPU) / memory(fn),
        );
        const limit = (settings[fn]?.timeoutS ?? 50) * 1000 * TIMEOUT_SHARE;
        const over = projected > limit;
        if (over) ok = false;
        shards.push(
          `${fn} ${list.length} shards: slowest ${seconds(slowest)} s measured, ${seconds(projected)} s projected for AWS  ≤ ${seconds(limit)}${over ? " OVER" : ""}`,
        );
      }
      ticks.push({ label, functions, rows: meter.rows(), shards });
    }

    // GET /services, the first page: warm (cached under the data version), then cold.
    meter.phase = "api";
    meter.recording = false;
    const first = await bench.http("/services");
    if (first.status !== 200) throw new Error(`GET /services answered ${first.status}`);
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) warm.push((await bench.http("/services")).ms);
    meter.reset();
    meter.recording = true;
    const cold: number[] = [];
    const coldProjected: number[] = [];
    for (let i = 0; i < coldSamples; i++) {
      meter.recording = false;
      await bench.dataChanged();
      // The API reads the data version at most once a second: past that, it sees the change.
      await new Promise((resolve) => setTimeout(resolve, VERSION_MEMO_MS + 20));
      meter.recording = true;
      const before = { ...meter.total("api"), meterMs: meter.spanOf("api")?.meterMs ?? 0 };
      const cpu = process.cpuUsage();
      const { ms } = await bench.http("/services");
      const used = process.cpuUsage(cpu);
      const after = meter.total("api");
      const calls = after.calls - before.calls;
      const meanStoreMs = calls > 0 ? (after.storeMs - before.storeMs) / calls : 0;
      const cpuMs =
        (used.user + used.system) / 1000 - ((meter.spanOf("api")?.meterMs ?? 0) - before.meterMs);
      cold.push(ms);
      coldProjected.push(
        Math.max(
          (ms * LATENCY_MS) / (LATENCY_MS + meanStoreMs),
          (cpuMs * LAMBDA_MB_PER_VCPU) / memory("api"),
        ),
      );
    }
    const coldRows = meter.rows();
    const coldCalls = meter.total().calls / coldSamples;

    // The month: one tick in `bucketMinutes / scheduleMinutes` closes a bucket, plus one
    // cold GET /services a tick (a dashboard left open).
    const cycle = config.bucketMinutes / config.scheduleMinutes;
    const [closing, ordinary] = ticks;
    const projected = (t: (typeof ticks)[number] | undefined, fn: string) =>
      t?.functions.find((f) => f.fn === fn)?.projectedMs ?? 0;
    const figures: TickFigures = {
      ticks: cycle,
      services,
      scheduleMinutes: config.scheduleMinutes,
      functionMs: Object.fromEntries(
        ["collect", "detect"].map((fn) => [
          fn,
          projected(closing, fn) + (cycle - 1) * projected(ordinary, fn),
        ]),
      ),
      invocations: { collect: cycle, detect: cycle },
      apiRequests: cycle,
      apiMs: cycle * percentile(cold, 0.5),
      sqsRequests: 0,
      snsPublishes: 0,
      rows: [
        ...(closing?.rows ?? []),
        ...weighted(ordinary?.rows ?? [], cycle - 1),
        ...weighted(coldRows, cycle / coldSamples),
      ],
    };
    const model = monthlyModel(perServiceTick(figures, settings), config.scheduleMinutes);
    const dynamo = dynamoOf(model);
    const total = model.reduce((sum, l) => sum + l.usd, 0);

    console.log(
      `\n  ${services.toLocaleString("en-US")} services (seeded in ${seconds(seeded - started)} s; warm detector states):`,
    );
    console.log(
      "    tick             function  wall s  CPU s  calls/svc  store ms/call  in flight  AWS s (projected)  target",
    );
    for (const tick of ticks) {
      for (const f of tick.functions) {
        // A function split into shards is held to its target shard by shard (below); its
        // whole tick here is every shard run in this one process.
        const sharded = tick.shards.some((line) => line.startsWith(`${f.fn} `));
        const limit = (settings[f.fn]?.timeoutS ?? 50) * 1000 * TIMEOUT_SHARE;
        const over = !sharded && f.projectedMs > limit;
        if (over) ok = false;
        const target = sharded
          ? "all shards, one process"
          : `≤ ${seconds(limit)}${over ? " OVER" : ""}`;
        console.log(
          `    ${tick.label.padEnd(15)}  ${f.fn.padEnd(8)}  ${seconds(f.wallMs).padStart(6)}  ${seconds(f.cpuMs).padStart(5)}  ${(f.calls / services).toFixed(2).padStart(9)}  ${f.meanStoreMs.toFixed(1).padStart(13)}  ${String(f.peakInFlight).padStart(9)}  ${seconds(f.projectedMs).padStart(17)}  ${target}`,
        );
      }
      for (const line of tick.shards) console.log(`    ${tick.label.padEnd(15)}  ${line}`);
    }
    for (const message of failed) {
      ok = false;
      console.log(`    a tick failed: ${message} OVER`);
    }
    const p95 = percentile(coldProjected, 0.95);
    const listOver = p95 > LIST_P95_TARGET_MS;
    const tooLarge = Buffer.byteLength(first.body) > LAMBDA_RESPONSE_LIMIT;
    if (listOver || tooLarge) ok = false;
    console.log(
      `    GET /services (first page, ${(Buffer.byteLength(first.body) / 1024).toFixed(0)} KB${tooLarge ? ", OVER Lambda's 6 MB response limit" : ""}): warm p50 ${percentile(warm, 0.5).toFixed(1)} ms, p95 ${percentile(warm, 0.95).toFixed(1)} ms (20 requests)`,
    );
    console.log(
      `      cold (${coldSamples} requests, each after a data change, ${coldCalls.toFixed(0)} store calls each): measured p50 ${percentile(cold, 0.5).toFixed(0)} ms, p95 ${percentile(cold, 0.95).toFixed(0)} ms; projected for AWS p50 ${percentile(coldProjected, 0.5).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target p95 ≤ ${LIST_P95_TARGET_MS} ms${listOver ? " OVER" : ""})`,
    );
    const dynamoOver = dynamo > DYNAMO_TARGET_PER_SERVICE_MONTH;
    console.log(
      `    projected per service-month: DynamoDB USD ${dynamo.toFixed(3)} (${model
        .filter((l) => l.item.startsWith("DynamoDB"))
        .map((l) => `${l.item.slice(9)} ${l.usd.toFixed(3)}`)
        .join(
          ", ",
        )})${dynamoOver ? " OVER" : ""}, everything USD ${total.toFixed(3)} (one dashboard open, no reports)`,
    );
    return ok && !dynamoOver;
  } finally {
    await bench.stop();
  }
}

/**
 * Prints the scale figures for each fleet size (`OUTCRY_BENCH_SCALE`, e.g. `1000` or
 * `1000,10000`; default both); false when a target is missed.
 */
export async function benchScale(
  sizes = (process.env.OUTCRY_BENCH_SCALE ?? "1000,10000").split(",").map(Number),
): Promise<boolean> {
  console.log(
    `\nScale (crowd reports only, ${LATENCY_MS} ms injected per store call, store in its own process; a tick's work must take at most ${TIMEOUT_SHARE * 100}% of its timeout, projected for AWS as the larger of the wall time at the injected latency and the CPU time at the function's share of a vCPU)`,
  );
  let ok = true;
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`not a fleet size: ${size}`);
    // At 10,000 a cold answer makes 20,000 store calls: three of them tell enough.
    ok = (await benchScaleAt(size, size > 2000 ? 3 : 20)) && ok;
  }
  return (await benchMassOutage()) && ok;
}
