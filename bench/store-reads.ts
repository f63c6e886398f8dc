/**
 * DynamoDB requests and items read per service per tick, counted at the SDK boundary
 * while collect and detect run against the embedded store: the detect step must read
 * O(1) items per service per tick (its maintained state and the newest buckets), not
 * weeks of raw history.
 */
import { MINUTE_MS } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { PUBLIC_ONLY } from "../lambdas/http/outbound-policy";
import { sourcesForService } from "../lambdas/sources/sources-for-service";
import { createDocumentClient } from "../lambdas/store/client";
import { collectCounts } from "../lambdas/usecases/collect-counts";
import { detectIncidents } from "../lambdas/usecases/detect-incidents";
import { buildDependencies } from "../lambdas/wiring/dependencies";
import { startEmbeddedStore } from "../local/embedded-store";

/** Prints requests and items per service per tick for several fleet sizes. */
export async function benchStoreReads(serviceCounts = [10, 100], ticks = 6): Promise<boolean> {
  console.log(
    "\nDynamoDB reads per service per tick (steady state, 5-minute buckets, crowd reports only, 4 shards)",
  );
  console.log("services  step     requests  items read  writes");
  for (const count of serviceCounts) {
    const store = await startEmbeddedStore({ tableName: "outcry" });
    try {
      const client = createDocumentClient({ endpoint: store.endpoint });
      const tallies = {
        collect: { requests: 0, items: 0, writes: 0 },
        detect: { requests: 0, items: 0, writes: 0 },
      };
      let step: keyof typeof tallies | null = null;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          if (!step) return result;
          const tally = tallies[step];
          const name = context.commandName ?? "";
          if (/^(Get|Query|Scan|BatchGet)/.test(name)) {
            tally.requests++;
            const output = result.output as {
              Count?: number;
              Item?: unknown;
              Responses?: Record<string, unknown[]>;
            };
            tally.items +=
              output.Count ??
              (output.Item ? 1 : 0) + Object.values(output.Responses ?? {}).flat().length;
          } else {
            tally.writes++;
          }
          return result;
        },
        { step: "initialize", name: "countRequests" },
      );
      const config = parseConfig({
        services: Array.from({ length: count }, (_, i) => ({
          id: `service-${i}`,
          name: `Service ${i}`,
          category: "app",
        })),
      });
      const deps = buildDependencies({
        config,
        tableName: store.tableName,
        client,
        notifiers: () => [],
        salt: async () => "bench",
        now: Date.now,
        sources: (service, stores) => sourcesForService(service, stores, PUBLIC_ONLY),
      });
      // Two hours of history (past the warm-up), then one detect run, so each measured tick
      // is the steady state.
      const start = Date.parse("2024-06-01T00:00:00Z");
      const width = 5 * MINUTE_MS;
      const historyBuckets = 2 * 12;
      await Promise.all(
        config.services.map(async (service) => {
          for (let b = 0; b < historyBuckets; b++) {
            await deps.collect.series.putCount(
              service.id,
              "reports",
              start + b * width,
              10 + (b % 7),
            );
          }
        }),
      );
      let now = start + historyBuckets * width + MINUTE_MS;
      await detectIncidents(deps.detect, now);
      for (let t = 0; t < ticks; t++) {
        now += width;
        step = "collect";
        await collectCounts(deps.collect, now);
        step = "detect";
        await detectIncidents(deps.detect, now);
        step = null;
      }
      const per = (n: number) => (n / count / ticks).toFixed(2);
      for (const name of ["detect", "collect"] as const) {
        const tally = tallies[name];
        console.log(
          `${String(count).padStart(8)}  ${name.padEnd(7)}  ${per(tally.requests).padStart(8)}  ${per(tally.items).padStart(10)}  ${per(tally.writes).padStart(6)}`,
        );
      }
      client.destroy();
    } finally {
      await store.close();
    }
  }
  return true;
}
