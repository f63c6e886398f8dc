/**
 * A local runtime with a day of the seed story already in its store, for the API's
 * contract test and the dashboard's browser test and bench: the 24 hours before `now` of T-Mobile, Verizon and AT&T (and any
 * extra services, replaying the same columns) are written as the `replay` source would
 * have written them, then one tick lets collect and detect run as usual, so the detector
 * learns from that history and opens the T-Mobile incident of 13 February 2023.
 */

import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { type Config, parseConfig } from "../../lambdas/domain/config";
import { parseCountsCsv } from "../../lambdas/domain/counts-csv";
import type { Notifier } from "../../lambdas/domain/ports";
import type { OutboundPolicy } from "../../lambdas/http/outbound-policy";
import { apportion } from "../../lambdas/sources/replay/split";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { startEmbeddedStore } from "../../local/embedded-store";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import type { TrustedProxies } from "../../local/request-address";
import { CHEAP_CHALLENGE } from "./report-client";

/** The seed story's counts. */
export const SEED_CSV = resolve(import.meta.dirname, "../../examples/data/tmobile-2023-02-13.csv");

/** 01:01 a.m. ET on 14 Feb 2023: past the 10:20 p.m. peak, the T-Mobile incident still open. */
export const SEED_NOW = Date.parse("2023-02-14T06:01:00Z");

/** A service of the seeded runtime; `column` is the seed CSV's service it replays. */
export interface SeededService {
  id: string;
  name: string;
  category: "carrier" | "isp" | "cloud" | "app" | "other";
  column: "t-mobile" | "verizon" | "att";
  /** Replays the column this many days earlier: 1 gives an ordinary day, no outage. */
  daysEarlier?: number;
  /**
   * Seeded buckets (their starts) whose replay read failed: no replay count, the failure
   * marked, and crowd reports counted 0, so each is partial. Keep them out of the newest
   * three buckets, which the first tick reads again.
   */
  failedBuckets?: readonly number[];
  /** Where its reports come from (default: the config's default, `world`). */
  area?: "us" | "world";
  /** Divides the replayed counts into kinds and regions, as the replay source's `split`. */
  split?: { problems?: Record<string, number>; regions?: Record<string, number> };
}

/** The three carriers of the seed story. */
export const SEED_SERVICES: readonly SeededService[] = [
  { id: "t-mobile", name: "T-Mobile", category: "carrier", column: "t-mobile" },
  { id: "verizon", name: "Verizon", category: "carrier", column: "verizon" },
  { id: "att", name: "AT&T", category: "carrier", column: "att" },
];

/** The demo config (`examples/demo.config.json`), for the kinds and regions it splits by. */
const DEMO = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../examples/demo.config.json"), "utf8"),
) as {
  services: { id: string; area?: "us" | "world"; sources: { split?: SeededService["split"] }[] }[];
};

/**
 * The three carriers as the demo replays them: in the US, their counts split into kinds
 * and regions by the demo config's weights (AT&T's into kinds only).
 */
export const DEMO_SERVICES: readonly SeededService[] = SEED_SERVICES.map((service) => {
  const demo = DEMO.services.find((s) => s.id === service.id);
  const split = demo?.sources[0]?.split;
  return { ...service, ...(demo?.area ? { area: demo.area } : {}), ...(split ? { split } : {}) };
});

/** A running seeded runtime; `setNow` moves its clock (ticks stay manual). */
export interface SeededRuntime {
  url: string;
  runtime: LocalRuntime;
  config: Config;
  now(): number;
  setNow(ms: number): void;
  /** Lines the runtime printed (ticks, notifications). */
  lines: string[];
  stop(): Promise<void>;
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size)
    await Promise.all(items.slice(i, i + size).map(work));
}

/**
 * Starts the runtime on a temporary folder, seeded with the day before `now`.
 * @example
 * const seeded = await startSeededRuntime({ services: [...SEED_SERVICES] });
 * await fetch(`${seeded.url}/services`);
 * await seeded.stop();
 */
export async function startSeededRuntime(
  options: {
    services?: readonly SeededService[];
    now?: number;
    /** Changes the configuration (rate limits, CORS origins) before the runtime starts. */
    configure?: (config: Config) => Config;
    /** Proxies whose X-Forwarded-For the runtime believes, to post from many addresses. */
    trustedProxies?: TrustedProxies;
    /** Where sources may send requests (a local fixture server: `FIXTURE_NETWORK`). */
    outbound?: OutboundPolicy;
    /** Notifiers beside the console and the outbox file, e.g. one that records. */
    notifiers?: Notifier[];
  } = {},
): Promise<SeededRuntime> {
  const services = options.services ?? SEED_SERVICES;
  let now = options.now ?? SEED_NOW;
  const parsed = parseConfig({
    bucketMinutes: 5,
    services: services.map((s) => ({
      id: s.id,
      name: s.name,
      category: s.category,
      timeZone: "America/New_York",
      ...(s.area ? { area: s.area } : {}),
      sources: [
        {
          kind: "replay",
          file: SEED_CSV,
          column: s.column,
          ...(s.split ? { split: s.split } : {}),
        },
      ],
    })),
    reports: { challenge: CHEAP_CHALLENGE },
  });
  const config = options.configure ? options.configure(parsed) : parsed;
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-seeded-"));

  // 1. Write the day before `now` straight into the store the runtime will open.
  const columns = new Map(
    parseCountsCsv(await readFile(SEED_CSV, "utf8"), SEED_CSV).map((c) => [c.service, c]),
  );
  const width = config.bucketMinutes * MINUTE_MS;
  const last = Math.floor(now / width) * width - width;
  const first = last - 24 * 60 * MINUTE_MS;
  const store = await startEmbeddedStore({ dataDir: join(dataDir, "db"), tableName: "outcry" });
  const client = createDocumentClient({ endpoint: store.endpoint });
  const series = new DynamoSeriesStore(
    { client, tableName: store.tableName },
    config.retentionDays,
  );
  const writes: { service: SeededService; at: number; count: number }[] = [];
  for (const service of services) {
    const column = columns.get(service.column);
    const shift = (service.daysEarlier ?? 0) * 24 * 60 * MINUTE_MS;
    column?.times.forEach((at, i) => {
      const shown = at + shift;
      if (shown >= first && shown <= last) {
        writes.push({ service, at: shown, count: column.counts[i] ?? 0 });
      }
    });
  }
  const failed = new Set(
    services.flatMap((s) => (s.failedBuckets ?? []).map((at) => `${s.id}@${at}`)),
  );
  await inBatches(writes, 32, async ({ service, at, count }) => {
    if (!failed.has(`${service.id}@${at}`)) {
      // Split as the replay source splits what it reads.
      const { problems, regions } = service.split ?? {};
      await series.putCount(
        service.id,
        "replay",
        at,
        count,
        problems && apportion(count, problems),
        regions && apportion(count, regions),
      );
      return;
    }
    await series.putCount(service.id, "reports", at, 0);
    await series.markFailed(service.id, "replay", [at]);
  });
  client.destroy();
  await store.close();

  // 2. Start the runtime on that folder; one tick collects the newest bucket and lets
  //    the detector learn from the whole day.
  const lines: string[] = [];
  const runtime = await startLocalRuntime({
    config,
    dataDir,
    port: 0,
    autoTick: false,
    clock: { now: () => now },
    print: (line) => lines.push(line),
    trustedProxies: options.trustedProxies ?? null,
    ...(options.outbound ? { outbound: options.outbound } : {}),
    ...(options.notifiers ? { notifiers: options.notifiers } : {}),
  });
  await runtime.tick();
  return {
    url: runtime.url,
    runtime,
    config,
    now: () => now,
    setNow: (ms) => {
      now = ms;
    },
    lines,
    async stop() {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
