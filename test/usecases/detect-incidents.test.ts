/**
 * The detect use case on the real DynamoDB protocol (dynalite): the same incidents as
 * the backtest, each transition recorded and delivered exactly once however the ticks
 * are repeated, raced or interrupted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBacktest } from "../../backtest/backtest";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { parseCountsCsv } from "../../lambdas/domain/counts-csv";
import { incidentToJson } from "../../lambdas/domain/incident";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

const SEED = join(import.meta.dirname, "../../examples/data/tmobile-2023-02-13.csv");
const FROM = parseIso("2023-02-13T18:00:00Z");
const TO = parseIso("2023-02-14T10:00:00Z");
const HOUR = 60 * MINUTE_MS;

const CARRIERS = [
  { id: "t-mobile", name: "T-Mobile", category: "carrier" },
  { id: "verizon", name: "Verizon", category: "carrier" },
  { id: "att", name: "AT&T", category: "carrier" },
];
/**
 * One message per opened and resolved, so each test below can count them (grouping and
 * growth updates are tested apart).
 */
const config = parseConfig({
  services: CARRIERS,
  notifications: { groupWindowMinutes: 0, peakMultiples: [] },
});

const seed = parseCountsCsv(readFileSync(SEED, "utf8")).map((series) => {
  const keep = series.times.map((t) => t >= FROM && t <= TO);
  return {
    ...series,
    times: series.times.filter((_, i) => keep[i]),
    counts: series.counts.filter((_, i) => keep[i]),
  };
});

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function loadSeed(deps: Awaited<ReturnType<typeof pipelineOn>>["deps"]) {
  await Promise.all(
    seed.map(async (series) => {
      for (let i = 0; i < series.times.length; i++) {
        await deps.collect.series.putCount(
          series.service,
          "reports",
          series.times[i] ?? 0,
          series.counts[i] ?? 0,
        );
      }
    }),
  );
}

/** A tick time whose settled bucket is `bucket` (one schedule period after it closed). */
const tickAfter = (bucket: number) => bucket + 5 * MINUTE_MS + config.scheduleMinutes * MINUTE_MS;

describe("detectIncidents", () => {
  it("finds the backtest's incidents, with the same timelines, and notifies each transition once", async () => {
    // Prepare
    const { deps, notifier } = await pipelineOn(table, config);
    await loadSeed(deps);

    // Act: hourly ticks, each catching up twelve buckets.
    for (let bucket = FROM + HOUR; bucket <= TO; bucket += HOUR) {
      await detectIncidents(deps.detect, tickAfter(bucket));
    }
    const stored = await deps.detect.incidents.list({ limit: 10 });

    // Assess
    const expected = runBacktest(seed, {
      timeZone: "America/New_York",
      settings: config.detector,
      names: { "t-mobile": "T-Mobile", verizon: "Verizon", att: "AT&T" },
    }).incidents;
    const actual = stored.items
      .map(({ incident, summary }) => {
        const json = incidentToJson(incident);
        return {
          service: json.service,
          startedAt: json.startedAt,
          resolvedAt: json.resolvedAt,
          peak: json.peak,
          falloffs: json.falloffs,
          correlatedWith: json.correlatedWith,
          summary,
        };
      })
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.service.localeCompare(b.service));
    expect(actual).toEqual(expected);
    expect(actual.map((i) => i.service)).toEqual(["t-mobile", "verizon", "att"]);
    const keys = notifier.sent.map((m) => m.key).sort();
    // Each carrier stayed elevated past two hours: one "still elevated" reminder each.
    expect(keys).toEqual(
      actual
        .flatMap((i) => {
          const id = stored.items.find((s) => s.incident.service === i.service)?.incident.id;
          return [`${id}#opened`, `${id}#reminder-1`, `${id}#resolved`];
        })
        .sort(),
    );
  }, 30_000);

  it("changes nothing when a tick is run again", async () => {
    // Prepare
    const { deps, notifier } = await pipelineOn(table, config);
    await loadSeed(deps);
    const at = tickAfter(parseIso("2023-02-14T03:00:00Z"));
    await detectIncidents(deps.detect, at);
    const before = await deps.detect.incidents.list({ limit: 10 });

    // Act
    const again = await detectIncidents(deps.detect, at);
    const after = await deps.detect.incidents.list({ limit: 10 });

    // Assess
    expect(again.buckets).toBe(0);
    expect(again.transitions).toEqual([]);
    expect(after).toEqual(before);
    expect(notifier.sent.map((m) => m.transition)).toEqual(["opened", "opened", "opened"]);
  });

  it("records and delivers each transition once when two ticks race", async () => {
    // Prepare
    const { deps, notifier } = await pipelineOn(table, config);
    await loadSeed(deps);
    const at = tickAfter(parseIso("2023-02-14T03:00:00Z"));

    // Act
    const results = await Promise.all([
      detectIncidents(deps.detect, at),
      detectIncidents(deps.detect, at),
    ]);
    const pending = await deps.detect.outbox.pending(10);

    // Assess
    expect(results.every((r) => r.transitions.length === 3)).toBe(true);
    expect(notifier.sent.map((m) => m.key).sort()).toEqual([
      "att-20230214T0240Z#opened",
      "t-mobile-20230214T0200Z#opened",
      "verizon-20230214T0235Z#opened",
    ]);
    expect(pending).toEqual([]);
  });

  it("bumps the data version after every tick, even one whose delivery step fails", async () => {
    // Prepare: the outbox cannot be read when delivery starts
    const { deps } = await pipelineOn(table, config);
    await loadSeed(deps);
    const before = await deps.detect.progress.dataVersion();
    const broken = {
      ...deps.detect,
      outbox: Object.assign(Object.create(deps.detect.outbox), {
        due: () => Promise.reject(new Error("outbox unavailable")),
      }),
    };

    // Act
    const outcome = detectIncidents(broken, tickAfter(parseIso("2023-02-14T03:00:00Z")));

    // Assess: the failure surfaces, and cached API answers are not left behind the data
    await expect(outcome).rejects.toThrow("outbox unavailable");
    expect(await deps.detect.progress.dataVersion()).toBe(before + 1);
  });

  it("delivers a message whose first delivery failed on the next tick, once", async () => {
    // Prepare: the wall clock moves with the ticks
    let wall = Date.parse("2024-06-01T00:00:00Z");
    const { deps, notifier } = await pipelineOn(table, config, () => wall);
    await loadSeed(deps);
    notifier.failures = 1;
    const at = tickAfter(parseIso("2023-02-14T02:10:00Z"));

    // Act
    const first = await detectIncidents(deps.detect, at);
    wall += 5 * MINUTE_MS;
    const second = await detectIncidents(deps.detect, at + 5 * MINUTE_MS);

    // Assess
    expect(first.delivery.failed.map((f) => f.key)).toEqual(["t-mobile-20230214T0200Z#opened"]);
    expect(second.delivery.sent).toEqual(["t-mobile-20230214T0200Z#opened"]);
    expect(notifier.sent.map((m) => m.key)).toEqual(["t-mobile-20230214T0200Z#opened"]);
  });

  it("takes delivery leases on the wall clock, so a delayed tick and a current one send once", async () => {
    // Prepare: a channel that holds the first send until released
    const { deps } = await pipelineOn(table, config);
    await loadSeed(deps);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sent: string[] = [];
    const slow = {
      name: "slow",
      send: async (message: { key: string }) => {
        await gate;
        sent.push(message.key);
      },
    };
    const detect = { ...deps.detect, deliverer: { notifiers: [slow] } };
    const at = tickAfter(parseIso("2023-02-14T02:10:00Z"));

    // Act: a tick whose event is an hour old starts sending; a current tick runs meanwhile
    const stale = detectIncidents(detect, at);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = detectIncidents(detect, at + 60 * MINUTE_MS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await Promise.all([stale, current]);

    // Assess: every message once (the current tick also opened Verizon and AT&T)
    expect(sent.filter((key) => key === "t-mobile-20230214T0200Z#opened")).toHaveLength(1);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it("treats buckets nobody collected as gaps: an open incident does not resolve through them", async () => {
    // Prepare: the seed up to the peak, then nothing collected for three hours.
    const { deps } = await pipelineOn(table, config);
    const lastData = parseIso("2023-02-14T03:20:00Z");
    for (const series of seed) {
      for (let i = 0; i < series.times.length; i++) {
        const t = series.times[i] ?? 0;
        if (t <= lastData)
          await deps.collect.series.putCount(series.service, "reports", t, series.counts[i] ?? 0);
      }
    }

    // Act
    for (let bucket = lastData; bucket <= lastData + 3 * HOUR; bucket += HOUR) {
      await detectIncidents(deps.detect, tickAfter(bucket));
    }
    const incidents = await deps.detect.incidents.list({ limit: 10 });

    // Assess
    expect(incidents.items.map((s) => s.incident.service).sort()).toEqual([
      "att",
      "t-mobile",
      "verizon",
    ]);
    expect(incidents.items.map((s) => s.incident.resolvedAt)).toEqual([null, null, null]);
  });

  it("does not correlate a surge that starts after another service's incident went quiet", async () => {
    // Prepare: A surges at 12:00 and is quiet from 12:15 (still open: it resolves after 2 h);
    // B surges from 13:00, 45 minutes later, beyond the 30-minute window
    const slowResolve = parseConfig({
      services: [
        { id: "a", name: "A", category: "carrier" },
        { id: "b", name: "B", category: "carrier" },
      ],
      detector: { resolveMinutes: 120 },
    });
    const { deps } = await pipelineOn(table, slowResolve);
    const start = parseIso("2024-03-01T10:00:00Z");
    const count = (service: "a" | "b", t: number) => {
      const surge = service === "a" ? "2024-03-01T12:00:00Z" : "2024-03-01T13:00:00Z";
      const from = parseIso(surge);
      return t >= from && t < from + 15 * MINUTE_MS ? 900 : 10;
    };
    for (let t = start; t <= parseIso("2024-03-01T13:15:00Z"); t += 5 * MINUTE_MS) {
      await deps.collect.series.putCount("a", "reports", t, count("a", t));
      await deps.collect.series.putCount("b", "reports", t, count("b", t));
    }

    // Act
    await detectIncidents(deps.detect, tickAfter(parseIso("2024-03-01T13:15:00Z")));
    const { items } = await deps.detect.incidents.list({ limit: 10 });

    // Assess
    const b = items.find((s) => s.incident.service === "b")?.incident;
    const a = items.find((s) => s.incident.service === "a")?.incident;
    expect(a?.resolvedAt).toBeNull();
    expect(b).toBeDefined();
    expect(b?.correlatedWith).toEqual([]);
  });

  it("lets carriers that open later update the first one's group; each resolves on its own", async () => {
    // Prepare: the default grouping window (an hour), five-minute ticks through the night
    const grouped = parseConfig({ services: CARRIERS });
    const { deps, notifier } = await pipelineOn(table, grouped);
    await loadSeed(deps);

    // Act
    for (let bucket = FROM + HOUR; bucket <= TO; bucket += 5 * MINUTE_MS) {
      await detectIncidents(deps.detect, tickAfter(bucket));
    }

    // Assess: T-Mobile first; Verizon (35 minutes on) and AT&T (45) update its group
    // rather than announce outages of their own; three resolved messages
    const opened = notifier.sent.filter((m) => m.transition === "opened");
    const resolved = notifier.sent.filter((m) => m.transition === "resolved");
    expect(opened.map((m) => m.summary.subject)).toEqual([
      expect.stringMatching(/^T-Mobile outage: more than 640 reports/),
      "Verizon also elevated, with the T-Mobile outage",
      "AT&T also elevated, with the T-Mobile outage",
    ]);
    expect(resolved.map((m) => m.service).sort()).toEqual(["att", "t-mobile", "verizon"]);
    expect(await deps.detect.outbox.pending(10)).toEqual([]);
  }, 30_000);

  it("sends carriers that open within the window as one message naming them all", async () => {
    // Prepare: a window wide enough for the seed's carriers, one tick after all opened
    const grouped = parseConfig({
      services: CARRIERS,
      notifications: { groupWindowMinutes: 60, peakMultiples: [] },
    });
    const { deps, notifier } = await pipelineOn(table, grouped);
    await loadSeed(deps);

    // Act
    await detectIncidents(deps.detect, tickAfter(parseIso("2023-02-14T03:00:00Z")));

    // Assess
    expect(notifier.sent).toHaveLength(1);
    const [message] = notifier.sent;
    expect(message?.summary.subject).toBe("T-Mobile outage; Verizon and AT&T also elevated");
    expect(message?.summary.text).toContain("Reports of Verizon problems");
    expect(message?.summary.sms.length).toBeLessThanOrEqual(160);
    expect(await deps.detect.outbox.pending(10)).toEqual([]);
  });

  it("sends one update when an incident's peak passes ten times its count at opening", async () => {
    // Prepare: the default multiples, no grouping
    const growing = parseConfig({ services: CARRIERS, notifications: { groupWindowMinutes: 0 } });
    const { deps, notifier } = await pipelineOn(table, growing);
    await loadSeed(deps);

    // Act: five-minute ticks through the surge, and the last one again
    for (
      let bucket = FROM + HOUR;
      bucket <= parseIso("2023-02-14T04:00:00Z");
      bucket += 5 * MINUTE_MS
    ) {
      await detectIncidents(deps.detect, tickAfter(bucket));
    }
    await detectIncidents(deps.detect, tickAfter(parseIso("2023-02-14T04:00:00Z")));
    const { items } = await deps.detect.incidents.list({ limit: 10 });

    // Assess: one update per incident that grew tenfold, worded as growth
    const grew = items
      .filter(({ incident }) => incident.peak.count >= 10 * incident.countAtOpen)
      .map(({ incident }) => `${incident.id}#update-10x`)
      .sort();
    const updates = notifier.sent.filter((m) => m.transition === "update");
    expect(grew.length).toBeGreaterThan(0);
    expect(updates.map((m) => m.key).sort()).toEqual(grew);
    expect(updates[0]?.summary.subject).toMatch(
      /outage growing: more than [\d,]+ reports, 10x the count at opening$/,
    );
  });

  it("works on a bucket as soon as collect has finished it, and does not wait on a stalled collect", async () => {
    // Prepare
    const { deps } = await pipelineOn(table, config);
    const bucket = parseIso("2024-03-01T10:00:00Z");
    const justAfterClose = bucket + 5 * MINUTE_MS + 5_000;

    // Act: before collect marks the bucket, after it does, and much later with no new mark
    const before = await detectIncidents(deps.detect, justAfterClose);
    await deps.detect.progress.markCollected(bucket);
    await deps.detect.progress.markCollected(bucket - 5 * MINUTE_MS);
    const after = await detectIncidents(deps.detect, justAfterClose);
    const stalled = await detectIncidents(deps.detect, justAfterClose + 60 * MINUTE_MS);

    // Assess
    expect(new Date(before.through).toISOString()).toBe("2024-03-01T09:55:00.000Z");
    expect(new Date(after.through).toISOString()).toBe("2024-03-01T10:00:00.000Z");
    expect(await deps.detect.progress.collectedThrough()).toBe(bucket);
    expect(new Date(stalled.through).toISOString()).toBe("2024-03-01T10:55:00.000Z");
  });
});
