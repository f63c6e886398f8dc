/**
 * The collect use case on dynalite: every source asked, failures and hangs isolated as
 * gaps with their health recorded (the class of each failure, its message only in the
 * result), and re-running a tick changing nothing.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { CountSource } from "../../lambdas/domain/count-source";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { resolveRelativePaths } from "../../lambdas/wiring/config-file";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

let table: TestTable;
let dir: string;

beforeAll(async () => {
  table = await startTestTable();
  dir = await mkdtemp(join(tmpdir(), "outcry-collect-"));
  await writeFile(
    join(dir, "counts.csv"),
    [
      "timestamp,service,count",
      "2024-05-01T11:45:00Z,t-mobile,7",
      "2024-05-01T11:50:00Z,t-mobile,8",
      // 11:55 is missing: a gap in the replayed data.
      "2024-05-01T12:00:00Z,t-mobile,99",
    ].join("\n"),
  );
});
afterAll(async () => {
  await table.close();
  await rm(dir, { recursive: true, force: true });
});

const config = () =>
  resolveRelativePaths(
    parseConfig({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [{ kind: "replay", file: "counts.csv", weight: 2 }],
        },
      ],
    }),
    dir,
  );

const failing: CountSource = {
  id: "broken",
  weight: 1,
  read: async () => {
    throw new Error("HTTP 503 from upstream");
  },
};
/** Never answers, but notices when its deadline aborts it. */
let hangingAborted = false;
const hanging: CountSource = {
  id: "stuck",
  weight: 1,
  read: ({ signal }) =>
    new Promise(() => {
      signal.addEventListener("abort", () => {
        hangingAborted = true;
      });
    }),
};
/** Remembers a validator and annotates, to check both are kept. */
const remembering: CountSource = {
  id: "feed",
  weight: 1,
  read: async ({ buckets, memory }) => ({
    counts: buckets.map(() => (memory ? 2 : 1)),
    memory: { etag: '"v1"' },
    annotations: [
      { at: Date.parse("2024-05-01T11:58:00Z"), key: "inc-1", text: "Acknowledged an incident" },
    ],
  }),
};
const faulty: CountSource = { id: "faulty", weight: 1, read: async () => ({ counts: [1] }) };

describe("collectCounts", () => {
  it("writes each source's closed buckets, leaves gaps, and isolates failing and hanging sources", async () => {
    // Prepare
    const { deps } = await pipelineOn(table, config());
    const own = deps.collect.sourcesFor("t-mobile");
    const collect = {
      ...deps.collect,
      sourcesFor: () => [...own, failing, hanging, faulty],
      // Long enough for the real sources on a busy machine; the hanging one always hits it.
      sourceDeadlineMs: 1500,
    };
    const now = parseIso("2024-05-01T12:01:00Z");

    // Act
    const result = await collectCounts(collect, now);
    const points = await deps.collect.series.range(
      "t-mobile",
      parseIso("2024-05-01T11:40:00Z"),
      parseIso("2024-05-01T12:00:00Z"),
    );
    const health = await deps.collect.health.list("t-mobile");

    // Assess: the newest closed bucket is 11:55, which the CSV lacks.
    expect(result.latest["t-mobile"]).toBe(0);
    expect(
      points.map((p) => [new Date(p.bucketStart).toISOString().slice(11, 16), p.counts]),
    ).toEqual([
      ["11:45", { reports: 0, replay: 7 }],
      ["11:50", { reports: 0, replay: 8 }],
      ["11:55", { reports: 0 }],
    ]);
    expect(result.failures.map((f) => f.source).sort()).toEqual(["broken", "faulty", "stuck"]);
    expect(result.failures.find((f) => f.source === "stuck")?.error).toMatch(
      /no answer within 1500 ms/,
    );
    expect(hangingAborted).toBe(true);
    expect(result.failures.find((f) => f.source === "faulty")?.error).toMatch(
      /returned 1 counts for 3 buckets/,
    );
    const bySource = Object.fromEntries(health.map((h) => [h.source, h]));
    // Health keeps each failure's class: a hang is a timeout; a plain error, internal.
    expect(bySource.broken).toMatchObject({
      consecutiveFailures: 1,
      lastErrorAt: now,
      lastFailure: { reason: "internal" },
      since: now,
    });
    expect(bySource.stuck?.lastFailure).toEqual({ reason: "timeout" });
    expect(bySource.faulty?.lastFailure).toEqual({ reason: "internal" });
    expect(JSON.stringify(health)).not.toContain("HTTP 503 from upstream");
    expect(result.failures.find((f) => f.source === "stuck")?.reason).toBe("timeout");
    expect(bySource.replay).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: now });
  });

  it("gives the same counts when a tick runs again, and counts the newest bucket with weights", async () => {
    // Prepare
    const { deps } = await pipelineOn(table, config());
    const now = parseIso("2024-05-01T12:06:00Z");

    // Act
    const first = await collectCounts(deps.collect, now);
    const second = await collectCounts(deps.collect, now);
    const [point] = await deps.collect.series.range(
      "t-mobile",
      parseIso("2024-05-01T12:00:00Z"),
      parseIso("2024-05-01T12:00:00Z"),
    );

    // Assess: replay weight 2 x 99, plus no crowd reports.
    expect(first.latest["t-mobile"]).toBe(198);
    expect(second).toEqual(first);
    expect(point?.counts).toEqual({ reports: 0, replay: 99 });
  });

  it("gives a source back what it asked to remember, and stores its annotations", async () => {
    // Prepare
    const { deps } = await pipelineOn(table, config());
    const collect = { ...deps.collect, sourcesFor: () => [remembering] };
    const now = parseIso("2024-05-01T12:01:00Z");

    // Act
    const first = await collectCounts(collect, now);
    const second = await collectCounts(collect, now + 60_000);
    const annotations = await deps.collect.annotations.range(
      "t-mobile",
      parseIso("2024-05-01T11:00:00Z"),
      parseIso("2024-05-01T12:00:00Z"),
    );

    // Assess
    expect(first.latest["t-mobile"]).toBe(1);
    expect(second.latest["t-mobile"]).toBe(2);
    expect(annotations).toEqual([
      {
        service: "t-mobile",
        source: "feed",
        at: parseIso("2024-05-01T11:58:00Z"),
        key: "inc-1",
        text: "Acknowledged an incident",
      },
    ]);
  });

  it("finishes inside the tick's budget however many sources hang", async () => {
    // Prepare: 100 sources that never answer, read 32 at a time, and 1.5 s left
    const { deps } = await pipelineOn(table, config());
    const sources = Array.from({ length: 100 }, (_, i) => ({ ...hanging, id: `stuck-${i}` }));
    const collect = { ...deps.collect, sourcesFor: () => sources };
    const started = Date.now();

    // Act
    const result = await collectCounts(collect, parseIso("2024-05-01T12:01:00Z"), {
      finishBy: started + 1500,
    });
    const took = Date.now() - started;

    // Assess: every source failed, the late ones without being started
    expect(result.failures).toHaveLength(100);
    expect(result.failures.some((f) => /ran out of time/.test(f.error))).toBe(true);
    expect(result.failures.every((f) => f.reason === "timeout")).toBe(true);
    expect(took).toBeLessThan(6000);
  });

  it("reads every bucket closed since the last tick when the schedule is slower than three buckets", async () => {
    // Prepare: 1-minute buckets collected every 5 minutes
    const slow = parseConfig({
      bucketMinutes: 1,
      scheduleMinutes: 5,
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
    });
    const { deps } = await pipelineOn(table, slow);
    const asked: number[][] = [];
    const recorder: CountSource = {
      id: "probe",
      weight: 1,
      read: async ({ buckets }) => {
        asked.push([...buckets]);
        return { counts: buckets.map(() => 1) };
      },
    };

    // Act
    await collectCounts(
      { ...deps.collect, sourcesFor: () => [recorder] },
      parseIso("2024-05-01T12:05:30Z"),
    );

    // Assess: 11:59 to 12:04, the five closed since 12:00:30 and one more
    expect(asked[0]?.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      "11:59",
      "12:00",
      "12:01",
      "12:02",
      "12:03",
      "12:04",
    ]);
  });

  it("still reads every source when the health store fails", async () => {
    // Prepare: a health store that cannot be read or written
    const { deps } = await pipelineOn(table, config());
    const broken = {
      ...deps.collect.health,
      list: async () => {
        throw new Error("throttled");
      },
      recordFailure: async () => {
        throw new Error("throttled");
      },
    };

    // Act
    const result = await collectCounts(
      { ...deps.collect, health: broken, sourcesFor: () => [remembering, failing] },
      parseIso("2024-05-01T12:01:00Z"),
    );

    // Assess: the tick finished and said what failed
    expect(result.failures.map((f) => f.source).sort()).toEqual(["broken", "feed"]);
    expect(result.failures.every((f) => /throttled|HTTP 503/.test(f.error))).toBe(true);
  });
});
