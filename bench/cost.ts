/**
 * What a watched service costs a month: the local runtime runs the pipeline for a mixed
 * fleet on a metered store (every DynamoDB call counted with the capacity units it
 * consumed, 5 ms injected per call), a tick a minute, with a dashboard refreshing
 * `GET /services` once a minute and crowd reports posted for a few services; the calls
 * and units per service per tick become a monthly model at list prices.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lastClosedBucket, MINUTE_MS } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { packState } from "../lambdas/store/detector-state-codec";
import { startFixtureServer } from "../test/support/fixture-server";
import { FIXTURE_NETWORK } from "../test/support/outbound";
import {
  type MeteredRuntime,
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
  type FunctionSettings,
  formatModel,
  functionSettings,
  MINUTES_PER_MONTH,
  monthlyModel,
  type PerServiceTick,
  PRICES,
  SQS_IDLE_RECEIVES_PER_MINUTE,
} from "./support/pricing";
import type { CallRow } from "./support/store-meter";

const FIXTURES = join(import.meta.dirname, "..", "test", "fixtures");

/** The fleet of the cost bench. */
export interface CostMix {
  services: number;
  /** Services that get reports (3 a minute each, from distinct networks). */
  withReports: number;
  /** Services that also read an HTTP JSON source (a local fixture server). */
  withHttp: number;
  reportsPerMinute: number;
  /** `GET /services` requests a minute: one dashboard left open refreshes once a minute. */
  dashboardRefreshesPerMinute: number;
}

export const DEFAULT_MIX: CostMix = {
  services: 200,
  withReports: 10,
  withHttp: 10,
  reportsPerMinute: 3,
  dashboardRefreshesPerMinute: 1,
};

/** What the measured ticks give, per tick, summed over the fleet. */
export interface TickFigures {
  ticks: number;
  services: number;
  scheduleMinutes: number;
  /** Wall milliseconds of each function's calls (first start to last end), summed over ticks. */
  functionMs: Record<string, number>;
  /** Invocations of each function, summed over ticks. */
  invocations: Record<string, number>;
  apiRequests: number;
  apiMs: number;
  sqsRequests: number;
  snsPublishes: number;
  rows: CallRow[];
}

/** The per-service-per-tick figures of the monthly model. */
export function perServiceTick(
  figures: TickFigures,
  settings: Record<string, FunctionSettings>,
): PerServiceTick {
  const per = figures.services * figures.ticks;
  const dynamo: PerServiceTick["dynamo"] = {};
  for (const row of figures.rows) {
    const entry = dynamo[row.fn] ?? { read: 0, write: 0 };
    entry.read += row.readUnits / per;
    entry.write += row.writeUnits / per;
    dynamo[row.fn] = entry;
  }
  const lambda: PerServiceTick["lambda"] = {};
  for (const [fn, ms] of Object.entries(figures.functionMs)) {
    const memoryGb = (settings[fn]?.memoryMb ?? 256) / 1024;
    lambda[fn] = {
      invocations: (figures.invocations[fn] ?? 0) / per,
      gbSeconds: (memoryGb * ms) / 1000 / per,
    };
  }
  lambda.api = {
    invocations: figures.apiRequests / per,
    gbSeconds: ((settings.api?.memoryMb ?? 512) / 1024) * (figures.apiMs / 1000 / per),
  };
  return {
    dynamo,
    lambda,
    sqsRequests: figures.sqsRequests / per,
    // Two queues' idle pollers, whatever the tick did, shared by the fleet.
    sqsIdleRequests: (SQS_IDLE_RECEIVES_PER_MINUTE * figures.scheduleMinutes) / figures.services,
    snsPublishes: figures.snsPublishes / per,
    apiRequests: figures.apiRequests / per,
  };
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

/** USD per service-month of a row. */
function rowUsd(row: CallRow, figures: TickFigures): number {
  const perMonth = MINUTES_PER_MONTH / figures.scheduleMinutes / (figures.services * figures.ticks);
  return (
    (row.readUnits * PRICES.dynamoReadUnit + row.writeUnits * PRICES.dynamoWriteUnit) * perMonth
  );
}

/** Calls and units per service per tick by function and command. */
export function formatByCommand(figures: TickFigures): string[] {
  const per = figures.services * figures.ticks;
  const groups = new Map<string, CallRow>();
  for (const row of figures.rows) {
    const key = `${row.fn}\t${row.command}`;
    const group = groups.get(key) ?? { ...row, calls: 0, readUnits: 0, writeUnits: 0, items: 0 };
    group.calls += row.calls;
    group.readUnits += row.readUnits;
    group.writeUnits += row.writeUnits;
    group.items += row.items;
    groups.set(key, group);
  }
  const lines = [
    "  function  command         calls    RRU      WRU      items read   (per service per tick)",
  ];
  const sorted = [...groups.values()].sort((a, b) => a.fn.localeCompare(b.fn) || b.calls - a.calls);
  for (const g of sorted) {
    lines.push(
      `  ${g.fn.padEnd(8)}  ${g.command.padEnd(14)}  ${fixed(g.calls / per, 3).padStart(6)}  ${fixed(g.readUnits / per, 3).padStart(6)}  ${fixed(g.writeUnits / per, 3).padStart(6)}  ${fixed(g.items / per, 3).padStart(9)}`,
    );
  }
  const calls = figures.rows.reduce((n, r) => n + r.calls, 0);
  lines.push(`  all calls: ${fixed(calls / per, 2)} per service per tick`);
  return lines;
}

/** The rows that cost most, with their share of DynamoDB. */
export function formatTopContributors(figures: TickFigures, count = 12): string[] {
  const per = figures.services * figures.ticks;
  const total = figures.rows.reduce((sum, r) => sum + rowUsd(r, figures), 0);
  const sorted = [...figures.rows].sort((a, b) => rowUsd(b, figures) - rowUsd(a, figures));
  const lines = [
    "  USD/svc-month  share  function  command      site (store method) and item            calls   WRU    RRU   (per service per tick)",
  ];
  for (const row of sorted.slice(0, count)) {
    const usd = rowUsd(row, figures);
    const failed = row.failedConditions > 0 ? ` (${row.failedConditions} refused)` : "";
    lines.push(
      `  ${fixed(usd, 4).padStart(13)}  ${`${Math.round((100 * usd) / (total || 1))}%`.padStart(5)}  ${row.fn.padEnd(8)}  ${row.command.padEnd(11)}  ${`${row.site} ${row.item}${failed}`.padEnd(38)}  ${fixed(row.calls / per, 3).padStart(5)}  ${fixed(row.writeUnits / per, 3).padStart(5)}  ${fixed(row.readUnits / per, 3).padStart(5)}`,
    );
  }
  return lines;
}

/** Runs `ticks` measured ticks (after `warmUp`) with the mix's API traffic around each. */
export async function measureTicks(
  bench: MeteredRuntime,
  options: {
    services: number;
    scheduleMinutes: number;
    warmUp: number;
    ticks: number;
    reportServices: readonly string[];
    reportsPerTick: number;
    dashboardRefreshes: number;
  },
): Promise<TickFigures> {
  const { meter } = bench;
  const figures: TickFigures = {
    ticks: options.ticks,
    services: options.services,
    scheduleMinutes: options.scheduleMinutes,
    functionMs: {},
    invocations: {},
    apiRequests: 0,
    apiMs: 0,
    sqsRequests: 0,
    snsPublishes: 0,
    rows: [],
  };
  let reporter = 0;
  for (let t = 0; t < options.warmUp + options.ticks; t++) {
    const measured = t >= options.warmUp;
    meter.recording = measured;
    meter.resetSpans();
    meter.phase = "api";
    // One after another, so each request's time is its own, as one invocation's would be.
    const posts = [];
    for (const service of options.reportServices) {
      for (let r = 0; r < options.reportsPerTick; r++) {
        const i = reporter++;
        posts.push(
          await bench.http("/reports", {
            method: "POST",
            body: { service, problem: "login" },
            address: `10.${(i >> 8) & 255}.${i & 255}.1`,
          }),
        );
      }
    }
    const refused = posts.filter((p) => p.status !== 202);
    if (refused.length > 0) {
      throw new Error(`a report was refused: ${refused[0]?.status} ${refused[0]?.body}`);
    }
    meter.phase = "tick";
    const result = await bench.runtime.tick();
    meter.phase = "api";
    const reads = [];
    for (let r = 0; r < options.dashboardRefreshes; r++) reads.push(await bench.http("/services"));
    if (!measured) continue;
    for (const fn of meter.functions()) {
      if (fn === "api") continue;
      const span = meter.spanOf(fn);
      if (!span) continue;
      figures.functionMs[fn] = (figures.functionMs[fn] ?? 0) + (span.lastEnd - span.firstStart);
    }
    for (const [fn, part] of [
      ["collect", result.collect],
      ["detect", result.detect],
    ] as const) {
      const shards = shardsOf(shardTimes(result, fn) ?? part);
      figures.invocations[fn] = (figures.invocations[fn] ?? 0) + (shards?.length ?? 1);
      // A queue-driven shard: a send, a receive and a delete each.
      if (shards) figures.sqsRequests += 3 * shards.length;
    }
    figures.snsPublishes += result.detect.delivery.sent.length;
    const api = [...posts, ...reads];
    figures.apiRequests += api.length;
    figures.apiMs += api.reduce((sum, r) => sum + r.ms, 0);
  }
  figures.rows = meter.rows();
  return figures;
}

/** Prints the cost model; false when DynamoDB per service-month is over the target. */
export async function benchCost(mix: CostMix = DEFAULT_MIX, ticks = 10): Promise<boolean> {
  const server = await startFixtureServer();
  const latencyMs = 5;
  const start = Date.parse("2024-06-03T12:00:30Z");
  let bench: MeteredRuntime | undefined;
  try {
    server.route("/tickets/count.json", {
      status: 200,
      headers: { "content-type": "application/json" },
      body: readFileSync(join(FIXTURES, "http-json/zendesk-ticket-count.json"), "utf8"),
    });
    const ids = Array.from({ length: mix.services }, (_, i) => `service-${i}`);
    const reportServices = ids.slice(0, mix.withReports);
    const httpServices = new Set(ids.slice(mix.withReports, mix.withReports + mix.withHttp));
    const config = parseConfig({
      services: ids.map((id, i) => ({
        id,
        name: `Service ${i}`,
        category: "app",
        ...(httpServices.has(id)
          ? {
              sources: [
                {
                  kind: "http-json",
                  url: `${server.url}/tickets/count.json`,
                  pointer: "/count/value",
                },
              ],
            }
          : {}),
      })),
      reports: { challenge: false, ratePerMinute: 10_000 },
    });
    bench = await startMeteredRuntime({ config, latencyMs, start, outbound: FIXTURE_NETWORK });
    const width = config.bucketMinutes * MINUTE_MS;
    const state = warmDetectorState(config, lastClosedBucket(start, config.bucketMinutes) - width);
    await seedDetectorStates(bench.table, ids, state);
    await seedReportHistory(bench.table, config, start);
    const figures = await measureTicks(bench, {
      services: mix.services,
      scheduleMinutes: config.scheduleMinutes,
      warmUp: 2,
      ticks,
      reportServices,
      reportsPerTick: mix.reportsPerMinute * config.scheduleMinutes,
      dashboardRefreshes: mix.dashboardRefreshesPerMinute * config.scheduleMinutes,
    });
    const settings = functionSettings();
    const lines = monthlyModel(perServiceTick(figures, settings), config.scheduleMinutes);
    const dynamo = dynamoOf(lines);
    const quiet = mix.services - mix.withReports - mix.withHttp;
    console.log(
      `\nCost per service-month (${mix.services} services: ${quiet} crowd-only and quiet, ${mix.withReports} getting ${mix.reportsPerMinute} reports a minute, ${mix.withHttp} also reading an HTTP JSON source; one dashboard refreshing GET /services ${mix.dashboardRefreshesPerMinute}x a minute; ${ticks} ticks at a ${config.scheduleMinutes}-minute schedule, ${config.bucketMinutes}-minute buckets, warm detector states of ${JSON.stringify(state).length.toLocaleString("en-US")} characters of JSON, stored packed in ${packState(state).length} bytes; ${latencyMs} ms per store call)`,
    );
    console.log(
      `  prices ${PRICES.region}: DynamoDB on demand USD ${PRICES.dynamoWriteUnit * 1e6} per million WRU, ${PRICES.dynamoReadUnit * 1e6} per million RRU; Lambda arm64 ${PRICES.lambdaRequest * 1e6} per million requests + ${PRICES.lambdaArmGbSecond} per GB-s (memory: ${Object.entries(
        settings,
      )
        .filter(([fn]) => fn in figures.functionMs || fn === "api")
        .map(([fn, s]) => `${fn} ${s.memoryMb} MB`)
        .join(
          ", ",
        )}); SQS ${PRICES.sqsRequest * 1e6}, SNS ${PRICES.snsPublish * 1e6} per million publishes, HTTP API ${PRICES.httpApiRequest * 1e6} per million requests; 30-day month, no free tier`,
    );
    console.log(
      "  shared items (PROGRESS, LEASE, the incident and outbox queries) are divided over the fleet; SQS counts 3 requests per shard and tick when the tick reports shards, and the pollers' empty receives (2 queues x 5 pollers x 3 a minute) as a fixed cost shared by the fleet",
    );
    console.log("");
    for (const line of formatModel(lines)) console.log(line);
    console.log("\n  DynamoDB calls by function and command:");
    for (const line of formatByCommand(figures)) console.log(line);
    console.log("\n  Top DynamoDB contributors:");
    for (const line of formatTopContributors(figures)) console.log(line);
    const over = dynamo > DYNAMO_TARGET_PER_SERVICE_MONTH;
    console.log(
      `\n  DynamoDB USD ${dynamo.toFixed(3)} per service-month (target ≤ ${DYNAMO_TARGET_PER_SERVICE_MONTH})${over ? " OVER" : ""}`,
    );
    return !over;
  } finally {
    await bench?.stop();
    await server.close();
  }
}
