/**
 * The http-json source against a local JSON server: counts picked by JSON Pointer and
 * JSONPath, one request per bucket with {from}/{to}, conditional requests, clear errors
 * when the selector misses, and failures (429, 500, HTML, cut-off and oversized bodies);
 * plus the selector parsers and the configuration schema.
 */

import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import {
  compileSelector,
  parseJsonPath,
  parseJsonPointer,
  pickCount,
} from "../../lambdas/domain/json-selector";
import { HttpJsonSourceSchema } from "../../lambdas/sources/http-json/config";
import { type HttpJsonSettings, HttpJsonSource } from "../../lambdas/sources/http-json/source";
import { MastodonSourceSchema } from "../../lambdas/sources/mastodon/config";
import { ReplaySourceSchema } from "../../lambdas/sources/replay/config";
import { StatuspageSourceSchema } from "../../lambdas/sources/statuspage/config";
import { startFixtureServer } from "../support/fixture-server";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { repeatTo } from "../support/hostile-payloads";
import { FIXTURE_NETWORK } from "../support/outbound";
import { fixture as readFixture, sourceRequest, useFixtureServer } from "./source-harness";

const fixture = (name: string) => readFixture("http-json", name);
const TICKETS = fixture("zendesk-ticket-count.json");
const FEED = fixture("outage-feed.json");
const JSON_TYPE = { "content-type": "application/json" };
const SERVICE = { id: "t-mobile", name: "T-Mobile" };

/** Buckets 03:05, 03:10, 03:15 read at 03:21. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:15:00Z", overrides);

const server = useFixtureServer();

function source(settings: Partial<HttpJsonSettings>) {
  return new HttpJsonSource(
    SERVICE,
    {
      id: "http-json",
      weight: 1,
      url: `${server.url}/api/v2/tickets/count`,
      ...settings,
    },
    FIXTURE_NETWORK,
  );
}

describe("HttpJsonSource reading the present", () => {
  it("picks the count by JSON Pointer for the newest bucket, leaving earlier ones as gaps", async () => {
    // Prepare
    server.route("/api/v2/tickets/count", { headers: JSON_TYPE, body: TICKETS });

    // Act
    const reading = await source({ pointer: "/count/value" }).read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 102]);
    expect(server.requests).toHaveLength(1);
  });

  it("picks a numeric string by JSONPath through an array and a quoted name", async () => {
    // Prepare
    server.route("/feed", { headers: JSON_TYPE, body: FEED });

    // Act
    const reading = await source({
      url: `${server.url}/feed`,
      path: "$.data.services[1].reports['last 15 minutes']",
    }).read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 83162]);
  });

  it("sends the configured static headers", async () => {
    // Prepare
    server.route("/api/v2/tickets/count", { headers: JSON_TYPE, body: TICKETS });

    // Act
    await source({ pointer: "/count/value", headers: { "X-Team": "noc" } }).read(request());

    // Assess
    expect(server.requests[0]?.headers["x-team"]).toBe("noc");
  });

  it("repeats the remembered value when the server answers 304", async () => {
    // Prepare
    server.route("/api/v2/tickets/count", ({ headers }) =>
      headers["if-none-match"] === '"v7"'
        ? { status: 304, headers: { etag: '"v7"' } }
        : { headers: { ...JSON_TYPE, etag: '"v7"' }, body: TICKETS },
    );
    const tickets = source({ pointer: "/count/value" });
    const first = await tickets.read(request());

    // Act
    const second = await tickets.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ etag: '"v7"', value: 102 });
    expect(server.requests[1]?.headers["if-none-match"]).toBe('"v7"');
    expect(second.counts).toEqual([null, null, 102]);
  });

  it.each([
    ["/count/missing", {}, /pointer '\/count\/missing' found nothing/],
    ["", { path: "$.data.total" }, /path '\$\.data\.total' found an object, not a count/],
    ["", { path: "$.data.total.previous" }, /found null/],
    ["", { path: "$.data.total.note" }, /found the string "approximate"/],
    ["", { path: "$.data.services" }, /found an array of 2/],
  ])(
    "names the selector and what it found when it misses (%s %o)",
    async (pointer, extra, message) => {
      // Prepare
      server.route("/feed", { headers: JSON_TYPE, body: FEED });
      const settings = pointer ? { pointer } : extra;

      // Act
      const read = source({ url: `${server.url}/feed`, ...settings }).read(request());

      // Assess
      await expect(read).rejects.toThrow(message);
    },
  );

  it("refuses a negative count", async () => {
    // Prepare
    server.route("/api/v2/tickets/count", { headers: JSON_TYPE, body: '{"count":{"value":-3}}' });

    // Act / Assess
    await expect(source({ pointer: "/count/value" }).read(request())).rejects.toThrow(
      /found the number -3, not a count/,
    );
  });
});

describe("HttpJsonSource with {from} and {to}", () => {
  const counts: Record<string, number> = {
    "2023-02-14T03:05:00Z": 3,
    "2023-02-14T03:10:00Z": 0,
    "2023-02-14T03:15:00Z": 17,
  };

  it("fetches each bucket with its start and end and counts each", async () => {
    // Prepare
    server.route("/reports", ({ query }) => ({
      headers: JSON_TYPE,
      body: JSON.stringify({ total: counts[query.get("from") ?? ""] ?? 999 }),
    }));

    // Act
    const reading = await source({
      url: `${server.url}/reports?from={from}&to={to}`,
      pointer: "/total",
    }).read(request());

    // Assess
    expect(reading.counts).toEqual([3, 0, 17]);
    const queries = server.requests.map((r) => new URLSearchParams(r.query));
    expect(queries.map((q) => [q.get("from"), q.get("to")]).sort()).toEqual([
      ["2023-02-14T03:05:00Z", "2023-02-14T03:10:00Z"],
      ["2023-02-14T03:10:00Z", "2023-02-14T03:15:00Z"],
      ["2023-02-14T03:15:00Z", "2023-02-14T03:20:00Z"],
    ]);
  });

  it("leaves a bucket whose request failed as a gap", async () => {
    // Prepare
    server.route("/reports", ({ query }) =>
      query.get("from") === "2023-02-14T03:10:00Z"
        ? { status: 404, headers: JSON_TYPE, body: '{"error":"not found"}' }
        : { headers: JSON_TYPE, body: JSON.stringify({ total: counts[query.get("from") ?? ""] }) },
    );

    // Act
    const reading = await source({
      url: `${server.url}/reports?from={from}&to={to}`,
      pointer: "/total",
    }).read(request());

    // Assess
    expect(reading.counts).toEqual([3, null, 17]);
  });

  it("fails when every bucket failed", async () => {
    // Prepare
    server.route("/reports", { headers: JSON_TYPE, body: '{"total":"n/a"}' });

    // Act
    const read = source({ url: `${server.url}/reports?from={from}`, pointer: "/total" }).read(
      request(),
    );

    // Assess
    await expect(read).rejects.toThrow(/pointer '\/total' found the string "n\/a"/);
  });
});

describe("HttpJsonSource over a flaky server", () => {
  it("waits out a 429 with Retry-After, then retries a 500, then reads", async () => {
    // Prepare
    server.route(
      "/api/v2/tickets/count",
      { status: 429, headers: { "retry-after": "1" } },
      { status: 500 },
      { headers: JSON_TYPE, body: TICKETS },
    );
    const started = Date.now();

    // Act
    const reading = await source({ pointer: "/count/value" }).read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 102]);
    expect(server.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it.each([
    [
      "an HTML error page served with 200",
      { headers: { "content-type": "text/html" }, body: "<html><h1>502 Bad Gateway</h1></html>" },
      /text\/html/,
    ],
    [
      "HTML served as JSON",
      { headers: JSON_TYPE, body: "<html><h1>Maintenance</h1></html>" },
      /not valid JSON/,
    ],
    ["a cut-off body", { headers: JSON_TYPE, body: FEED, truncateAfterBytes: 120 }, /count/],
    [
      "an oversized body",
      { headers: JSON_TYPE, body: `{"pad":"${"x".repeat(2 * 1024 * 1024)}"}` },
      /limit/,
    ],
  ])("fails on %s, naming the URL", async (_, response, message) => {
    // Prepare
    server.route("/api/v2/tickets/count", response);

    // Act
    const read = source({ pointer: "/count/value" }).read(request());

    // Assess
    await expect(read).rejects.toThrow(message);
    await expect(read).rejects.toThrow(/tickets\/count/);
  });
});

describe("HttpJsonSource and redirects", () => {
  it("does not publish what a redirect to another server answers", async () => {
    // Prepare: the endpoint redirects to a server on this machine holding an internal value
    const internal = await startFixtureServer();
    internal.route("/latest/meta-data/count", {
      headers: JSON_TYPE,
      body: '{"count":{"value":31337}}',
    });
    server.route("/api/v2/tickets/count", {
      status: 302,
      headers: { location: `${internal.url}/latest/meta-data/count` },
    });

    // Act
    const read = source({ pointer: "/count/value" }).read(request());

    // Assess
    await expect(read).rejects.toThrow(/a redirect to another origin/);
    await internal.close();
    expect(internal.requests).toHaveLength(0);
  });
});

describe("JSON selectors", () => {
  const document = {
    "a/b": { "m~n": 1 },
    items: [{ n: 5 }, { n: "7" }],
    "0": { x: 2 },
    "with space": 3,
  };

  it.each([
    ["/a~1b/m~0n", 1],
    ["/items/1/n", 7],
    ["/0/x", 2],
  ])("reads the JSON Pointer %s", (pointer, expected) => {
    // Act / Assess
    expect(pickCount(document, compileSelector({ pointer }))).toBe(expected);
  });

  it.each([
    ["$['a/b']['m~n']", 1],
    ["$.items[-1].n", 7],
    ["$.items[0]['n']", 5],
    ['$["with space"]', 3],
    ["$ [ 'with space' ]".replace(" ", ""), 3],
  ])("reads the JSONPath %s", (path, expected) => {
    // Act / Assess
    expect(pickCount(document, compileSelector({ path }))).toBe(expected);
  });

  it("does not read an index as a member name, nor a member name as an index", () => {
    // Act / Assess: RFC 9535 keeps the two apart; RFC 6901 tokens meet arrays as indexes
    expect(() => pickCount(document, compileSelector({ path: "$[0].x" }))).toThrow(/nothing/);
    expect(() => pickCount(document, compileSelector({ pointer: "/items/01/n" }))).toThrow(
      /nothing/,
    );
  });

  it.each(["data/count", "/a~2b"])("refuses the pointer %s", (pointer) => {
    // Act / Assess
    expect(() => parseJsonPointer(pointer)).toThrow(/JSON Pointer/);
  });

  it.each(["data.count", "$..count", "$.items[*]", "$.items[0:2]", "$.items[?(@.n>1)]", "$.a-b"])(
    "refuses the JSONPath %s",
    (path) => {
      // Act / Assess
      expect(() => parseJsonPath(path)).toThrow(/JSONPath|'\.\.'/);
    },
  );
});

describe("pickCount time", () => {
  it.each([
    ["digits, then a letter", (size: number) => `${repeatTo("1", size)}x`],
    [
      "digits, a point, digits, spaces, then a letter",
      (size: number) => `${repeatTo("1", size)}.${repeatTo("1", size)}${repeatTo(" ", size)}x`,
    ],
    ["spaces, then a letter", (size: number) => `${repeatTo(" ", size)}x`],
  ])("grows linearly with a count string of %s", (_, make) => {
    // Prepare
    const selector = compileSelector({ pointer: "/n" });

    // Act
    const ratio = settledGrowthRatio(
      make,
      (text) => {
        try {
          pickCount({ n: text }, selector);
        } catch {
          // Not a count: the refusal is what is timed.
        }
      },
      256_000,
    );

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});

describe("HttpJsonSourceSchema", () => {
  it("checks a URL of many unclosed braces in time linear in its length", () => {
    // Act
    const ratio = settledGrowthRatio(
      (size) => `https://api.example.com/?q=${repeatTo("{", size)}`,
      (url) => HttpJsonSourceSchema.safeParse({ kind: "http-json", url, pointer: "/n" }),
      16_000,
    );

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });

  it("joins a discriminated union on kind with the other source schemas", () => {
    // Prepare: how config.ts's SourceSchema will combine them
    const union = z.discriminatedUnion("kind", [
      ReplaySourceSchema,
      HttpJsonSourceSchema,
      MastodonSourceSchema,
      StatuspageSourceSchema,
    ]);

    // Act
    const good = union.parse({ kind: "http-json", url: "https://x.example/n", pointer: "/n" });
    const bad = union.safeParse({ kind: "http-json", url: "https://x.example/n" });

    // Assess
    expect(good).toMatchObject({ kind: "http-json", id: "http-json" });
    expect(JSON.stringify(bad.error?.issues)).toMatch(/exactly one of 'pointer'/);
    expect(JSON.stringify(z.toJSONSchema(union, { io: "input", unrepresentable: "any" }))).toMatch(
      /JSON Pointer \(RFC 6901\) to the count/,
    );
  });

  it("fills the defaults", () => {
    // Act
    const parsed = HttpJsonSourceSchema.parse({
      kind: "http-json",
      url: "https://api.example.com/outages?from={from}&to={to}",
      path: "$.data.count",
    });

    // Assess
    expect(parsed).toMatchObject({ id: "http-json", weight: 1, path: "$.data.count" });
  });

  it.each([
    [{ pointer: "/a", path: "$.a" }, /exactly one of 'pointer'/],
    [{}, /exactly one of 'pointer'/],
    [{ path: "$..a" }, /'\.\.' selects many values/],
    [{ pointer: "a" }, /starts with '\/'/],
    [{ pointer: "/a", url: "ftp://example.com/x" }, /http:\/\/ or https:\/\//],
    [
      { pointer: "/a", url: "https://example.com/?since={since}" },
      /unknown placeholder '\{since\}'/,
    ],
    [{ pointer: "/a", headers: { Authorization: "Bearer x" } }, /secrets do not belong/],
    [{ pointer: "/a", weight: 0 }, /too_small|>0|greater/i],
    [{ pointer: "/a", extra: 1 }, /extra|unrecognized/i],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = HttpJsonSourceSchema.safeParse({
      kind: "http-json",
      url: "https://api.example.com/count",
      ...fields,
    });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
