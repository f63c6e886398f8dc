/**
 * What the public learns of a failing source, through the local runtime a user runs: an
 * http-json and an RSS source whose URLs carry a token in their query fail in several
 * ways (a 404 with a body text, an HTML page instead of JSON, no answer in time, a 410
 * with a body text). The service's answer gives each failure's class and since when;
 * the operator's tick lines give the whole message; and no public answer — the API's
 * every read route, the OpenAPI document, the dashboard's page as served and as a
 * browser renders it — holds the token, the feed's host or query, or what its server said.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import { launchChromium, watchProblems } from "../dashboard/browser";
import {
  type FixtureResponse,
  type FixtureServer,
  startFixtureServer,
} from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";

const TOKEN = "tok_9f8e7d6c5b4a";
const FEED_KEY = "key_1a2b3c4d";
/** What the failing servers say in their bodies: nothing of it may reach a reader. */
const BODY_TEXTS = [
  "db-primary.corp.internal refused the query for tenant 4711",
  "Sign in to the Acme intranet",
  "moved to https://intranet.acme.example/feeds/outages",
];
const JSON_TYPE = { "content-type": "application/json" };

/** 10:06 UTC: the 10:00 bucket has just closed. */
const T1 = Date.parse("2024-03-01T10:06:00Z");
const TICK_MS = 5 * 60_000;

let now = T1;
/** Ticks run so far. */
let ticks = 0;
let server: FixtureServer;
let dataDir: string;
let runtime: LocalRuntime;
let browser: Browser;
const lines: string[] = [];

beforeAll(async () => {
  server = await startFixtureServer();
  // The http-json endpoint fails differently on each tick (every attempt of a tick the
  // same way), then works.
  const answers: FixtureResponse[] = [
    { status: 404, headers: { "content-type": "text/plain" }, body: BODY_TEXTS[0] },
    { headers: { "content-type": "text/html" }, body: `<html><h1>${BODY_TEXTS[1]}</h1></html>` },
    { delayMs: 8_000, headers: JSON_TYPE, body: '{"count": 1}' },
    { headers: JSON_TYPE, body: '{"count": 3}' },
  ];
  server.route("/api/count", () => answers[ticks] ?? { status: 500 });
  server.route("/feed.rss", {
    status: 410,
    headers: { "content-type": "text/plain" },
    body: `Gone: ${BODY_TEXTS[2]}?token=${TOKEN}`,
  });
  const config = parseConfig({
    services: [
      {
        id: "acme",
        name: "Acme",
        category: "app",
        sources: [
          {
            kind: "http-json",
            id: "tickets",
            url: `${server.url}/api/count?token=${TOKEN}`,
            pointer: "/count",
          },
          {
            kind: "rss",
            id: "news",
            url: `${server.url}/feed.rss?key=${FEED_KEY}`,
            include: ["outage"],
          },
        ],
      },
    ],
  });
  dataDir = await mkdtemp(join(tmpdir(), "outcry-source-failures-"));
  [runtime, browser] = await Promise.all([
    startLocalRuntime({
      config,
      dataDir,
      port: 0,
      autoTick: false,
      clock: { now: () => now },
      print: (line) => lines.push(line),
      outbound: FIXTURE_NETWORK,
    }),
    launchChromium(120_000),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

type SourceView = {
  source: string;
  kind: string;
  status: string;
  since: string | null;
  lastFailure: { reason: string; httpStatus?: number } | null;
  consecutiveFailures: number;
};

/** Runs a tick at `at` and answers the service's sources afterwards. */
async function tickAt(at: number): Promise<Record<string, SourceView>> {
  now = at;
  await runtime.tick();
  ticks += 1;
  const body = (await (await fetch(`${runtime.url}/services/acme`)).json()) as {
    sources: SourceView[];
  };
  return Object.fromEntries(body.sources.map((s) => [s.source, s]));
}

/** Every public answer a reader can get, as text. */
async function publicAnswers(): Promise<Record<string, string>> {
  const paths = [
    "/",
    "/openapi.json",
    "/health",
    "/services",
    "/services/acme",
    "/services/acme/series",
    "/incidents",
    "/incidents?service=acme",
  ];
  const answers: Record<string, string> = {};
  for (const path of paths) {
    const response = await fetch(`${runtime.url}${path}`);
    expect(response.status, path).toBe(200);
    answers[path] = await response.text();
  }
  const { incidents } = JSON.parse(answers["/incidents"] ?? "{}") as {
    incidents: { id: string }[];
  };
  for (const { id } of incidents) {
    answers[`/incidents/${id}`] = await (await fetch(`${runtime.url}/incidents/${id}`)).text();
  }
  return answers;
}

/** What may never appear in a public answer. */
const SECRETS = () => [
  TOKEN,
  FEED_KEY,
  "?token=",
  "?key=",
  new URL(server.url).host,
  "/api/count",
  "/feed.rss",
  ...BODY_TEXTS,
];

function leaksIn(answers: Record<string, string>): string[] {
  return Object.entries(answers).flatMap(([path, text]) =>
    SECRETS()
      .filter((secret) => text.includes(secret))
      .map((secret) => `${path} holds ${secret}`),
  );
}

describe("a failing source, as the public sees it", () => {
  it("gives a 404 with a body text as http-status 404, and the operator the whole message", async () => {
    // Act
    const sources = await tickAt(T1);
    const answers = await publicAnswers();

    // Assess
    expect(sources.tickets).toEqual({
      source: "tickets",
      kind: "http-json",
      status: "failing",
      since: "2024-03-01T10:06:00Z",
      lastSuccessAt: null,
      lastErrorAt: "2024-03-01T10:06:00Z",
      lastFailure: { reason: "http-status", httpStatus: 404 },
      consecutiveFailures: 1,
    });
    expect(sources.news?.lastFailure).toEqual({ reason: "http-status", httpStatus: 410 });
    expect(sources.reports).toMatchObject({ kind: "crowd-reports", status: "ok" });
    expect(leaksIn(answers)).toEqual([]);
    // Locally the operator reads the terminal: the tick lines name the URL and the status.
    expect(lines).toContain(
      "[tick 2024-03-01 10:00Z] collected acme=0 (partial) | open: none | 2 of 3 sources failed: acme/tickets (http-status 404), acme/news (http-status 410)",
    );
    // The same check finds the secrets where they belong, so their absence above means something.
    expect(leaksIn({ tick: lines.join("\n") }).length).toBeGreaterThan(0);
    expect(lines.find((l) => l.includes("acme/tickets failed"))).toMatch(
      /^ {2}acme\/tickets failed \(http-status 404\): GET http:\/\/127\.0\.0\.1:\d+\/api\/count\?token=tok_9f8e7d6c5b4a answered 404/,
    );
  });

  it("gives an HTML page instead of JSON as wrong-content-type, failing since the first failure", async () => {
    // Act
    const sources = await tickAt(T1 + TICK_MS);
    const answers = await publicAnswers();

    // Assess
    expect(sources.tickets).toMatchObject({
      status: "failing",
      since: "2024-03-01T10:06:00Z",
      lastErrorAt: "2024-03-01T10:11:00Z",
      lastFailure: { reason: "wrong-content-type" },
      consecutiveFailures: 2,
    });
    expect(leaksIn(answers)).toEqual([]);
  });

  it("gives a server that does not answer in time as a timeout", async () => {
    // Act: the endpoint holds its answer past the source's 4-second deadline
    const sources = await tickAt(T1 + 2 * TICK_MS);
    const answers = await publicAnswers();

    // Assess
    expect(sources.tickets).toMatchObject({
      status: "failing",
      lastFailure: { reason: "timeout" },
      consecutiveFailures: 3,
    });
    expect(leaksIn(answers)).toEqual([]);
    expect(lines.some((l) => /acme\/tickets failed \(timeout\): .*no answer within/.test(l))).toBe(
      true,
    );
  }, 30_000);

  it("shows a source that works again as working since then, with its last failure's class", async () => {
    // Act
    const sources = await tickAt(T1 + 3 * TICK_MS);

    // Assess
    expect(sources.tickets).toMatchObject({
      status: "ok",
      since: "2024-03-01T10:21:00Z",
      lastSuccessAt: "2024-03-01T10:21:00Z",
      lastErrorAt: "2024-03-01T10:16:00Z",
      lastFailure: { reason: "timeout" },
      consecutiveFailures: 0,
    });
  });

  it("words each failure's class on the service page, and shows nothing the server said", async () => {
    // Prepare
    const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
    const page = await context.newPage();
    const problems = await watchProblems(page);

    // Act
    await page.goto(`${runtime.url}/#/service/acme`);
    await page.waitForSelector('main[data-route*="service"][data-loaded]');
    const rows = await page
      .locator('section[aria-labelledby="sources-heading"] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll("th, td"))
            .map((cell) => (cell.textContent ?? "").replace(/\s+/g, " "))
            .join(" | "),
        ),
      );
    const text = (await page.locator("body").textContent()) ?? "";
    const html = await page.content();
    await context.close();

    // Assess
    expect(rows).toEqual([
      "reports | crowd-reports | Working since Mar 1, 10:06 AM | Mar 1, 10:21 AM | none | 0",
      "tickets | http-json | Working since Mar 1, 10:21 AM | Mar 1, 10:21 AM | Mar 1, 10:16 AM: No answer in time | 0",
      "news | rss | Failing since Mar 1, 10:06 AM | never | Mar 1, 10:21 AM: HTTP error 410 | 4",
    ]);
    expect(leaksIn({ text, html })).toEqual([]);
    expect(problems.list).toEqual([]);
  });
});
