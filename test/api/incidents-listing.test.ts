/**
 * `GET /incidents` paging over the real incident store (dynalite): with filters, every
 * matching incident is returned exactly once across pages, newest first.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { route } from "../../lambdas/api/routes";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { type Incident, incidentId } from "../../lambdas/domain/incident";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { startTestTable, type TestTable } from "../support/embedded-table";

const config = parseConfig({
  services: ["t-mobile", "verizon", "att"].map((id) => ({ id, name: id, category: "carrier" })),
});

function incident(service: string, startedAt: number, resolved: boolean): Incident {
  return {
    id: incidentId(service, startedAt),
    service,
    startedAt,
    openedAt: startedAt + 5 * MINUTE_MS,
    countAtOpen: 100,
    baselineAtOpen: 10,
    peak: { count: 200, at: startedAt + 10 * MINUTE_MS },
    falloffs: [],
    resolvedAt: resolved ? startedAt + 60 * MINUTE_MS : null,
    correlatedWith: [],
  };
}

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

let table: TestTable;
let deps: ReturnType<typeof buildDependencies>["api"];
const all: Incident[] = [];

beforeAll(async () => {
  table = await startTestTable();
  const { tableName } = await table.freshTable();
  deps = buildDependencies({
    config,
    tableName,
    endpoint: table.store.endpoint,
    notifiers: () => [],
    salt: async () => "salt",
    now: Date.now,
  }).api;
  // 30 incidents, the three services taking turns, every other one resolved.
  const start = Date.parse("2024-01-01T00:00:00Z");
  for (let i = 0; i < 30; i++) {
    const item = incident(
      ["t-mobile", "verizon", "att"][i % 3] ?? "att",
      start + i * 60 * MINUTE_MS,
      i % 2 === 0,
    );
    all.push(item);
    await deps.incidents.put(item, { subject: "s", text: "t", sms: "m" }, item.startedAt);
  }
});
afterAll(async () => table.close());

async function pages(query: Record<string, string>): Promise<{ ids: string[]; requests: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let requests = 0;
  do {
    const response = await route(deps, get("/incidents", cursor ? { ...query, cursor } : query));
    requests++;
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? "{}") as {
      incidents: { id: string }[];
      next: string | null;
    };
    ids.push(...body.incidents.map((i) => i.id));
    cursor = body.next;
  } while (cursor && requests < 50);
  return { ids, requests };
}

describe("GET /incidents", () => {
  it("returns every incident of a service once, newest first, across filtered pages", async () => {
    // Act
    const { ids, requests } = await pages({ service: "verizon", limit: "3" });

    // Assess
    const expected = all
      .filter((i) => i.service === "verizon")
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((i) => i.id);
    expect(ids).toEqual(expected);
    expect(requests).toBeGreaterThanOrEqual(4);
  });

  it("combines service and status filters without losing any", async () => {
    // Act
    const { ids } = await pages({ service: "att", status: "open", limit: "2" });

    // Assess
    const expected = all
      .filter((i) => i.service === "att" && i.resolvedAt === null)
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((i) => i.id);
    expect(ids).toEqual(expected);
  });

  it("pages through everything unfiltered", async () => {
    // Act
    const { ids } = await pages({ limit: "7" });

    // Assess
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it("refuses a cursor sent with other filters, naming what is wrong", async () => {
    // Prepare: a cursor of the unfiltered listing
    const first = await route(deps, get("/incidents", { limit: "20" }));
    const { next } = JSON.parse(first.body ?? "{}") as { next: string };
    const answer = (query: Record<string, string>) =>
      route(deps, get("/incidents", { limit: "20", cursor: next, ...query })).then(
        (response) => ({ status: response.statusCode, detail: "" }),
        (error: { status: number; message: string }) => ({
          status: error.status,
          detail: error.message,
        }),
      );

    // Act
    const refusals = await Promise.all([
      answer({ service: "att" }),
      answer({ status: "open" }),
      answer({ from: "2024-01-01T20:00:00Z" }),
    ]);
    const sameFilters = await answer({});

    // Assess
    for (const refusal of refusals) {
      expect(refusal).toEqual({
        status: 400,
        detail:
          "cursor is not valid: it was made for other filters; pass the 'next' value of a previous response, with the same filters",
      });
    }
    expect(sameFilters.status).toBe(200);
  });

  it("tells an incident with what the service's sources said during it", async () => {
    // Prepare: a status page annotation inside the first incident, one long before it
    const [first] = all;
    if (!first) throw new Error("no incident");
    const during = {
      service: first.service,
      source: "statuspage",
      key: "inc:1",
      text: "T-Mobile acknowledged an incident: Calls failing",
    };
    await deps.annotations.put({ ...during, at: first.startedAt + 20 * MINUTE_MS });
    await deps.annotations.put({
      ...during,
      key: "inc:0",
      at: first.startedAt - 5 * 60 * MINUTE_MS,
    });

    // Act
    const response = await route(deps, get(`/incidents/${first.id}`, {}));

    // Assess
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? "{}");
    expect(body.annotations).toEqual([
      {
        at: new Date(first.startedAt + 20 * MINUTE_MS).toISOString().replace(".000Z", "Z"),
        source: "statuspage",
        text: "T-Mobile acknowledged an incident: Calls failing",
      },
    ]);
  });
});
