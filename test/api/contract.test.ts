/**
 * The HTTP API's contract through real requests to the local runtime holding the seed
 * story: the OpenAPI document is valid OpenAPI 3.1, every route and every error answers
 * as it documents, and every response body is checked against the document's schema
 * for that operation and status.
 */

import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOURCE_FAILURE_REASONS, sourceFailureGlossary } from "../../contract/source-failure";
import { SECURITY_HEADERS } from "../../lambdas/api/security-headers";
import { parseConfig } from "../../lambdas/domain/config";
import { MAX_SERIES_POINTS } from "../../lambdas/usecases/query-status";
import { CHEAP_CHALLENGE, solvedChallenge, withSolvedChallenge } from "../support/report-client";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

type Operation = { responses: Record<string, Response>; operationId: string; security?: unknown[] };
type PathItem = { description?: string; get?: Operation; post?: Operation };
type OpenApi = {
  openapi: string;
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, unknown> };
};
type Response = { content?: Record<string, { schema: unknown }> };

/** The operations of a path item, by lower-case method. */
function operations(item: PathItem): [string, Operation][] {
  return (["get", "post"] as const).flatMap((method) => {
    const operation = item[method];
    return operation ? [[method, operation] as [string, Operation]] : [];
  });
}

let seeded: SeededRuntime;
let document: OpenApi;
let ajv: Ajv2020;
/** `METHOD /template status` of every answer checked against the document. */
const checked = new Set<string>();
/** Documented answers no request of this file can draw, each with why. */
function drawnElsewhere(key: string): boolean {
  // 401 needs api.auth apiKey (api-key.test.ts); 500 an unexpected failure, which the api
  // handler turns into a 500 problem (lambdas/handlers/api.ts).
  return / (401|500)$/.test(key);
}

/** The documented path template that `path` matches. */
function template(path: string): string {
  const bare = path.split("?")[0] ?? path;
  const found = Object.keys(document.paths).find((candidate) =>
    new RegExp(`^${candidate.replace(/\{\w+\}/g, "[^/]+")}$`).test(bare),
  );
  if (!found) throw new Error(`no documented path matches ${bare}`);
  return found;
}

const validators = new Map<string, ValidateFunction>();
const COMPONENTS = "https://outcry.invalid/components/";

/** The schema with its `#/components/schemas/X` references made absolute, for ajv. */
function withAbsoluteRefs(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS}`));
}

/**
 * Runs `use` against a local runtime of its own, with `reports` (and `subscriptions`)
 * settings, and stops it.
 */
async function onOwnRuntime<T>(
  reports: Record<string, unknown>,
  use: (url: string, runtime: TemporaryRuntime) => Promise<T>,
  subscriptions: Record<string, unknown> = {},
): Promise<T> {
  const started = await startTemporaryRuntime({
    config: parseConfig({
      services: [{ id: "att", name: "AT&T", category: "carrier" }],
      reports: { challenge: CHEAP_CHALLENGE, ...reports },
      subscriptions,
    }),
  });
  try {
    return await use(started.url, started);
  } finally {
    await started.stop();
  }
}

/**
 * Sends a request and checks the answer against the document: the status is documented
 * for the operation, and the body matches that status's schema and content type. Every
 * answer, whatever its status, carries the security headers.
 */
async function call(
  method: string,
  path: string,
  init: RequestInit = {},
  base = seeded.runtime.url,
) {
  const response = await fetch(`${base}${path}`, { method, ...init });
  const text = await response.text();
  const operationPath = template(path);
  const item = document.paths[operationPath] ?? {};
  const operation = operations(item).find(([name]) => name === method.toLowerCase())?.[1];
  const status = String(response.status);
  const documented = operation?.responses[status];
  expect(documented, `${method} ${path} answered ${status}, undocumented`).toBeDefined();
  checked.add(`${method} ${operationPath} ${status}`);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(response.headers.get(name), `${method} ${path} ${status}: ${name}`).toBe(value);
  }
  const contentType = (response.headers.get("content-type") ?? "").split(";")[0] ?? "";
  if (documented?.content) {
    expect(Object.keys(documented.content)).toContain(contentType);
    const schema = documented.content[contentType]?.schema as Record<string, unknown>;
    if (contentType.endsWith("json")) {
      const key = `${operationPath} ${method} ${status} ${contentType}`;
      let validate = validators.get(key);
      if (!validate) {
        validate = ajv.compile(withAbsoluteRefs(schema));
        validators.set(key, validate);
      }
      const ok = validate(JSON.parse(text));
      expect(validate.errors ?? [], `${method} ${path}: ${text.slice(0, 200)}`).toEqual([]);
      expect(ok).toBe(true);
    }
  } else {
    expect(text).toBe("");
  }
  return { response, text, body: text && contentType.endsWith("json") ? JSON.parse(text) : text };
}

beforeAll(async () => {
  seeded = await startSeededRuntime({
    configure: (config) => ({
      ...config,
      reports: { ...config.reports, ratePerMinute: 3 },
      api: { ...config.api, corsOrigins: ["https://status.example.com"] },
    }),
  });
  const raw = await fetch(`${seeded.runtime.url}/openapi.json`);
  document = (await raw.json()) as OpenApi;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Bodies refer to the components; give them an id the operations' $refs resolve against.
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    ajv.addSchema(withAbsoluteRefs(schema), `${COMPONENTS}${name}`);
  }
}, 60_000);

afterAll(async () => {
  await seeded?.stop();
});

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 and documents every route", async () => {
    // Act
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(document) as Parameters<Validator["validate"]>[0],
    );

    // Assess
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
    // Reads are open here (api.auth none): no scheme, and every operation says it needs none.
    expect(document.components).not.toHaveProperty("securitySchemes");
    for (const item of Object.values(document.paths)) {
      for (const [, operation] of operations(item)) expect(operation.security).toEqual([]);
    }
    // Each field keeps its own documentation (shared schema objects would share one).
    const schemas = document.components.schemas as Record<
      string,
      { properties: Record<string, { format?: string; description?: string }> }
    >;
    expect(schemas.Series?.properties.from?.format).toBe("date-time");
    expect(schemas.Series?.properties.from?.description).toBeUndefined();
    expect(schemas.Incident?.properties.openedAt?.description).toBe("when the detector opened it");
    expect(schemas.Incident?.properties.startedAt?.description).toBe(
      "start of the first abnormal bucket",
    );
    expect(Object.keys(document.paths).sort()).toEqual([
      "/",
      "/atlas/{area}.json",
      "/badge/{id}.json",
      "/badge/{id}.svg",
      "/embed.js",
      "/embed/report",
      "/feed.atom",
      "/feed.json",
      "/health",
      "/incidents",
      "/incidents/{id}",
      "/openapi.json",
      "/reports",
      "/reports/challenge",
      "/services",
      "/services/{id}",
      "/services/{id}/feed.atom",
      "/services/{id}/feed.json",
      "/services/{id}/series",
      "/subscriptions",
      "/subscriptions/confirm",
      "/subscriptions/unsubscribe",
    ]);
  });
});

describe("read routes", () => {
  it("lists services with status, latest count, baseline and the open incident", async () => {
    // Act
    const { body } = await call("GET", "/services");

    // Assess
    const tmobile = body.services.find((s: { id: string }) => s.id === "t-mobile");
    expect(body.services).toHaveLength(3);
    expect(tmobile.status).toBe("outage");
    expect(tmobile.openIncident).toMatch(/^t-mobile-/);
    expect(tmobile.baseline).toBeGreaterThan(0);
  });

  it("describes one service with its sources' health: kind, status, since when, the class of a failure", async () => {
    // Act
    const { body } = await call("GET", "/services/verizon");

    // Assess: every configured source, crowd reports first, read once by the seeding tick
    expect(body.id).toBe("verizon");
    expect(body.sources).toEqual([
      {
        source: "reports",
        kind: "crowd-reports",
        status: "ok",
        since: "2023-02-14T06:01:00Z",
        lastSuccessAt: "2023-02-14T06:01:00Z",
        lastErrorAt: null,
        lastFailure: null,
        consecutiveFailures: 0,
      },
      expect.objectContaining({ source: "replay", kind: "replay", status: "ok" }),
    ]);
  });

  it("documents a source's health as classes, and no error message", () => {
    // Assess
    const sources = (
      document.components.schemas.ServiceDetail as {
        properties: { sources: { items: { properties: Record<string, unknown> } } };
      }
    ).properties.sources.items.properties;
    const failure = (sources.lastFailure as { anyOf: { properties?: Record<string, unknown> }[] })
      .anyOf[0]?.properties;
    expect(Object.keys(sources)).not.toContain("lastError");
    expect(sources.status).toMatchObject({ enum: ["ok", "failing", "unknown"] });
    expect(failure?.reason).toEqual({
      type: "string",
      enum: [...SOURCE_FAILURE_REASONS],
      description: sourceFailureGlossary(),
    });
  });

  it("serves 24 hours of 5-minute buckets with the baseline band and gaps as nulls", async () => {
    // Act
    const { body } = await call("GET", "/services/t-mobile/series");

    // Assess
    expect(body.bucketMinutes).toBe(5);
    expect(body.points).toHaveLength(24 * 12 + 1);
    const peak = body.points.reduce(
      (best: { count: number }, p: { count: number | null }) =>
        (p.count ?? 0) > best.count ? p : best,
      { count: 0 },
    );
    expect(peak.count).toBeGreaterThan(83_000);
    expect(peak.at).toBe("2023-02-14T03:20:00Z");
    expect(peak.threshold).toBeGreaterThan(peak.baseline);
    expect(peak.sources).toEqual({ replay: peak.count });
    // Buckets before the seeded day were never read: gaps, not zeros.
    const earlier = await call(
      "GET",
      "/services/t-mobile/series?from=2023-02-12T12:00:00Z&to=2023-02-13T12:00:00Z",
    );
    expect(earlier.body.points[0].count).toBeNull();
    expect(earlier.body.points.at(-1).count).toBeGreaterThan(0);
  });

  it("rolls a week up to coarser points that keep every count", async () => {
    // Act
    // Every stored bucket falls in both ranges: the seeded day ends before 08:00.
    const day = await call(
      "GET",
      "/services/t-mobile/series?from=2023-02-13T00:00:00Z&to=2023-02-14T08:00:00Z",
    );
    const week = await call(
      "GET",
      "/services/t-mobile/series?from=2023-02-07T08:00:00Z&to=2023-02-14T08:00:00Z",
    );

    // Assess
    const total = (points: { count: number | null }[]) =>
      points.reduce((sum, p) => sum + (p.count ?? 0), 0);
    expect(week.body.bucketMinutes).toBe(10);
    expect(week.body.points.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(total(week.body.points)).toBeCloseTo(total(day.body.points), 0);
  });

  it("lists incidents newest first and pages them with an opaque cursor", async () => {
    // Act
    const first = await call("GET", "/incidents?limit=2");
    const second = await call("GET", `/incidents?limit=2&cursor=${first.body.next}`);
    const open = await call("GET", "/incidents?status=open&service=t-mobile");

    // Assess
    const all = [...first.body.incidents, ...second.body.incidents];
    expect(all.map((i: { service: string }) => i.service).sort()).toEqual([
      "att",
      "t-mobile",
      "verizon",
    ]);
    expect(second.body.next).toBeNull();
    expect(open.body.incidents).toHaveLength(1);
  });

  it("tells one incident with its timeline, peak, falloffs and correlated services", async () => {
    // Arrange
    const { body: list } = await call("GET", "/incidents?service=t-mobile");
    const id = list.incidents[0].id;

    // Act
    const { body } = await call("GET", `/incidents/${id}`);

    // Assess
    expect(body.peak.count).toBeGreaterThan(83_000);
    expect(body.correlatedWith.sort()).toEqual(["att", "verizon"]);
    expect(body.summary.text).toContain("T-Mobile");
    expect(body.annotations).toEqual([]);
    // Open and falling off since 03:20: a recovery forecast, ahead, inside its interval.
    const { at, earliest, latest } = body.recovery;
    expect(Date.parse(earliest)).toBeLessThanOrEqual(Date.parse(at));
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.parse(latest));
    expect(Date.parse(at)).toBeGreaterThan(Date.parse("2023-02-14T06:00:00Z"));
    expect(body.notifications[0]).toMatchObject({
      transition: "opened",
      state: "sent",
      subject: expect.stringMatching(/^T-Mobile outage/),
      channels: ["console", "local-sns", "outbox-file"],
      recipients: 0,
    });
  });

  it("answers health, the document and the dashboard page", async () => {
    // Act
    const health = await call("GET", "/health");
    const page = await call("GET", "/");

    // Assess
    expect(health.body.status).toBe("ok");
    expect(page.response.headers.get("content-type")).toContain("text/html");
    expect(page.response.headers.get("content-security-policy")).toContain("frame-ancestors");
    expect(page.text).toContain("<!doctype html>");
  });

  it("answers the report button's page and loader, and 304 for the version held", async () => {
    // Act
    const page = await call("GET", "/embed/report?service=t-mobile");
    const again = await call("GET", "/embed/report?service=t-mobile", {
      headers: { "if-none-match": page.response.headers.get("etag") ?? "" },
    });
    const missing = await call("GET", "/embed/report");
    const unknown = await call("GET", "/embed/report?service=nope");
    const loader = await call("GET", "/embed.js");
    const loaderAgain = await call("GET", "/embed.js", {
      headers: { "if-none-match": loader.response.headers.get("etag") ?? "" },
    });

    // Assess
    expect(page.text).toContain("Report a problem with T-Mobile");
    expect(again.response.status).toBe(304);
    expect(missing.body.field).toBe("service");
    expect(unknown.response.status).toBe(404);
    expect(loader.text).toContain("embed/report?service=");
    expect(loaderAgain.response.status).toBe(304);
  });
});

describe("caching", () => {
  it("answers 304 without a body when the client holds the current version", async () => {
    // Arrange
    const first = await call("GET", "/services");
    const etag = first.response.headers.get("etag") ?? "";

    // Act
    const again = await call("GET", "/services", { headers: { "if-none-match": etag } });
    const stale = await call("GET", "/services", { headers: { "if-none-match": '"old"' } });

    // Assess
    expect(first.response.headers.get("cache-control")).toBe("public, max-age=30");
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(again.response.status).toBe(304);
    expect(again.text).toBe("");
    expect(stale.response.status).toBe(200);
  });

  it("gzips a large body only for clients that accept it", async () => {
    // Act
    const gzipped = await fetch(`${seeded.runtime.url}/services/t-mobile/series`, {
      headers: { "accept-encoding": "gzip" },
    });
    const plain = await fetch(`${seeded.runtime.url}/services/t-mobile/series`, {
      headers: { "accept-encoding": "identity" },
    });

    // Assess
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(Number(gzipped.headers.get("content-length"))).toBeLessThan(
      Number(plain.headers.get("content-length")) / 4,
    );
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await gzipped.json()).toEqual(await plain.json());
  });
});

describe("conditional requests", () => {
  it.each([
    "/",
    "/openapi.json",
    "/atlas/us.json",
    "/services",
    "/services/att",
    "/services/att/series",
    "/incidents",
    "/incidents/att-20230214T0240Z",
  ])("GET %s answers 304 to its own ETag", async (path) => {
    // Arrange
    const first = await call("GET", path);

    // Act
    const again = await call("GET", path, {
      headers: { "if-none-match": first.response.headers.get("etag") ?? "" },
    });

    // Assess
    expect(first.response.status).toBe(200);
    expect(again.response.status).toBe(304);
    expect(again.response.headers.get("content-length")).toBeNull();
  });
});

describe("CORS", () => {
  it("lets a configured origin read and preflight, and no other", async () => {
    // Act
    const allowed = await call("GET", "/services", {
      headers: { origin: "https://status.example.com" },
    });
    const other = await call("GET", "/services", { headers: { origin: "https://evil.example" } });
    const preflight = await fetch(`${seeded.runtime.url}/services`, {
      method: "OPTIONS",
      headers: {
        origin: "https://status.example.com",
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-api-key",
      },
    });
    const error = await call("GET", "/services/nope", {
      headers: { origin: "https://status.example.com" },
    });

    // Assess
    expect(allowed.response.headers.get("access-control-allow-origin")).toBe(
      "https://status.example.com",
    );
    expect(allowed.response.headers.get("vary")).toMatch(/\borigin\b/i);
    expect(other.response.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, HEAD");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-api-key");
    expect(error.response.headers.get("access-control-allow-origin")).toBe(
      "https://status.example.com",
    );
  });
});

describe("errors", () => {
  it.each([
    ["/services/nope", 404, undefined],
    ["/services/nope/series", 404, undefined],
    ["/incidents/t-mobile-20990101T0000Z", 404, undefined],
    ["/nowhere", 404, undefined],
    ["//services", 404, undefined],
    ["/services/t-mobile/series?from=yesterday", 400, "from"],
    ["/services/t-mobile/series?to=2023-02-30T00:00:00Z", 400, "to"],
    ["/services/t-mobile/series?from=2023-02-14T00:00:00Z&to=2023-02-13T00:00:00Z", 400, "from"],
    ["/services/t-mobile/series?from=2023-01-01T00:00:00Z&to=2023-02-14T00:00:00Z", 400, "from"],
    ["/incidents?limit=0", 400, "limit"],
    ["/incidents?limit=many", 400, "limit"],
    ["/incidents?status=broken", 400, "status"],
    ["/incidents?service=nope", 400, "service"],
    ["/incidents?cursor=garbage", 400, "cursor"],
    ["/incidents?from=soon", 400, "from"],
    ["/services/%E0%A4%A", 400, undefined],
    ["/incidents/%E0%A4%A", 400, undefined],
  ])("GET %s answers %i naming the parameter", async (path, status, field) => {
    // Act
    const response = await fetch(`${seeded.runtime.url}${path}`);
    const body = await response.json();

    // Assess
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(body.field).toBe(field);
    if (!["/nowhere", "//services"].includes(path)) await call("GET", path);
  });

  it("answers each path's other methods with 405 and the Allow its description states", async () => {
    // Arrange: a method answered only with 405 is no operation, so the path item says it.
    const hsts: (string | null)[] = [];
    const validProblem = ajv.getSchema(`${COMPONENTS}Problem`);
    const expected: string[] = [];
    const answered: string[] = [];

    // Act
    for (const [path, item] of Object.entries(document.paths)) {
      const methods = operations(item).map(([method]) => method.toUpperCase());
      const allowed = methods.includes("GET") ? [...methods, "HEAD"] : methods;
      const allow = allowed.join(", ");
      expect(item.description).toContain(`OPTIONS (204`);
      expect(item.description).toContain(`\`Allow: ${allow}\``);
      const url = `${seeded.runtime.url}${path.replaceAll(/\{\w+\}/g, "x")}`;
      const others = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter(
        (method) => !allowed.includes(method),
      );
      for (const method of others) {
        const response = await fetch(url, { method });
        expected.push(`${method} ${path} 405 ${allow}`);
        answered.push(`${method} ${path} ${response.status} ${response.headers.get("allow")}`);
        hsts.push(response.headers.get("strict-transport-security"));
        if (method === "HEAD") continue;
        const body = await response.json();
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        expect(validProblem?.(body), `${method} ${path}: ${JSON.stringify(body)}`).toBe(true);
      }
      const options = await fetch(url, { method: "OPTIONS" });
      expected.push(`OPTIONS ${path} 204 ${allow}, OPTIONS`);
      answered.push(`OPTIONS ${path} ${options.status} ${options.headers.get("allow")}`);
      hsts.push(options.headers.get("strict-transport-security"));
    }
    const get = await fetch(`${seeded.runtime.url}/reports`);

    // Assess
    expect(answered).toEqual(expected);
    expect(new Set(hsts)).toEqual(new Set([SECURITY_HEADERS["strict-transport-security"]]));
    expect((await get.json()).detail).toContain("use POST");
  });

  it("answers a repeated query parameter with a 400 naming it, on every operation", async () => {
    // Act: the first parameter an operation reads, or one it does not, given twice.
    const answers: Record<string, [number, string]> = {};
    for (const [path, item] of Object.entries(document.paths)) {
      const get = item.get as { parameters?: { name: string; in: string }[] } | undefined;
      if (!get) continue;
      const name = get.parameters?.find((p) => p.in === "query")?.name ?? "probe";
      const value = name === "from" || name === "to" ? "2023-02-14T00:00:00Z" : "att";
      const concrete = path
        .replace("/services/{id}", "/services/att")
        .replace("/incidents/{id}", "/incidents/att-20230214T0240Z");
      const { response, body } = await call("GET", `${concrete}?${name}=${value}&${name}=${value}`);
      answers[path] = [response.status, body.field];
    }

    // Assess
    for (const [path, [status, field]] of Object.entries(answers)) {
      const name =
        (
          document.paths[path]?.get as { parameters?: { name: string; in: string }[] }
        )?.parameters?.find((p) => p.in === "query")?.name ?? "probe";
      expect([path, status, field]).toEqual([path, 400, name]);
    }
  });

  it("answers each documented error of POST /reports", async () => {
    // Arrange
    const json = { "content-type": "application/json", "x-forwarded-for": "203.0.113.9" };
    const post = async (body: string, headers: Record<string, string> = json) =>
      call("POST", "/reports", {
        body: await withSolvedChallenge(seeded.runtime.url, body),
        headers,
      });

    // Act
    const challenge = await call("GET", "/reports/challenge");
    const unsolved = await call("POST", "/reports", {
      body: JSON.stringify({ service: "att", problem: "calls" }),
      headers: json,
    });
    const accepted = await post(JSON.stringify({ service: "att", problem: "calls" }));
    const duplicate = await post(JSON.stringify({ service: "att", problem: "texts" }));
    const unknown = await post(JSON.stringify({ service: "nope", problem: "calls" }));
    const kind = await post(JSON.stringify({ service: "att", problem: "no-internet" }));
    const type = await post("service=att", { "content-type": "text/plain" });
    const large = await post(JSON.stringify({ service: "att", problem: "x".repeat(5000) }));
    const foreign = await call("POST", "/reports", {
      body: JSON.stringify({ service: "att", problem: "calls" }),
      headers: { ...json, origin: "https://evil.example" },
    });
    let limited = await post(JSON.stringify({ service: "verizon", problem: "calls" }));
    for (let i = 0; i < 5 && limited.response.status !== 429; i++) {
      limited = await post(JSON.stringify({ service: "verizon", problem: "calls" }));
    }

    // Assess
    expect(challenge.response.headers.get("cache-control")).toBe("no-store");
    expect(unsolved.body.field).toBe("altcha");
    expect(accepted.response.status).toBe(202);
    expect(duplicate.body.status).toBe("duplicate");
    expect(unknown.response.status).toBe(404);
    expect(kind.body.field).toBe("problem");
    expect(type.response.status).toBe(415);
    expect(large.response.status).toBe(413);
    expect(foreign.response.status).toBe(403);
    expect(limited.response.status).toBe(429);
    expect(Number(limited.response.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers 404 for the challenge where reports.challenge is off", async () => {
    // Act
    const status = await onOwnRuntime({ challenge: false }, async (url) => {
      const { response } = await call("GET", "/reports/challenge", {}, url);
      return response.status;
    });

    // Assess
    expect(status).toBe(404);
  });

  it("answers each documented error of GET /reports/challenge", async () => {
    // Act: on a runtime of its own, so its minute's challenges are spent nowhere else
    const [foreign, limited] = await onOwnRuntime({ ratePerMinute: 5 }, async (url) => {
      const refused = await call(
        "GET",
        "/reports/challenge",
        {
          headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
        },
        url,
      );
      let answer = await call("GET", "/reports/challenge", {}, url);
      for (let i = 0; i < 100 && answer.response.status !== 429; i++) {
        answer = await call("GET", "/reports/challenge", {}, url);
      }
      return [refused, answer];
    });

    // Assess
    expect(foreign.response.status).toBe(403);
    expect(limited.response.status).toBe(429);
    expect(Number(limited.response.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers each documented answer of the subscription routes", async () => {
    // Arrange
    const json = { "content-type": "application/json" };
    const foreign = { ...json, origin: "https://evil.example", "sec-fetch-site": "cross-site" };
    const huge = JSON.stringify({ email: "a@example.org", services: ["x".repeat(5000)] });
    const settings = { sms: true, maxPending: 2, perClientPerMinute: 4 };

    // Act
    const answers = await onOwnRuntime(
      {},
      async (url, runtime) => {
        const post = (path: string, body: unknown, headers: Record<string, string> = json) =>
          call(
            "POST",
            path,
            { body: typeof body === "string" ? body : JSON.stringify(body), headers },
            url,
          );
        const subscribe = async (body: Record<string, unknown>) =>
          post("/subscriptions", { ...body, altcha: await solvedChallenge(url) });
        const email = await subscribe({ email: "ana@example.org" });
        const sms = await subscribe({ phone: "+15555550123" });
        const full = await subscribe({ email: "bo@example.org" });
        const invalid = await subscribe({ email: "not an address" });
        const limited = await subscribe({ email: "cy@example.org" });
        const refusals = await Promise.all(
          ["/subscriptions", "/subscriptions/confirm", "/subscriptions/unsubscribe"].flatMap(
            (path) => [
              post(path, { email: "a@example.org" }, foreign),
              post(path, huge),
              post(path, "email=a", { "content-type": "text/plain" }),
            ],
          ),
        );
        const outbox = await readFile(runtime.runtime.outboxFile, "utf8");
        const code = /outcry code (\d{6})/.exec(outbox)?.[1] ?? "";
        const subscription = sms.body.subscription;
        const wrong = await post("/subscriptions/confirm", {
          subscription,
          code: code === "000000" ? "111111" : "000000",
        });
        const confirmed = await post("/subscriptions/confirm", { subscription, code });
        const token = confirmed.body.unsubscribeToken;
        const ended = await post("/subscriptions/unsubscribe", { token });
        const forged = await post("/subscriptions/unsubscribe", { token: `${token}0` });
        let codes = await post("/subscriptions/confirm", { subscription, code });
        for (let i = 0; i < 40 && codes.response.status !== 429; i++) {
          codes = await post("/subscriptions/confirm", { subscription, code });
        }
        const unsubscribes = await post("/subscriptions/unsubscribe", { token });
        return {
          email,
          sms,
          full,
          invalid,
          limited,
          refusals,
          wrong,
          confirmed,
          ended,
          forged,
          codes,
          unsubscribes,
        };
      },
      settings,
    );
    const off = await onOwnRuntime({}, async (url) =>
      call(
        "POST",
        "/subscriptions",
        {
          body: JSON.stringify({ phone: "+15555550123", altcha: await solvedChallenge(url) }),
          headers: json,
        },
        url,
      ),
    );

    // Assess
    expect(answers.email.response.status).toBe(202);
    expect(answers.sms.body.confirmWith).toBe("code");
    expect(answers.full.response.status).toBe(503);
    expect(answers.invalid.body.field).toBe("email");
    expect(answers.limited.response.status).toBe(429);
    expect(answers.refusals.map((r) => r.response.status)).toEqual([
      403, 413, 415, 403, 413, 415, 403, 413, 415,
    ]);
    expect(answers.wrong.body.field).toBe("code");
    expect(answers.confirmed.response.status).toBe(200);
    expect(answers.ended.body.status).toBe("unsubscribed");
    expect(answers.forged.body.field).toBe("token");
    expect([answers.codes.response.status, answers.unsubscribes.response.status]).toEqual([
      429, 429,
    ]);
    expect(off.response.status).toBe(404);
  });

  it("answers the followers' feeds and badges as documented, 304 and 404 included", async () => {
    for (const path of [
      "/feed.atom",
      "/feed.json",
      "/services/t-mobile/feed.atom",
      "/services/t-mobile/feed.json",
      "/badge/t-mobile.svg",
      "/badge/t-mobile.json",
    ]) {
      // Act
      const { response } = await call("GET", path);
      const again = await call("GET", path, {
        headers: { "if-none-match": response.headers.get("etag") ?? "" },
      });
      const repeated = await call("GET", `${path}?a=1&a=2`);

      // Assess
      expect(response.status, path).toBe(200);
      expect(again.response.status, path).toBe(304);
      expect(repeated.response.status, path).toBe(400);
    }
    for (const path of [
      "/services/nope/feed.atom",
      "/services/nope/feed.json",
      "/badge/nope.svg",
      "/badge/nope.json",
    ]) {
      expect((await call("GET", path)).response.status, path).toBe(404);
    }
  });

  it("answers the map's atlases as TopoJSON, and 404 for an area it has none of", async () => {
    // Act
    const world = await call("GET", "/atlas/world.json");
    const unknown = await call("GET", "/atlas/mars.json");

    // Assess
    expect(world.body.type).toBe("Topology");
    expect(unknown.response.status).toBe(404);
  });

  it("has exercised every documented answer but the ones only other setups give", () => {
    // Assess
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      operations(item).flatMap(([method, op]) =>
        Object.keys(op.responses).map((status) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    );
    const missing = documented.filter((key) => !checked.has(key) && !drawnElsewhere(key));
    expect(missing).toEqual([]);
  });
});
