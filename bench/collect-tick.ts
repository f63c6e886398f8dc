/**
 * One collect tick for many services, each with an RSS feed, a Statuspage page and a JSON
 * endpoint, all served by a local fixture server replaying the public formats, while one
 * source hangs. The tick must finish well inside a one-minute schedule: the hanging
 * source only costs its own deadline.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseIso } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { sourcesForService } from "../lambdas/sources/sources-for-service";
import { collectCounts, SOURCE_DEADLINE_MS } from "../lambdas/usecases/collect-counts";
import { buildDependencies } from "../lambdas/wiring/dependencies";
import { startEmbeddedStore } from "../local/embedded-store";
import { startFixtureServer } from "../test/support/fixture-server";
import { FIXTURE_NETWORK } from "../test/support/outbound";

const FIXTURES = join(import.meta.dirname, "..", "test", "fixtures");
const fixture = (path: string) => readFileSync(join(FIXTURES, path), "utf8");

/** Prints the tick's duration and failures; false when it took 5 s or more. */
export async function benchCollectTick(services = 100): Promise<boolean> {
  const server = await startFixtureServer();
  const store = await startEmbeddedStore({ tableName: "outcry" });
  try {
    const rss = {
      status: 200,
      headers: { "content-type": "application/rss+xml" },
      body: fixture("feeds/google-news-search.rss"),
    };
    const json = (path: string) => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: fixture(path),
    });
    for (let i = 0; i < services; i++) {
      server.route(`/feeds/${i}.rss`, rss);
      server.route(`/pages/${i}/api/v2/summary.json`, json("statuspage/summary.json"));
      server.route(`/pages/${i}/api/v2/incidents.json`, json("statuspage/incidents.json"));
      server.route(`/tickets/${i}.json`, json("http-json/zendesk-ticket-count.json"));
    }
    // One JSON endpoint never answers within the tick.
    server.route("/tickets/0.json", {
      ...json("http-json/zendesk-ticket-count.json"),
      delayMs: 60_000,
    });
    const config = parseConfig({
      services: Array.from({ length: services }, (_, i) => ({
        id: `service-${i}`,
        name: `Service ${i}`,
        category: "app",
        reports: { enabled: false },
        sources: [
          { kind: "rss", url: `${server.url}/feeds/${i}.rss`, include: ["outage", "down"] },
          { kind: "statuspage", url: `${server.url}/pages/${i}` },
          { kind: "http-json", url: `${server.url}/tickets/${i}.json`, pointer: "/count/value" },
        ],
      })),
    });
    const deps = buildDependencies({
      config,
      tableName: store.tableName,
      endpoint: store.endpoint,
      notifiers: () => [],
      salt: async () => "bench",
      now: Date.now,
      sources: (service, stores) => sourcesForService(service, stores, FIXTURE_NETWORK),
    });
    const started = performance.now();
    const result = await collectCounts(deps.collect, parseIso("2023-02-14T03:26:00Z"));
    const seconds = (performance.now() - started) / 1000;
    const ok = seconds < 5;
    console.log(
      `\nCollect tick: ${services} services x 3 sources (rss, statuspage, http-json) against a local fixture server, one source hanging`,
    );
    console.log(
      `  ${seconds.toFixed(2)} s (target under 5 s; a source's deadline is ${SOURCE_DEADLINE_MS / 1000} s); ${result.failures.length} failed: ${result.failures.map((f) => `${f.service}/${f.source}: ${f.error}`).join("; ")}`,
    );
    return ok;
  } finally {
    await server.close();
    await store.close();
  }
}
