/**
 * `GET /services` over the real stores (dynalite) with 1,200 services: every service
 * listed exactly once across pages, with and without filters; cursors bound to their
 * filters; unknown filter values refused by name; and the store reads of one page
 * bounded by the page size, counted at the SDK boundary.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { route } from "../../lambdas/api/routes";
import { parseConfig } from "../../lambdas/domain/config";
import { initialDetectorState } from "../../lambdas/domain/detector";
import type { StatusRecord } from "../../lambdas/domain/service-status";
import { DynamoDetectorStateStore } from "../../lambdas/store/detector-state-store";
import { MAX_ROUNDS_PER_REQUEST } from "../../lambdas/usecases/list-services";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { countedClient, type SentRequest } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";

const SERVICES = 1200;
const CATEGORIES = ["carrier", "isp", "cloud", "app"] as const;
const NOW = Date.parse("2024-01-01T12:03:00Z");
/** The newest bucket closed at NOW. */
const LATEST = Date.parse("2024-01-01T11:55:00Z");

const ids = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(4, "0")}`);
// Config order differs from id order: the services are listed in reverse.
const config = parseConfig({
  services: [...ids].reverse().map((id, i) => ({
    id,
    name: `Service ${id}`,
    category: CATEGORIES[i % CATEGORIES.length],
  })),
});
const categoryOf = new Map(config.services.map((s) => [s.id, s.category]));
const configOrder = config.services.map((s) => s.id);

/** Every 7th service in an outage, every 11th (not 7th) elevated, every 13th back to normal. */
function recordOf(index: number): StatusRecord | null {
  const id = ids[index] ?? "";
  if (index % 7 === 0) return { status: "outage", openIncident: `${id}-20240101T1100Z` };
  if (index % 11 === 0) return { status: "elevated", openIncident: null };
  if (index % 13 === 0) return { status: "normal", openIncident: null };
  return null;
}
const statusOf = (id: string) => recordOf(ids.indexOf(id))?.status ?? "normal";

function get(path: string, query: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    isBase64Encoded: false,
    requestContext: {
      http: { method: "GET", path, sourceIp: "198.51.100.1", protocol: "HTTP/1.1", userAgent: "" },
    } as APIGatewayProxyEventV2["requestContext"],
  };
}

interface Summary {
  id: string;
  status: string;
  openIncident: string | null;
  latest: { at: string; count: number | null } | null;
  category: string;
}

let table: TestTable;
let deps: ReturnType<typeof buildDependencies>["api"];
let sent: SentRequest[];

beforeAll(async () => {
  table = await startTestTable();
  const { tableName } = await table.freshTable();
  const counted = countedClient(table.store.endpoint);
  sent = counted.sent;
  deps = buildDependencies({
    config,
    tableName,
    client: counted.client,
    notifiers: () => [],
    salt: async () => "salt",
    now: () => NOW,
  }).api;
  for (let i = 0; i < SERVICES; i++) {
    const record = recordOf(i);
    const id = ids[i] ?? "";
    if (record) {
      await deps.statuses.record(id, { status: "normal", openIncident: null }, record, LATEST);
    }
  }
  // Every service has a state, as once detect has run (packed: one batch a page reads).
  const states = new DynamoDetectorStateStore({ client: counted.client, tableName });
  for (let i = 0; i < SERVICES; i += 50) {
    await Promise.all(ids.slice(i, i + 50).map((id) => states.save(id, initialDetectorState(), 0)));
  }
  // A newest count for one service that has no status record.
  await deps.series.putCount("svc-0001", "reports", LATEST, 42);
}, 120_000);
afterAll(async () => table.close());

async function answer(query: Record<string, string>) {
  try {
    const response = await route(deps, get("/services", query));
    return { status: response.statusCode ?? 0, body: JSON.parse(response.body ?? "{}") };
  } catch (error) {
    const problem = error as { status: number; message: string; field?: string };
    return { status: problem.status, body: { detail: problem.message, field: problem.field } };
  }
}

/** Follows `next` to the end; the ids in the order listed, and the pages it took. */
async function everyPage(query: Record<string, string>) {
  const listed: Summary[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const { status, body } = await answer(cursor ? { ...query, cursor } : query);
    expect(status).toBe(200);
    listed.push(...(body.services as Summary[]));
    cursor = body.next;
    pages++;
  } while (cursor && pages < 200);
  return { listed, pages };
}

describe("GET /services with 1,200 services", () => {
  it("lists every service exactly once across pages, in config order", async () => {
    // Act
    const { listed, pages } = await everyPage({ limit: "100" });

    // Assess
    expect(pages).toBe(12);
    expect(listed.map((s) => s.id)).toEqual(configOrder);
    const outage = listed.find((s) => s.id === "svc-0007");
    expect(outage).toMatchObject({ status: "outage", openIncident: "svc-0007-20240101T1100Z" });
    expect(listed.find((s) => s.id === "svc-0011")?.status).toBe("elevated");
  });

  it("lists a service with no status record yet as normal, with its newest count", async () => {
    // Act
    const { listed } = await everyPage({ limit: "500" });

    // Assess
    expect(listed.find((s) => s.id === "svc-0001")).toMatchObject({
      status: "normal",
      openIncident: null,
      latest: { at: "2024-01-01T11:55:00Z", count: 42 },
    });
  });

  it("answers 100 a page by default and 500 at most", async () => {
    // Act
    const byDefault = await answer({});
    const most = await answer({ limit: "500" });
    const tooMany = await answer({ limit: "501" });

    // Assess
    expect(byDefault.body.services).toHaveLength(100);
    expect(most.body.services).toHaveLength(500);
    expect(tooMany).toMatchObject({ status: 400, body: { field: "limit" } });
  });

  it.each([
    ["outage", "50"],
    ["elevated", "17"],
    ["normal", "100"],
  ])("lists exactly the services in status %s, each once (limit %s)", async (status, limit) => {
    // Act
    const { listed } = await everyPage({ status, limit });

    // Assess
    const expected = configOrder.filter((id) => statusOf(id) === status);
    const got = listed.map((s) => s.id);
    expect(new Set(got).size).toBe(got.length);
    // elevated and outage come from their listing, in id order; normal in config order.
    expect(got).toEqual(status === "normal" ? expected : [...expected].sort());
    expect(listed.every((s) => s.status === status)).toBe(true);
  });

  it("combines status and category filters without losing any", async () => {
    // Act
    const outagesOfIsps = await everyPage({ status: "outage", category: "isp", limit: "10" });
    const normalClouds = await everyPage({ status: "normal", category: "cloud", limit: "40" });
    const apps = await everyPage({ category: "app", limit: "99" });

    // Assess
    const of = (category: string, status?: string) =>
      configOrder.filter(
        (id) => categoryOf.get(id) === category && (!status || statusOf(id) === status),
      );
    expect(outagesOfIsps.listed.map((s) => s.id)).toEqual([...of("isp", "outage")].sort());
    expect(normalClouds.listed.map((s) => s.id)).toEqual(of("cloud", "normal"));
    expect(apps.listed.map((s) => s.id)).toEqual(of("app"));
    expect(apps.listed.every((s) => s.category === "app")).toBe(true);
  });

  it("refuses a cursor that was altered or is sent with other filters", async () => {
    // Prepare
    const first = await answer({ status: "normal", limit: "10" });
    const next = first.body.next as string;
    const [position = "", tag = ""] = next.split(".");
    const altered = `${Buffer.from("svc-0500").toString("base64url")}.${tag}`;

    // Act
    const otherFilters = await answer({ status: "outage", limit: "10", cursor: next });
    const noFilters = await answer({ limit: "10", cursor: next });
    const tampered = await answer({ status: "normal", limit: "10", cursor: altered });
    const garbage = await answer({ status: "normal", limit: "10", cursor: "not-a-cursor" });
    const sameFilters = await answer({ status: "normal", limit: "10", cursor: next });
    const otherLimit = await answer({ status: "normal", limit: "20", cursor: next });

    // Assess
    for (const refused of [otherFilters, noFilters, tampered, garbage]) {
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe("cursor");
      expect(refused.body.detail).toMatch(/cursor is not valid/);
    }
    expect(otherFilters.body.detail).toMatch(/other filters/);
    expect(position).not.toBe("");
    expect(sameFilters.status).toBe(200);
    // The page size may change from page to page.
    expect(otherLimit.status).toBe(200);
  });

  it("refuses an unknown status or category, naming the field and the values allowed", async () => {
    // Act
    const status = await answer({ status: "down" });
    const category = await answer({ category: "bank" });

    // Assess
    expect(status).toMatchObject({ status: 400, body: { field: "status" } });
    expect(status.body.detail).toBe("status must be one of normal, elevated, outage");
    expect(category).toMatchObject({ status: 400, body: { field: "category" } });
    expect(category.body.detail).toBe("category must be one of carrier, isp, cloud, app, other");
  });

  it("reads a bounded number of items per page, whatever the number of services", async () => {
    // Act: pages not asked for before (the answer cache would serve those)
    const reads = async (query: Record<string, string>) => {
      sent.length = 0;
      const { status } = await answer(query);
      expect(status).toBe(200);
      return {
        calls: sent.filter((r) => r.command !== "GetItem" || r.partitions[0] !== "PROGRESS"),
        keys: sent.reduce((sum, r) => sum + r.partitions.length, 0),
      };
    };
    const first = await reads({ limit: "100", category: "carrier" });
    const outages = await reads({ limit: "100", status: "outage", category: "cloud" });
    const normal = await reads({ limit: "50", status: "normal", category: "app" });

    // Assess: a page of 100 is one batch of status records, three of newest buckets and
    // one of detector states
    expect(first.calls.map((r) => r.command).sort()).toEqual(Array(5).fill("BatchGetItem"));
    expect(first.keys).toBeLessThanOrEqual(1 + 100 + 300 + 100);
    // outage: pages of the outage listing until 100 clouds or five pages, then the same.
    const queries = outages.calls.filter((r) => r.command === "Query");
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.length).toBeLessThanOrEqual(MAX_ROUNDS_PER_REQUEST);
    expect(outages.calls.length - queries.length).toBeLessThanOrEqual(3 + 1);
    // normal: at most five batches of records, then the page's counts and states.
    expect(normal.calls.length).toBeLessThanOrEqual(5 + 3);
    expect(normal.keys).toBeLessThanOrEqual(1 + 5 * 50 + 150 + 50);
  });
});

describe("the data version behind the answer cache", () => {
  it("is read at most once a second per container, not once per request", async () => {
    // Act: different pages one after the other (each made afresh)
    sent.length = 0;
    const started = performance.now();
    for (let i = 1; i <= 12; i++) {
      const { status } = await answer({ limit: String(i), category: "carrier" });
      expect(status).toBe(200);
    }
    const elapsed = performance.now() - started;

    // Assess
    const versionReads = sent.filter(
      (r) => r.command === "GetItem" && r.partitions[0] === "PROGRESS",
    ).length;
    expect(versionReads).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1000));
    expect(versionReads).toBeLessThan(12);
  });
});

describe("GET /services latency", () => {
  it("answers the first page in well under a second", async () => {
    // Act: a page not asked for before
    const started = performance.now();
    const { status, body } = await answer({ limit: "100", category: "isp" });
    const elapsed = performance.now() - started;

    // Assess (generous: a shared machine; the unpaged listing took seconds)
    expect(status).toBe(200);
    expect(body.services).toHaveLength(100);
    expect(elapsed).toBeLessThan(1000);
  });
});
