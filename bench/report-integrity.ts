/**
 * `npm run bench -- report-integrity`: what floods of forged reports get, and what the
 * guards cost. Through the local HTTP server, behind one trusted proxy hop:
 * - 1,000 forged `X-Forwarded-For` values from one client, and 250 addresses of one /24:
 *   reports accepted against reports counted by the collect step;
 * - POST /reports throughput with the challenge off and on, side by side in rounds (the
 *   clients fetch and solve a cheap challenge per report; the server's work does not
 *   depend on the cost);
 * - how long one challenge at the default cost takes to solve in Node, the work a
 *   client (or a botnet) pays per report.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Challenge } from "altcha-lib";
import { solveReportChallenge } from "../contract/report-challenge-solver";
import { MINUTE_MS } from "../lambdas/domain/buckets";
import { parseConfig, ReportChallengeSchema } from "../lambdas/domain/config";
import { startLocalRuntime } from "../local/local-runtime";
import { ingestionRate, writesPerReport } from "./crowd-ingestion";

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Posts each report of `sendersSaw` (the address the proxy saw, and what the client wrote). */
async function flood(senders: { proxySaw: string; clientWrote?: string }[]) {
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-flood-"));
  const start = Date.parse("2024-06-01T12:00:30Z");
  let now = start;
  const runtime = await startLocalRuntime({
    config: parseConfig({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      // The per-address limit is not what is measured here.
      reports: { ratePerMinute: 10_000, challenge: false },
    }),
    dataDir,
    port: 0,
    trustedProxies: { hops: 1 },
    autoTick: false,
    clock: { now: () => now },
    print: () => undefined,
  });
  try {
    const outcomes: Record<string, number> = {};
    for (const sender of senders) {
      const forwarded = sender.clientWrote
        ? `${sender.clientWrote}, ${sender.proxySaw}`
        : sender.proxySaw;
      const response = await fetch(`${runtime.url}/reports`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": forwarded },
        body: JSON.stringify({ service: "t-mobile", problem: "no-signal" }),
      });
      const { status } = (await response.json()) as { status?: string };
      const outcome = status ?? String(response.status);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    now = start + 5 * MINUTE_MS;
    const { collect } = await runtime.tick();
    return { outcomes, counted: collect.latest["t-mobile"] ?? 0 };
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Milliseconds one default-cost challenge takes to solve here, for `solves` challenges. */
async function defaultSolveTimes(solves: number): Promise<number[]> {
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-solve-"));
  const runtime = await startLocalRuntime({
    config: parseConfig({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      reports: { challenge: ReportChallengeSchema.parse({}) },
    }),
    dataDir,
    port: 0,
    autoTick: false,
    print: () => undefined,
  });
  try {
    const times: number[] = [];
    for (let i = 0; i < solves; i++) {
      const challenge = (await (
        await fetch(`${runtime.url}/reports/challenge`)
      ).json()) as Challenge;
      const started = performance.now();
      await solveReportChallenge(challenge);
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const line = (outcomes: Record<string, number>) =>
  Object.entries(outcomes)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(", ");

/** Prints the figures; false when a flood got more counted than the rules allow. */
export async function benchReportIntegrity(total = 2000, concurrency = 16, rounds = 3) {
  console.log("\nReport integrity (local HTTP server, one trusted proxy hop)");
  const forged = await flood(
    Array.from({ length: 1000 }, (_, i) => ({
      clientWrote: `10.${(i >> 8) & 255}.${i & 255}.7`,
      proxySaw: "198.51.100.7",
    })),
  );
  console.log(
    `  1,000 forged X-Forwarded-For values from one client: ${line(forged.outcomes)}; counted ${forged.counted}`,
  );
  const network = await flood(
    Array.from({ length: 250 }, (_, i) => ({ proxySaw: `192.0.2.${i + 1}` })),
  );
  console.log(
    `  250 addresses of one /24 (perNetwork 10): ${line(network.outcomes)}; counted ${network.counted}`,
  );

  const off: number[] = [];
  const on: number[] = [];
  let allCounted = true;
  for (let round = 0; round < rounds; round++) {
    for (const [challenge, rates] of [
      [false, off],
      [true, on],
    ] as const) {
      const result = await ingestionRate(total, concurrency, challenge);
      rates.push(result.rate);
      allCounted &&= result.accepted === total && result.counted === total;
    }
  }
  const ratios = on.map((rate, i) => rate / (off[i] ?? rate));
  console.log(
    `  POST /reports, ${rounds} rounds of ${total} reports from distinct networks, ${concurrency} clients: challenge off median ${median(off).toFixed(0)} reports/s (${writesPerReport(false)} writes each), on ${median(on).toFixed(0)} reports/s (${writesPerReport(true)} writes, and a GET /reports/challenge per report); on/off per round ${ratios.map((r) => r.toFixed(2)).join(", ")}`,
  );
  const solves = await defaultSolveTimes(5);
  console.log(
    `  one challenge at the default cost, solved in Node here: median ${median(solves).toFixed(0)} ms (${solves.map((t) => t.toFixed(0)).join(", ")})`,
  );
  console.log(
    `  every report of those rounds accepted and counted once: ${allCounted ? "yes" : "NO"}`,
  );
  return forged.counted === 1 && network.counted === 10 && allCounted;
}
