/**
 * Crash injection, repeated: the seed story's surge is detected and notified through the
 * real stores (embedded DynamoDB) while things go wrong at the worst moments, and every
 * notification is counted afterwards. Lost and duplicated notifications must both be
 * zero in every run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MINUTE_MS, parseIso } from "../lambdas/domain/buckets";
import { parseConfig } from "../lambdas/domain/config";
import { parseCountsCsv } from "../lambdas/domain/counts-csv";
import type { Notifier, OutboxMessage } from "../lambdas/domain/ports";
import { type DetectDependencies, detectIncidents } from "../lambdas/usecases/detect-incidents";
import { buildDependencies, type Dependencies } from "../lambdas/wiring/dependencies";
import { startTestTable, type TestTable } from "../test/support/embedded-table";

const SEED = join(import.meta.dirname, "..", "examples/data/tmobile-2023-02-13.csv");
const FROM = parseIso("2023-02-13T22:00:00Z");
const TO = parseIso("2023-02-14T03:00:00Z");
/** The tick after which all three carriers have opened. */
const TICK = TO + 6 * MINUTE_MS;

const config = parseConfig({
  services: [
    { id: "t-mobile", name: "T-Mobile", category: "carrier" },
    { id: "verizon", name: "Verizon", category: "carrier" },
    { id: "att", name: "AT&T", category: "carrier" },
  ],
  notifications: { groupWindowMinutes: 0, peakMultiples: [] },
});

/** A channel that counts what it delivered and can be told to fail. */
class CountingChannel implements Notifier {
  readonly name = "counting";
  readonly delivered = new Map<string, number>();
  failNext = 0;

  async send(message: OutboxMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("injected: the channel failed mid-publish");
    }
    this.delivered.set(message.key, (this.delivered.get(message.key) ?? 0) + 1);
  }
}

interface Scenario {
  name: string;
  run(detect: DetectDependencies, channel: CountingChannel, wall: { now: number }): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  {
    name: "crash after recording, before publishing",
    async run(detect, _channel, wall) {
      // The process dies once the outbox holds the transitions: state not saved, nothing sent.
      const dying = { ...detect, deliverer: { notifiers: [] as Notifier[] } };
      const states = { ...detect.states, save: async () => Promise.reject(new Error("crash")) };
      await detectIncidents({ ...dying, states }, TICK).catch(() => undefined);
      wall.now += MINUTE_MS;
      await detectIncidents(detect, TICK);
    },
  },
  {
    name: "fail during publishing",
    async run(detect, channel, wall) {
      channel.failNext = 2;
      await detectIncidents(detect, TICK);
      wall.now += 2 * MINUTE_MS;
      await detectIncidents(detect, TICK + 5 * MINUTE_MS);
    },
  },
  {
    name: "duplicate tick",
    async run(detect) {
      await detectIncidents(detect, TICK);
      await detectIncidents(detect, TICK);
    },
  },
  {
    name: "concurrent ticks",
    async run(detect) {
      await Promise.all([detectIncidents(detect, TICK), detectIncidents(detect, TICK)]);
    },
  },
];

async function seeded(table: TestTable, wall: { now: number }): Promise<Dependencies> {
  const { tableName } = await table.freshTable();
  const deps = buildDependencies({
    config,
    tableName,
    endpoint: table.store.endpoint,
    notifiers: () => [],
    salt: async () => "bench",
    now: () => wall.now,
  });
  const series = parseCountsCsv(readFileSync(SEED, "utf8"));
  await Promise.all(
    series.map(async (s) => {
      for (let i = 0; i < s.times.length; i++) {
        const t = s.times[i] ?? 0;
        if (t >= FROM && t <= TO)
          await deps.collect.series.putCount(s.service, "reports", t, s.counts[i] ?? 0);
      }
    }),
  );
  return deps;
}

/** Prints lost and duplicated notifications per scenario over `runs` runs; false unless all zero. */
export async function benchCrashInjection(runs = 20): Promise<boolean> {
  const table = await startTestTable();
  let ok = true;
  console.log(
    `\nCrash injection (${runs} runs per scenario, embedded DynamoDB; expected: 3 opened messages a run)`,
  );
  console.log("scenario                                   delivered  lost  duplicated");
  try {
    for (const scenario of SCENARIOS) {
      let delivered = 0;
      let lost = 0;
      let duplicated = 0;
      for (let run = 0; run < runs; run++) {
        const wall = { now: Date.parse("2024-06-01T00:00:00Z") };
        const deps = await seeded(table, wall);
        const channel = new CountingChannel();
        const detect = { ...deps.detect, deliverer: { notifiers: [channel] } };
        await scenario.run(detect, channel, wall);
        // Whatever is still due gets one more, clean, tick (as the next minute would).
        wall.now += 20 * MINUTE_MS;
        await detectIncidents(detect, TICK + 30 * MINUTE_MS);
        const expected = (await deps.detect.incidents.list({ limit: 10 })).items.map(
          ({ incident }) => `${incident.id}#opened`,
        );
        for (const key of expected) {
          const times = channel.delivered.get(key) ?? 0;
          delivered += Math.min(times, 1);
          if (times === 0) lost++;
          if (times > 1) duplicated += times - 1;
        }
      }
      ok &&= lost === 0 && duplicated === 0;
      console.log(
        `${scenario.name.padEnd(42)} ${String(delivered).padStart(9)}  ${String(lost).padStart(4)}  ${String(duplicated).padStart(10)}`,
      );
    }
  } finally {
    await table.close();
  }
  return ok;
}
