/**
 * `GET /services` at fleet sizes: DynamoDB calls and items asked for per page, and the
 * time to answer it (the use case against the embedded store, no answer cache), for the
 * first page, a page deep in the listing, and the status filters. Every service has a
 * detector state and a newest bucket; one in seven is recorded in an outage. Target: the
 * calls of a page do not grow with the number of services.
 */
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { lastClosedBucket, toIso } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { initialDetectorState } from "../lambdas/domain/detector";
import { createDocumentClient } from "../lambdas/store/client";
import { statusShard } from "../lambdas/store/service-status-store";
import { listServices, type ServiceFilters } from "../lambdas/usecases/list-services";
import { buildDependencies } from "../lambdas/wiring/dependencies";
import { startEmbeddedStore } from "../local/embedded-store";

const NOW = Date.parse("2024-06-01T12:03:00Z");

/** Writes `items` 25 at a time, a few batches at once. */
async function writeAll(
  client: ReturnType<typeof createDocumentClient>,
  tableName: string,
  items: Record<string, unknown>[],
) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map((batch) =>
        client.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
          }),
        ),
      ),
    );
  }
}

/** Prints calls, items asked for and milliseconds per page for each fleet size. */
export async function benchServicesListing(serviceCounts = [1_000, 10_000]): Promise<boolean> {
  console.log("\nGET /services per page (the use case on the embedded store, no answer cache)");
  console.log("services  page                         calls  keys asked  services  ms");
  let bounded = true;
  const callsOf = new Map<string, number>();
  for (const count of serviceCounts) {
    const store = await startEmbeddedStore({ tableName: "outcry" });
    try {
      const client = createDocumentClient({ endpoint: store.endpoint });
      const tally = { calls: 0, keys: 0 };
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> };
          tally.calls++;
          tally.keys += Object.values(input.RequestItems ?? {}).reduce(
            (sum, entry) => sum + (entry.Keys?.length ?? 1),
            0,
          );
          return next(args);
        },
        { step: "initialize", name: "countRequests" },
      );
      const ids = Array.from({ length: count }, (_, i) => `service-${i}`);
      const config = parseConfig({
        services: ids.map((id, i) => ({
          id,
          name: `Service ${i}`,
          category: ["carrier", "isp", "cloud", "app"][i % 4],
        })),
      });
      const latest = lastClosedBucket(NOW, config.bucketMinutes);
      const state = JSON.stringify({ ...initialDetectorState(), lastBucket: latest });
      await writeAll(client, store.tableName, [
        ...ids.map((id) => ({ pk: `D#${id}`, sk: "state", state, revision: 1 })),
        ...ids.map((id, i) => ({ pk: `S#${id}`, sk: toIso(latest), c_reports: i % 50 })),
        ...ids.flatMap((id, i) => {
          if (i % 7 !== 0) return [];
          const record = { status: "outage", openIncident: `${id}-20240601T1100Z`, asOf: latest };
          return [
            { pk: `ST#${statusShard(id)}`, sk: id, ...record },
            { pk: "SX#outage", sk: id, ...record },
          ];
        }),
      ]);
      const deps = buildDependencies({
        config,
        tableName: store.tableName,
        client,
        notifiers: () => [],
        salt: async () => "bench",
        now: () => NOW,
      }).api;
      const deep = config.services[Math.floor(count / 2) - 1]?.id ?? "";
      const deepCursor = async () => {
        // The cursor of the page that starts half way: follow pages of 500 to there.
        let cursor: string | undefined;
        for (let seen = 0; seen < count / 2; seen += 500) {
          cursor = (await listServices(deps, { limit: 500, cursor }, NOW)).next ?? undefined;
        }
        return cursor;
      };
      const cases: [string, ServiceFilters | (() => Promise<ServiceFilters>)][] = [
        ["first, limit 100", { limit: 100 }],
        ["first, limit 500", { limit: 500 }],
        [`after ${deep}`, async () => ({ limit: 100, cursor: await deepCursor() })],
        ["status=outage, limit 100", { status: "outage", limit: 100 }],
        ["status=normal, limit 100", { status: "normal", limit: 100 }],
        ["category=isp, limit 100", { category: "isp", limit: 100 }],
      ];
      for (const [name, made] of cases) {
        const filters = typeof made === "function" ? await made() : made;
        // Warm once (connections, code), then measure the median of five.
        await listServices(deps, filters, NOW);
        const times: number[] = [];
        let listed = 0;
        for (let run = 0; run < 5; run++) {
          tally.calls = 0;
          tally.keys = 0;
          const started = performance.now();
          listed = (await listServices(deps, filters, NOW)).services.length;
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const previous = callsOf.get(name);
        if (previous !== undefined && tally.calls > previous) bounded = false;
        callsOf.set(name, tally.calls);
        console.log(
          `${String(count).padStart(8)}  ${name.padEnd(27)}  ${String(tally.calls).padStart(5)}  ${String(tally.keys).padStart(10)}  ${String(listed).padStart(8)}  ${(times[2] ?? 0).toFixed(0).padStart(4)}`,
        );
      }
      client.destroy();
    } finally {
      await store.close();
    }
  }
  console.log(`  calls per page independent of the number of services: ${bounded ? "ok" : "OVER"}`);
  return bounded;
}
