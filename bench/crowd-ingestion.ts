/**
 * Crowd-report ingestion through the real local HTTP server into the embedded store,
 * side by side with the store's raw single-item write rate in the same run. Afterwards
 * the reports are counted by the collect step: none may be lost or counted twice.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { MINUTE_MS } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { createDocumentClient } from "../lambdas/store/client";
import { startEmbeddedStore } from "../local/embedded-store";
import { startLocalRuntime } from "../local/local-runtime";

const run = promisify(execFile);

const ROOT = join(import.meta.dirname, "..");

/** Runs the load generator in its own process, as clients are. */
export async function generateLoad(
  target: string,
  total: number,
  concurrency: number,
  mode: "plain" | "challenge" = "plain",
) {
  const { stdout } = await run(
    join(ROOT, "node_modules/.bin/tsx"),
    [join(ROOT, "bench/load-generator.ts"), target, String(total), String(concurrency), mode],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  return JSON.parse(stdout.trim()) as { seconds: number; statuses: Record<string, number> };
}

/** A measured rate, with the CPU time this process spent per operation. */
interface Rate {
  perSecond: number;
  /** CPU microseconds (user + system, every thread of this process) per operation. */
  cpuMicros: number;
}

/** Runs `work` and tells the rate of its `total` operations and their CPU cost here. */
async function measured(total: number, work: () => Promise<void>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: total / seconds, cpuMicros: (used.user + used.system) / total };
}

/** Raw single-item writes per second of a fresh on-disk embedded store, made the way the runtime makes them. */
async function rawWriteRate(total: number, concurrency: number): Promise<Rate> {
  // Through the AWS SDK, from the process that serves the store, conditional, on disk.
  const rawDir = await mkdtemp(join(tmpdir(), "outcry-raw-"));
  const raw = await startEmbeddedStore({ tableName: "outcry", dataDir: rawDir });
  const client = createDocumentClient({ endpoint: raw.endpoint });
  try {
    let next = 0;
    return await measured(total, async () => {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < total) {
            const i = next++;
            await client.send(
              new PutCommand({
                TableName: "outcry",
                Item: { pk: `R#bench#${i % 4}`, sk: randomUUID(), problem: "calls", reportedAt: i },
                ConditionExpression: "attribute_not_exists(pk)",
              }),
            );
          }
        }),
      );
    });
  } finally {
    client.destroy();
    await raw.close();
    await rm(rawDir, { recursive: true, force: true });
  }
}

/**
 * The challenge of the rounds that carry one: a few PBKDF2 rounds, so that the clients'
 * solving does not crowd out the server on a 2-core machine. The server's side of it (an
 * HMAC of the parameters and one of the key, then the spent-challenge write) is the same
 * at any cost.
 */
const BENCH_CHALLENGE = { cost: 1, maxCounter: 40, expiresSeconds: 300 };

/**
 * DynamoDB writes of one counted report: the address's minute counter, the report, its
 * network's counter and the removal of its uncounted mark; the challenge's spend with one.
 */
export function writesPerReport(challenge: boolean): number {
  return challenge ? 5 : 4;
}

/** Reports per second through a fresh local runtime, and whether every report was counted once. */
export async function ingestionRate(total: number, concurrency: number, challenge = false) {
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-ingest-"));
  const start = Date.parse("2024-06-01T12:00:30Z");
  let now = start;
  const runtime = await startLocalRuntime({
    config: parseConfig({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      reports: { ratePerMinute: 10_000, challenge: challenge ? BENCH_CHALLENGE : false },
    }),
    dataDir,
    port: 0,
    trustedProxies: { hops: 1 },
    autoTick: false,
    clock: { now: () => now },
    print: () => undefined,
  });
  try {
    let load: Awaited<ReturnType<typeof generateLoad>> | undefined;
    const { cpuMicros } = await measured(total, async () => {
      load = await generateLoad(runtime.url, total, concurrency, challenge ? "challenge" : "plain");
    });
    if (!load) throw new Error("the load generator gave no result");
    now = start + 5 * MINUTE_MS;
    const { collect } = await runtime.tick();
    const accepted = load.statuses["202"] ?? 0;
    const counted = collect.latest["t-mobile"] ?? 0;
    return { rate: total / load.seconds, cpuMicros, accepted, counted, statuses: load.statuses };
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Prints reports/s, the raw write rate and their ratio, alternating the two measurements
 * over several rounds so machine noise hits both alike; false when a report was lost or
 * doubled.
 */
export async function benchCrowdIngestion(
  total = 3000,
  concurrency = 16,
  // Single rounds swing by ±0.15 on a 2-core machine; the median of five is steadier.
  rounds = 5,
): Promise<boolean> {
  const raw: number[] = [];
  const http: number[] = [];
  const rawCpu: number[] = [];
  const httpCpu: number[] = [];
  let ok = true;
  let checked = "";
  for (let round = 0; round < rounds; round++) {
    const rawRate = await rawWriteRate(total, concurrency);
    raw.push(rawRate.perSecond);
    rawCpu.push(rawRate.cpuMicros);
    const result = await ingestionRate(total, concurrency);
    http.push(result.rate);
    httpCpu.push(result.cpuMicros);
    const good = result.accepted === total && result.counted === total;
    ok &&= good;
    checked += ` ${result.accepted}/${result.counted}${good ? "" : " MISMATCH"}`;
  }
  // A report is several writes: compare the writes it makes with the raw writes.
  const writes = writesPerReport(false);
  const ratios = http.map((rate, i) => (rate * writes) / (raw[i] ?? rate));
  console.log(
    `\nCrowd ingestion (${rounds} rounds of ${total} reports from distinct addresses, ${concurrency} concurrent clients in another process; local HTTP server + on-disk embedded store)`,
  );
  console.log(
    `  raw conditional writes through the SDK, as the runtime writes: median ${median(raw).toFixed(0)} writes/s`,
  );
  console.log(
    `  POST /reports end to end (challenge off, ${writes} writes a counted report): median ${median(http).toFixed(0)} reports/s; its writes against the raw writes, per round ${ratios.map((r) => r.toFixed(2)).join(", ")}, median ${median(ratios).toFixed(2)} (goal 0.8)`,
  );
  const cpuRatios = rawCpu.map((micros, i) => (micros * writes) / (httpCpu[i] ?? micros));
  console.log(
    `  CPU of the serving process per operation (all its threads): median ${median(rawCpu).toFixed(0)} us per raw write, ${median(httpCpu).toFixed(0)} us per report; per write, raw against report, median ${median(cpuRatios).toFixed(2)}`,
  );
  console.log(
    "  (on 2 cores the load generator's process takes CPU that the store's LevelDB threads use in the raw rounds, so the throughput ratio sits below the CPU ratio)",
  );
  console.log(
    `  accepted/counted afterwards per round:${checked} (none lost, none doubled when equal)`,
  );
  return ok;
}
