/**
 * The local runtime on a metered store, for the cost and scale benches: the store runs
 * in a process of its own, every call of the pipeline goes through a {@link StoreMeter}
 * (counted, priced, slowed by a fixed latency), the clock is virtual (one schedule
 * period per tick), and reports can be posted from many addresses through one trusted
 * proxy hop. It drives the pipeline only through `tick()` and the HTTP API, so whatever
 * the runtime runs behind them is what gets measured.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { Config } from "../../lambdas/domain/config";
import {
  type DetectorState,
  initialDetectorState,
  stepDetector,
} from "../../lambdas/domain/detector";
import type { OutboundPolicy } from "../../lambdas/http/outbound-policy";
import { createDocumentClient, type TableRef } from "../../lambdas/store/client";
import { DynamoDetectorStateStore } from "../../lambdas/store/detector-state-store";
import { DynamoProgressStore } from "../../lambdas/store/progress-store";
import { DynamoReportStore } from "../../lambdas/store/report-store";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import { meteredClient, StoreMeter } from "./store-meter";
import { type StoreProcess, startStoreProcess } from "./store-process";

/** A running metered runtime. */
export interface MeteredRuntime {
  runtime: LocalRuntime;
  meter: StoreMeter;
  store: StoreProcess;
  /** An unmetered table on the same store, for seeding. */
  table: TableRef;
  /** The virtual time; each tick moves it one schedule period on. */
  now(): number;
  /** An HTTP request to the runtime's API; its status, body and milliseconds taken. */
  http(
    path: string,
    init?: { method?: string; body?: unknown; address?: string },
  ): Promise<{ status: number; body: string; ms: number }>;
  /** Bumps the data version, as a tick does, so the API's cached answers miss. */
  dataChanged(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the runtime on a metered store in its own process.
 * @example const bench = await startMeteredRuntime({ config, latencyMs: 5, start: Date.parse("2024-06-03T12:00:30Z") });
 */
export async function startMeteredRuntime(options: {
  config: Config;
  latencyMs: number;
  /** The virtual time of the first tick. */
  start: number;
  outbound?: OutboundPolicy;
}): Promise<MeteredRuntime> {
  const store = await startStoreProcess();
  const meter = new StoreMeter(options.latencyMs);
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-metered-"));
  let now = options.start;
  const period = options.config.scheduleMinutes * MINUTE_MS;
  const client = createDocumentClient({ endpoint: store.endpoint });
  const table = { client, tableName: store.tableName };
  try {
    const runtime = await startLocalRuntime({
      config: options.config,
      dataDir,
      port: 0,
      autoTick: false,
      trustedProxies: { hops: 1 },
      ...(options.outbound ? { outbound: options.outbound } : {}),
      clock: {
        now: () => now,
        advance: () => {
          now += period;
        },
      },
      print: () => undefined,
      // The store process's, not the runtime's own embedded store: that one stays idle.
      storeClient: () => meteredClient(store.endpoint, meter),
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const http: MeteredRuntime["http"] = (path, init = {}) =>
      new Promise((resolve, reject) => {
        const body = init.body === undefined ? undefined : JSON.stringify(init.body);
        const started = performance.now();
        const req = request(
          `${runtime.url}${path}`,
          {
            method: init.method ?? "GET",
            agent,
            headers: {
              ...(body
                ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
                : {}),
              "x-forwarded-for": init.address ?? "10.255.255.1",
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () =>
              resolve({
                status: response.statusCode ?? 0,
                body: Buffer.concat(chunks).toString("utf8"),
                ms: performance.now() - started,
              }),
            );
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const progress = new DynamoProgressStore(table);
    return {
      runtime,
      meter,
      store,
      table,
      now: () => now,
      http,
      dataChanged: () => progress.markChanged(),
      async stop() {
        agent.destroy();
        await runtime.stop();
        client.destroy();
        await store.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    client.destroy();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The detector state of a quiet service that has run for three weeks up to `until`
 * (its last bucket): a few reports an hour, so the baseline's slots are learned, which
 * makes the state as large as it gets in steady operation.
 */
export function warmDetectorState(config: Config, until: number): DetectorState {
  const width = config.bucketMinutes * MINUTE_MS;
  const next = random(7);
  let state = initialDetectorState();
  const context = {
    service: "bench",
    timeZone: "UTC",
    bucketMinutes: config.bucketMinutes,
    settings: config.detector,
  };
  for (let at = until - 21 * 24 * 60 * MINUTE_MS; at <= until; at += width) {
    // About one report in three buckets, a little more by day.
    const hour = new Date(at).getUTCHours();
    const mean = hour >= 8 && hour < 22 ? 0.45 : 0.15;
    const count = next() < mean ? 1 : 0;
    state = stepDetector(state, { bucketStart: at, count }, context).state;
  }
  return state;
}

/** Saves `state` as every service's first revision, `concurrency` writes at a time. */
export async function seedDetectorStates(
  table: TableRef,
  services: readonly string[],
  state: DetectorState,
  concurrency = 32,
): Promise<void> {
  const states = new DynamoDetectorStateStore(table);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < services.length) {
        const id = services[next++];
        if (id) await states.save(id, state, 0);
      }
    }),
  );
}

/**
 * One crowd report a day before `at`: the table of a deployment that has taken reports
 * before, whose report markers are believed (a new table reads every service's reports
 * until a window after its first report).
 */
export async function seedReportHistory(table: TableRef, config: Config, at: number) {
  const [service] = config.services;
  if (!service) return;
  const reports = new DynamoReportStore(table, {
    bucketMinutes: config.bucketMinutes,
    dedupMinutes: config.reports.dedupMinutes,
    shards: config.reports.shards,
    retentionDays: config.retentionDays,
    perNetwork: config.reports.perNetwork,
  });
  await reports.record({
    service: service.id,
    problem: "other",
    reporter: "history",
    network: "history",
    at: at - 24 * 60 * MINUTE_MS,
  });
}

/** Percentile `p` (0-1) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/**
 * The shard jobs of `fn` in a local tick's result (`shardMs`), in the form
 * {@link shardsOf} reads; undefined when the result has none.
 */
export function shardTimes(result: unknown, fn: "collect" | "detect"): unknown {
  const times = (result as { shardMs?: Record<string, number[]> } | null)?.shardMs?.[fn];
  return times ? { shards: times.map((ms, index) => ({ index, ms })) } : undefined;
}

/**
 * The shards a tick's result reports, when the runtime reports them (`shards` on the
 * collect or detect result, or on the tick's), each with its milliseconds when given.
 */
export function shardsOf(result: unknown): { name: string; ms: number | undefined }[] | undefined {
  const shards = (result as { shards?: unknown } | null)?.shards;
  if (!Array.isArray(shards)) return undefined;
  return shards.map((shard, i) => {
    const s = (shard ?? {}) as Record<string, unknown>;
    const ms = [s.durationMs, s.ms, s.elapsedMs].find((v) => typeof v === "number") as
      | number
      | undefined;
    const seconds = typeof s.seconds === "number" ? s.seconds * 1000 : undefined;
    const name = [s.shard, s.id, s.name, s.index].find((v) => v !== undefined);
    return { name: String(name ?? i), ms: ms ?? seconds };
  });
}
