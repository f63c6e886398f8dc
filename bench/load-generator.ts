/**
 * A load generator run in its own process, as real clients are: POST /reports to the
 * local HTTP server from distinct addresses. Prints the seconds taken and the HTTP
 * statuses as JSON on stdout.
 *
 * Usage: tsx bench/load-generator.ts <url> <total> <concurrency>
 */

const [target = "", totalText = "0", concurrencyText = "1"] = process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const statuses: Record<string, number> = {};

async function one(i: number): Promise<void> {
  const response = await fetch(`${target}/reports`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      // Distinct documentation-range addresses, one reporter each.
      "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    },
    body: JSON.stringify({ service: "t-mobile", problem: i % 2 ? "calls" : "no-signal" }),
  });
  await response.arrayBuffer();
  statuses[response.status] = (statuses[response.status] ?? 0) + 1;
}

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }),
);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, statuses })}\n`);

export {};
