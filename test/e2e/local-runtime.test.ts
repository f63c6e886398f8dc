/**
 * The local runtime as a user drives it: real HTTP requests to the server `npm start`
 * runs, ticks of the same handlers, data on disk that survives a restart.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import { CHEAP_CHALLENGE, withSolvedChallenge } from "../support/report-client";

const config = parseConfig({
  services: [
    { id: "t-mobile", name: "T-Mobile", category: "carrier" },
    { id: "verizon", name: "Verizon", category: "carrier" },
    { id: "att", name: "AT&T", category: "carrier" },
  ],
  reports: { ratePerMinute: 5, challenge: CHEAP_CHALLENGE },
});

/** 10:02 UTC: reports land in the 10:00 bucket, which closes at 10:05. */
const T0 = Date.parse("2024-03-01T10:02:00Z");
let now = T0;
let dataDir: string;
let runtime: LocalRuntime;
const lines: string[] = [];

async function start(): Promise<LocalRuntime> {
  return startLocalRuntime({
    config,
    dataDir,
    port: 0,
    autoTick: false,
    clock: { now: () => now },
    print: (line) => lines.push(line),
  });
}

/** Posts `body`; a report carries a solved challenge of its own, as a real client's does. */
async function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${runtime.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: path === "/reports" ? await withSolvedChallenge(runtime.url, body) : body,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "outcry-e2e-"));
  runtime = await start();
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("local runtime", () => {
  it("answers health and lists the configured services", async () => {
    // Act
    const health = await fetch(`${runtime.url}/health`);
    const services = await fetch(`${runtime.url}/services`);

    // Assess
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const body = (await services.json()) as { services: { id: string; status: string }[] };
    expect(body.services.map((s) => s.id)).toEqual(["t-mobile", "verizon", "att"]);
    expect(body.services.every((s) => s.status === "normal")).toBe(true);
  });

  it("counts a crowd report once per reporter and serves it in the series after a tick", async () => {
    // Act
    const first = await post(
      "/reports",
      JSON.stringify({ service: "t-mobile", problem: "no-signal" }),
    );
    const again = await post("/reports", JSON.stringify({ service: "t-mobile", problem: "calls" }));
    now = Date.parse("2024-03-01T10:06:00Z");
    const { collect } = await runtime.tick();
    const series = await fetch(
      `${runtime.url}/services/t-mobile/series?from=2024-03-01T09:40:00Z&to=2024-03-01T10:05:00Z`,
    );

    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate" });
    expect(collect.latest["t-mobile"]).toBe(1);
    const body = (await series.json()) as {
      points: { at: string; count: number | null; breakdowns?: unknown }[];
    };
    const bucket = body.points.find((p) => p.at === "2024-03-01T10:00:00Z");
    expect(bucket?.count).toBe(1);
    expect(bucket?.breakdowns).toEqual({ reports: { "no-signal": 1 } });
    // Buckets nobody collected are gaps, not zeros; the look-back re-counts two.
    expect(body.points.find((p) => p.at === "2024-03-01T09:45:00Z")?.count).toBeNull();
    expect(body.points.find((p) => p.at === "2024-03-01T09:50:00Z")?.count).toBe(0);
    expect(lines.at(-1)).toMatch(
      /^\[tick 2024-03-01 10:00Z\] collected t-mobile=1 verizon=0 att=0 \| open: none$/,
    );
  });

  it("rejects bad reports with problem details naming the fix", async () => {
    // Act
    const cases = await Promise.all([
      post("/reports", "{not json"),
      post("/reports", JSON.stringify({ service: "t-mobile", problem: "wifi" })),
      post("/reports", JSON.stringify({ service: "nope", problem: "calls" })),
      post("/reports", JSON.stringify({ service: 7, problem: "calls" })),
      post("/reports", JSON.stringify({ service: "t-mobile", problem: "calls" }), {
        "content-type": "text/plain",
      }),
      post(
        "/reports",
        JSON.stringify({ service: "t-mobile", problem: "calls", text: "x".repeat(5000) }),
      ),
    ]);

    // Assess
    expect(cases.map((r) => r.status)).toEqual([400, 400, 404, 400, 415, 413]);
    expect(cases.every((r) => r.headers.get("content-type") === "application/problem+json")).toBe(
      true,
    );
    const [badJson, badProblem] = (await Promise.all(cases.map((r) => r.json()))) as {
      detail: string;
      field?: string;
    }[];
    expect(badJson?.detail).toMatch(/not valid JSON/);
    expect(badProblem).toMatchObject({ field: "problem" });
    expect(badProblem?.detail).toMatch(/no-signal, mobile-data, calls, texts, total-outage/);
  });

  it("counts one of identical submissions racing each other", async () => {
    // Prepare: a service this client has not reported yet, in a fresh minute (the
    // config allows 5 requests a minute per address)
    now = Date.parse("2024-03-01T10:06:30Z");
    const body = JSON.stringify({ service: "att", problem: "texts" });

    // Act
    const responses = await Promise.all(Array.from({ length: 5 }, () => post("/reports", body)));

    // Assess
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 202]);
  });

  it("rate-limits a flood from one address with Retry-After", async () => {
    // Prepare: a fresh minute and a proxy-forwarded address are not trusted by default,
    // so all of these come from the loopback client.
    now = Date.parse("2024-03-01T10:07:10Z");

    // Act
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const response = await post(
        "/reports",
        JSON.stringify({ service: "verizon", problem: "calls" }),
      );
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }

    // Assess: 5 a minute are allowed (the first counts, the rest are duplicates).
    expect(statuses.slice(0, 5)).toEqual([202, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBe(50);
  });

  it("answers unknown routes, ids and bad parameters with the right status", async () => {
    // Act
    const responses = await Promise.all([
      fetch(`${runtime.url}/nowhere`),
      fetch(`${runtime.url}/services/nope`),
      fetch(`${runtime.url}/incidents/t-mobile-20240301T1000Z`),
      fetch(`${runtime.url}/services/t-mobile/series?from=yesterday`),
      fetch(
        `${runtime.url}/services/t-mobile/series?from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z`,
      ),
      fetch(`${runtime.url}/incidents?limit=1000`),
      fetch(`${runtime.url}/incidents?cursor=garbage`),
      fetch(`${runtime.url}/services`, { method: "DELETE" }),
      fetch(`${runtime.url}/reports`),
      fetch(`${runtime.url}/services/%E0%A4%A`),
    ]);

    // Assess
    expect(responses.map((r) => r.status)).toEqual([
      404, 404, 404, 400, 400, 400, 400, 405, 405, 400,
    ]);
    expect(responses[8]?.headers.get("allow")).toBe("POST");
    const series = (await responses[3]?.json()) as { field: string };
    expect(series.field).toBe("from");
  });

  it("keeps its data across a restart", async () => {
    // Prepare: a new minute, so the earlier flood no longer counts against this client.
    now = Date.parse("2024-03-01T10:09:00Z");

    // Act
    await runtime.stop();
    runtime = await start();
    const series = await fetch(
      `${runtime.url}/services/t-mobile/series?from=2024-03-01T10:00:00Z&to=2024-03-01T10:00:00Z`,
    );
    const again = await post("/reports", JSON.stringify({ service: "t-mobile", problem: "calls" }));

    // Assess: the count and the reporter's earlier report both survived.
    const body = (await series.json()) as { points: { count: number | null }[] };
    expect(body.points[0]?.count).toBe(1);
    expect(again.status).toBe(200);
    expect(await readFile(join(dataDir, "salt"), "utf8")).toMatch(/^[0-9a-f]{64}\n$/);
  });
});
