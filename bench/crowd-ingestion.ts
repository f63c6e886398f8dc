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
import { startEmbeddedStore } from "../lambdas/local/embedded-store";
import { startLocalRuntime } from "../lambdas/local/local-runtime";
import { createDocumentClient } from "../lambdas/store/client";

const run = promisify(execFile);

const ROOT = join(import.meta.dirname, "..");

/** Runs the load generator in its own process, as clients are. */
async function generateLoad(target: string, total: number, concurrency: number) {
  const { stdout } = await run(
    join(ROOT, "node_modules/.bin/tsx"),
    [join(ROOT, "bench/load-generator.ts"), target, String(total), String(concurrency)],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  return JSON.parse(stdout.trim()) as { seconds: number; statuses: Record<string, number> };
}

/** Prints reports/s, the raw write rate and their ratio; false when a report was lost or doubled. */
export async function benchCrowdIngestion(total = 3000, concurrency = 16): Promise<boolean> {
  // Raw single-item writes of report-sized items, made the way the local runtime makes
  // them: through the AWS SDK, from the process that serves the store, on disk.
  const rawDir = await mkdtemp(join(tmpdir(), "outcry-raw-"));
  const raw = await startEmbeddedStore({ tableName: "outcry", dataDir: rawDir });
  const client = createDocumentClient({ endpoint: raw.endpoint });
  let next = 0;
  const rawStarted = performance.now();
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
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  client.destroy();
  await raw.close();
  await rm(rawDir, { recursive: true, force: true });

  // The same number of reports from distinct addresses through the HTTP API.
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-ingest-"));
  const start = Date.parse("2024-06-01T12:00:30Z");
  let now = start;
  const runtime = await startLocalRuntime({
    config: parseConfig({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      reports: { ratePerMinute: 10_000 },
    }),
    dataDir,
    port: 0,
    trustProxy: true,
    autoTick: false,
    clock: { now: () => now },
    print: () => undefined,
  });
  try {
    const load = await generateLoad(runtime.url, total, concurrency);
    const httpSeconds = load.seconds;
    const statuses = new Map(Object.entries(load.statuses).map(([k, v]) => [Number(k), v]));
    now = start + 5 * MINUTE_MS;
    const { collect } = await runtime.tick();
    const counted = collect.latest["t-mobile"] ?? 0;
    const accepted = statuses.get(202) ?? 0;
    const rawRate = total / rawSeconds;
    const httpRate = total / httpSeconds;
    const ok = accepted === total && counted === total;
    console.log(
      `\nCrowd ingestion (${total} reports from distinct addresses, ${concurrency} concurrent clients in another process; local HTTP server + embedded store)`,
    );
    console.log(
      `  embedded store, raw conditional single-item writes through the SDK (as the runtime writes): ${rawRate.toFixed(0)} writes/s`,
    );
    console.log(
      `  POST /reports end to end:               ${httpRate.toFixed(0)} reports/s (ratio to raw writes ${(httpRate / rawRate).toFixed(2)}; goal 0.8)`,
    );
    console.log(
      `  accepted ${accepted}, counted afterwards ${counted}: ${ok ? "none lost, none doubled" : "MISMATCH"} (statuses ${JSON.stringify(Object.fromEntries(statuses))})`,
    );
    return ok;
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
