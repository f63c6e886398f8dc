/**
 * A load generator run in its own process, as real clients are: POST /reports to the
 * local HTTP server from distinct addresses, each in a network of its own (a /24), through
 * a proxy the runtime trusts (one `X-Forwarded-For` hop). With `challenge`, each report
 * first gets a challenge for its address and solves it, as the dashboard does. Prints the
 * seconds taken and the HTTP statuses as JSON on stdout.
 *
 * Usage: tsx bench/load-generator.ts <url> <total> <concurrency> [plain|challenge]
 */

import { Agent, request } from "node:http";
import type { Challenge } from "altcha-lib";
import { solveReportChallenge } from "../contract/report-challenge-solver";

const [target = "", totalText = "0", concurrencyText = "1", mode = "plain"] = process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const statuses: Record<string, number> = {};

// Node's own HTTP client on kept-alive connections: light enough that the generator does
// not compete with the server for the CPU it measures.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const url = new URL(`${target}/reports`);
const challengeUrl = new URL(`${target}/reports/challenge`);

/** The address of client `i`: private-range, one /24 each (65,536 of them). */
function address(i: number): string {
  return `10.${(i >> 8) & 255}.${i & 255}.1`;
}

/** A challenge issued to client `i`'s address, solved. */
function solvedFor(i: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      challengeUrl,
      { agent, headers: { "x-forwarded-for": address(i) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const challenge = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Challenge;
          solveReportChallenge(challenge).then(resolve, reject);
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function one(i: number): Promise<void> {
  const altcha = mode === "challenge" ? await solvedFor(i) : undefined;
  const body = JSON.stringify({
    service: "t-mobile",
    problem: i % 2 ? "calls" : "no-signal",
    altcha,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-forwarded-for": address(i),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          statuses[status] = (statuses[status] ?? 0) + 1;
          resolve();
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
process.stdout.write(`${JSON.stringify({ seconds, statuses })}\n`);
