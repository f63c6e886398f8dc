/**
 * `GET /services/{id}/series` for 24 hours of 1-minute buckets from 3 sources (1,441
 * points with the baseline band) through the real local HTTP server, 16 clients at once:
 * p50 and p95 latency and requests per second. The load comes from a separate process,
 * as clients do. Goal: p95 ≤ 50 ms.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MINUTE_MS } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { type DetectorState, initialDetectorState, stepDetector } from "../lambdas/domain/detector";
import { createDocumentClient } from "../lambdas/store/client";
import { DynamoDetectorStateStore } from "../lambdas/store/detector-state-store";
import { DynamoSeriesStore } from "../lambdas/store/series-store";
import { startEmbeddedStore } from "../local/embedded-store";
import { startLocalRuntime } from "../local/local-runtime";

const run = promisify(execFile);
const CLIENTS = 16;
const REQUESTS = 800;
const MISSES = 160;
const GOAL_P95_MS = 50;
const NOW = Date.parse("2024-03-02T12:00:30Z");
const SOURCES = ["reports", "news", "status"] as const;

/** A day-shaped count for minute `i` and source `s`, with a surge in the afternoon. */
function countAt(i: number, s: number): number {
  const daily = 20 + 15 * Math.sin((i / 1440) * 2 * Math.PI);
  const surge = i % 1440 > 900 && i % 1440 < 960 ? 400 : 0;
  return Math.round((daily + surge) / (s + 1));
}

/** Writes two days of counts and the detector state that learned them. */
async function seed(dataDir: string, config: ReturnType<typeof parseConfig>) {
  const store = await startEmbeddedStore({ dataDir: join(dataDir, "db"), tableName: "outcry" });
  try {
    const table = {
      client: createDocumentClient({ endpoint: store.endpoint }),
      tableName: "outcry",
    };
    const series = new DynamoSeriesStore(table, 30);
    const service = config.services[0];
    if (!service) throw new Error("no service");
    const context = {
      service: service.id,
      timeZone: service.timeZone,
      bucketMinutes: 1,
      settings: config.detector,
    };
    const first = NOW - 2 * 1440 * MINUTE_MS;
    let state: DetectorState = initialDetectorState();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 2 * 1440; i++) {
      const at = Math.floor(first / MINUTE_MS) * MINUTE_MS + i * MINUTE_MS;
      let total = 0;
      for (const [s, source] of SOURCES.entries()) {
        const count = countAt(i, s);
        total += count;
        // The API reads the last day only; the first day just teaches the baseline.
        if (i >= 1440) writes.push(series.putCount(service.id, source, at, count));
      }
      state = stepDetector(state, { bucketStart: at, count: total }, context).state;
      if (writes.length >= 64) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    await new DynamoDetectorStateStore(table).save(service.id, state, 0);
  } finally {
    await store.close();
  }
}

/** Prints the series latency figures; false when p95 misses the goal. */
export async function benchSeriesLatency(): Promise<boolean> {
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-series-"));
  const config = parseConfig({
    bucketMinutes: 1,
    services: [
      {
        id: "t-mobile",
        name: "T-Mobile",
        category: "carrier",
        sources: [
          { kind: "http-json", id: "news", url: "http://127.0.0.1:9/news", pointer: "/count" },
          { kind: "http-json", id: "status", url: "http://127.0.0.1:9/status", pointer: "/count" },
        ],
      },
    ],
  });
  try {
    await seed(dataDir, config);
    const runtime = await startLocalRuntime({
      config,
      dataDir,
      port: 0,
      autoTick: false,
      clock: { now: () => NOW },
      print: () => {},
    });
    try {
      const url = `${runtime.url}/services/t-mobile/series`;
      const probe = (await (await fetch(url)).json()) as { points: { baseline: number | null }[] };
      const script = join(dataDir, "series-load.mjs");
      await writeFile(script, LOAD_SCRIPT);
      const load = async (requests: number, distinct: boolean) => {
        const args = [script, url, String(requests), String(CLIENTS)];
        const { stdout } = await run(process.execPath, distinct ? [...args, String(NOW)] : args);
        const result = JSON.parse(stdout) as {
          latencies: number[];
          seconds: number;
          bytes: number;
        };
        const sorted = result.latencies.sort((a, b) => a - b);
        const at = (q: number) =>
          sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
        return { ...result, p50: at(0.5), p95: at(0.95), rate: requests / result.seconds };
      };
      // Warm-up, then the measured runs; all from another process.
      await load(64, false);
      const shared = await load(REQUESTS, false);
      const distinct = await load(MISSES, true);
      const p95 = shared.p95;
      console.log(
        `\nGET /services/{id}/series: 24 h of 1-minute buckets x ${SOURCES.length} sources (${probe.points.length} points, baseline band ${probe.points.some((p) => p.baseline !== null) ? "on" : "off"}), gzip, local runtime, ${CLIENTS} concurrent clients in another process`,
      );
      console.log(
        `  the same series (answered from the per-tick cache), ${REQUESTS} requests: p50 ${shared.p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  ${shared.rate.toFixed(0)} req/s  ${(shared.bytes / REQUESTS / 1024).toFixed(1)} KB/response  ${p95 <= GOAL_P95_MS ? "ok" : "OVER"} (goal p95 <= ${GOAL_P95_MS} ms)`,
      );
      console.log(
        `  a different range each time (a store query each), ${MISSES} requests: p50 ${distinct.p50.toFixed(1)} ms  p95 ${distinct.p95.toFixed(1)} ms  ${distinct.rate.toFixed(0)} req/s`,
      );
      return p95 <= GOAL_P95_MS;
    } finally {
      await runtime.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The load: CLIENTS loops over kept-alive connections, timing each request. */
const LOAD_SCRIPT = `
import { Agent, request } from "node:http";
const [url, totalText, clientsText, distinctFrom] = process.argv.slice(2);
const total = Number(totalText), clients = Number(clientsText);
const agent = new Agent({ keepAlive: true, maxSockets: clients });
const latencies = []; let bytes = 0; let next = 0;
function one(i) {
  // With distinctFrom, each request ends a minute earlier than the last: never the same answer.
  const target = distinctFrom
    ? url + "?to=" + new Date(Number(distinctFrom) - i * 60000).toISOString()
    : url;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request(target, { agent, headers: { "accept-encoding": "gzip" } }, (res) => {
      res.on("data", (chunk) => { bytes += chunk.length; });
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error("status " + res.statusCode));
        latencies.push(performance.now() - started); resolve();
      });
    }).on("error", reject).end();
  });
}
const started = performance.now();
await Promise.all(Array.from({ length: clients }, async () => { while (next < total) await one(next++); }));
console.log(JSON.stringify({ latencies, seconds: (performance.now() - started) / 1000, bytes }));
agent.destroy();
`;
