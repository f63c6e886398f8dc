/**
 * A load generator run in its own process, as real clients are: POST /reports to the
 * local HTTP server from distinct addresses. Prints the seconds taken and the HTTP
 * statuses as JSON on stdout.
 *
 * Usage: tsx bench/load-generator.ts <url> <total> <concurrency>
 */

import { Agent, request } from "node:http";

const [target = "", totalText = "0", concurrencyText = "1"] = process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const statuses: Record<string, number> = {};

// Node's own HTTP client on kept-alive connections: light enough that the generator does
// not compete with the server for the CPU it measures.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const url = new URL(`${target}/reports`);

function one(i: number): Promise<void> {
  const body = JSON.stringify({ service: "t-mobile", problem: i % 2 ? "calls" : "no-signal" });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          // Distinct private-range addresses, one reporter each.
          "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
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
