/**
 * The Statuspage source against a local server replaying `summary.json` and
 * `incidents.json` in the public v2 format: the worst component level as the newest
 * bucket's count, component subsets, incident updates as stable annotations, conditional
 * requests, and failures.
 */

import { beforeEach, describe, expect, it } from "vitest";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { StatuspageSourceSchema } from "../../lambdas/sources/statuspage/config";
import {
  incidentAnnotations,
  type StatuspageIncident,
  worstLevel,
} from "../../lambdas/sources/statuspage/payload";
import { StatuspageSource } from "../../lambdas/sources/statuspage/source";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { repeatTo } from "../support/hostile-payloads";
import { FIXTURE_NETWORK } from "../support/outbound";
import {
  at,
  describeHttpFaults,
  fixture as readFixture,
  sourceRequest,
  useFixtureServer,
} from "./source-harness";

const fixture = (name: string) => readFixture("statuspage", name);
const SUMMARY = fixture("summary.json");
const INCIDENTS = fixture("incidents.json");
const NO_COMPONENTS = fixture("summary-no-components.json");
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const SERVICE = { id: "t-mobile", name: "T-Mobile" };

/** Buckets 03:45, 03:50, 03:55 read at 04:01. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:55:00Z", overrides);

const server = useFixtureServer();
beforeEach(() => {
  server.route("/api/v2/summary.json", { headers: JSON_TYPE, body: SUMMARY });
  server.route("/api/v2/incidents.json", { headers: JSON_TYPE, body: INCIDENTS });
});

function source(components?: string[]) {
  return new StatuspageSource(
    SERVICE,
    {
      id: "statuspage",
      weight: 0,
      url: `${server.url}/`,
      ...(components ? { components } : {}),
    },
    FIXTURE_NETWORK,
  );
}

/** A handler that answers 304 when the request carries `etag`. */
function conditional(body: string, etag: string) {
  return ({ headers }: { headers: Record<string, string | undefined> }) =>
    headers["if-none-match"] === etag
      ? { status: 304, headers: { etag } }
      : { headers: { ...JSON_TYPE, etag }, body };
}

describe("StatuspageSource status signal", () => {
  it("reports the worst component level as the newest bucket, earlier buckets as gaps", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: Voice Calls is in partial outage (2); under maintenance counts as 0
    expect(reading.counts).toEqual([null, null, 2]);
  });

  it("limits the level to the configured components, by name and case-insensitively", async () => {
    // Act
    const healthy = await source(["Messaging", "website", "T-Mobile App"]).read(request());
    const data = await source(["mobile data"]).read(request());
    const group = await source(["Network"]).read(request());

    // Assess
    expect(healthy.counts[2]).toBe(0);
    expect(data.counts[2]).toBe(1);
    expect(group.counts[2]).toBe(2);
  });

  it("fails naming a configured component the page does not have", async () => {
    // Act
    const read = source(["Voice", "Website"]).read(request());

    // Assess
    await expect(read).rejects.toThrow(
      /no component named 'Voice'; it lists Network, Voice Calls, Mobile Data/,
    );
  });

  it("uses the page's indicator when the page lists no components", async () => {
    // Prepare
    server.route("/api/v2/summary.json", { headers: JSON_TYPE, body: NO_COMPONENTS });

    // Act
    const reading = await source().read(request());

    // Assess: indicator "minor"
    expect(reading.counts).toEqual([null, null, 1]);
  });
});

describe("StatuspageSource annotations", () => {
  it("states each update of open and recently updated incidents, once per update", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: the February 13 incident closed before the window; 04:20 is still to come
    expect(reading.annotations).toEqual([
      {
        at: at("2023-02-14T03:10:05.260Z"),
        key: "z9h5t1w3y8k4:a1s2d3f4g5h6",
        text: "T-Mobile acknowledged an incident: Mobile data slow in Dallas",
      },
      {
        at: at("2023-02-14T03:35:47.003Z"),
        key: "z9h5t1w3y8k4:j7k8l9z0x1c2",
        text: "T-Mobile posted an update on Mobile data slow in Dallas: monitoring",
      },
      {
        at: at("2023-02-14T03:41:12.552Z"),
        key: "p1xk3f9z8n2w:k0c2b8v7d1qf",
        text: "T-Mobile acknowledged an incident: Calls and texts failing in the Northeast",
      },
      {
        at: at("2023-02-14T03:52:31.774Z"),
        key: "z9h5t1w3y8k4:v3b4n5m6q7w8",
        text: "T-Mobile reported Mobile data slow in Dallas resolved",
      },
      {
        at: at("2023-02-14T03:58:40.998Z"),
        key: "p1xk3f9z8n2w:t6g3n9m2x5ra",
        text: "T-Mobile posted an update on Calls and texts failing in the Northeast: cause identified",
      },
    ]);
  });

  it("gives the same annotations on a second read, and the later update once it is due", async () => {
    // Prepare
    const statuspage = source();
    const first = await statuspage.read(request());

    // Act
    const second = await statuspage.read(request());
    const later = await statuspage.read(request({ nowMs: at("2023-02-14T04:21:00Z") }));

    // Assess
    expect(second.annotations).toEqual(first.annotations);
    const newKeys = (later.annotations ?? [])
      .map((a) => a.key)
      .filter((key) => !first.annotations?.some((a) => a.key === key));
    expect(newKeys).toEqual(["p1xk3f9z8n2w:w8e4q1z7c3yb"]);
  });

  it("still states an open incident's old updates, but not a resolved incident's", () => {
    // Prepare
    const incidents = JSON.parse(INCIDENTS).incidents as StatuspageIncident[];

    // Act: a window starting after every update shown
    const annotations = incidentAnnotations(
      "T-Mobile",
      incidents,
      at("2023-02-14T04:10:00Z"),
      at("2023-02-14T04:15:00Z"),
    );

    // Assess
    expect(annotations.map((a) => a.key)).toEqual([
      "p1xk3f9z8n2w:k0c2b8v7d1qf",
      "p1xk3f9z8n2w:t6g3n9m2x5ra",
    ]);
  });
});

describe("StatuspageSource stated incidents", () => {
  it("states the summary's unresolved incidents, scoped by their components", async () => {
    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.stated).toEqual([
      {
        key: "p1xk3f9z8n2w",
        title: "Calls and texts failing in the Northeast",
        startedAt: at("2023-02-14T03:41:12.406Z"),
        scopes: ["voice calls", "mobile data"],
      },
    ]);
  });

  it("states only incidents of the configured components, or of none", async () => {
    // Act
    const other = await source(["Messaging"]).read(request());
    const voice = await source(["voice calls"]).read(request());

    // Assess
    expect(other.stated).toEqual([]);
    expect(voice.stated?.map((i) => i.key)).toEqual(["p1xk3f9z8n2w"]);
  });

  it("states nothing on a 304: unknown, not none", async () => {
    // Prepare
    server.route("/api/v2/summary.json", conditional(SUMMARY, '"s1"'));
    server.route("/api/v2/incidents.json", conditional(INCIDENTS, '"i1"'));
    const first = await source().read(request());

    // Act
    const second = await source().read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.stated).toHaveLength(1);
    expect(second.stated).toBeUndefined();
  });

  it("reads a v2 summary without an incidents list (as incident.io pages may serve it) from incidents.json", async () => {
    // Prepare: the recorded summary without its incidents
    const { incidents: _, ...withoutIncidents } = JSON.parse(SUMMARY) as Record<string, unknown>;
    server.route("/api/v2/summary.json", {
      headers: JSON_TYPE,
      body: JSON.stringify(withoutIncidents),
    });

    // Act
    const reading = await source().read(request());

    // Assess: the level from the components, the unresolved incident from incidents.json
    expect(reading.counts).toEqual(
      await source()
        .read(request())
        .then((r) => r.counts),
    );
    expect(reading.stated?.map((i) => i.key)).toEqual(["p1xk3f9z8n2w"]);
  });
});

describe("StatuspageSource over HTTP", () => {
  it("sends both documents' validators back and repeats the remembered level on 304", async () => {
    // Prepare
    server.route("/api/v2/summary.json", conditional(SUMMARY, '"s1"'));
    server.route("/api/v2/incidents.json", conditional(INCIDENTS, '"i1"'));
    const statuspage = source();
    const first = await statuspage.read(request());
    server.requests.length = 0;

    // Act
    const second = await statuspage.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ "summary.etag": '"s1"', "incidents.etag": '"i1"', level: 2 });
    expect(server.requests.map((r) => r.headers["if-none-match"]).sort()).toEqual(['"i1"', '"s1"']);
    expect(second.counts).toEqual([null, null, 2]);
    expect(second.annotations).toEqual([]);
    expect(second.memory).toEqual(first.memory);
  });

  it("refetches the summary whole when a 304 comes without a remembered level", async () => {
    // Prepare: memory with validators but no level (e.g. written by an older version)
    server.route("/api/v2/summary.json", conditional(SUMMARY, '"s1"'));

    // Act
    const reading = await source().read(request({ memory: { "summary.etag": '"s1"' } }));

    // Assess
    expect(reading.counts).toEqual([null, null, 2]);
  });

  it("waits out a 429 with Retry-After and retries a 500", async () => {
    // Prepare
    server.route(
      "/api/v2/summary.json",
      { status: 429, headers: { "retry-after": "1" } },
      { headers: JSON_TYPE, body: SUMMARY },
    );
    server.route(
      "/api/v2/incidents.json",
      { status: 500, body: "upstream error" },
      { headers: JSON_TYPE, body: INCIDENTS },
    );

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 2]);
    expect(reading.annotations).toHaveLength(5);
    expect(server.requests).toHaveLength(4);
  });

  it("fails on JSON that is not a Statuspage summary", async () => {
    // Prepare
    server.route("/api/v2/summary.json", { headers: JSON_TYPE, body: '{"status":"ok"}' });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(/not a Statuspage v2 summary/);
  });

  it("fails on truncated JSON", async () => {
    // Prepare: the length is declared, the body stops short
    server.route("/api/v2/incidents.json", {
      headers: JSON_TYPE,
      body: INCIDENTS,
      truncateAfterBytes: 500,
    });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(/incidents\.json/);
  });

  // Both documents are read on every tick, so each must survive or fail clearly on its own.
  for (const [path, body] of [
    ["/api/v2/summary.json", SUMMARY],
    ["/api/v2/incidents.json", INCIDENTS],
  ] as const) {
    describeHttpFaults({
      server,
      path,
      healthy: { headers: JSON_TYPE, body },
      source: () => source(),
      request,
      expected: { counts: [null, null, 2], annotations: 5 },
      otherRequests: 1,
    });
  }
});

describe("incidentAnnotations time", () => {
  it("grows linearly with a hostile incident name and timestamps", () => {
    // Prepare
    const incidents = (size: number): StatuspageIncident[] => [
      {
        id: "i1",
        name: repeatTo(" \t", size),
        status: "investigating",
        updated_at: `2023-02-14T03:50:00.${repeatTo("1", size)}Z`,
        incident_updates: [
          { id: "u1", status: "investigating", created_at: "2023-02-14T03:50:00Z" },
        ],
      },
    ];

    // Act
    const ratio = settledGrowthRatio(
      incidents,
      (list) => incidentAnnotations("T-Mobile", list, 0, Date.now()),
      256_000,
    );

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});

describe("worstLevel", () => {
  it("ignores statuses it does not know", () => {
    // Act
    const level = worstLevel({
      components: [
        { id: "a", name: "A", status: "operational" },
        { id: "b", name: "B", status: "exploded" },
        { id: "c", name: "C", status: "degraded_performance" },
      ],
    });

    // Assess
    expect(level).toBe(1);
  });
});

describe("StatuspageSourceSchema", () => {
  it("defaults the weight to 0 (a signal), and what it yields builds a source", () => {
    // Act
    const parsed = StatuspageSourceSchema.parse({
      kind: "statuspage",
      url: "https://www.githubstatus.com",
      components: ["Actions", "Git Operations"],
    });

    // Assess
    expect(parsed).toEqual({
      kind: "statuspage",
      id: "statuspage",
      weight: 0,
      url: "https://www.githubstatus.com",
      components: ["Actions", "Git Operations"],
    });
    expect(new StatuspageSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it.each([
    [{ url: "https://www.githubstatus.com/api/v2/summary.json" }, /address only/],
    [{ url: "www.githubstatus.com" }, /http:\/\/ or https:\/\//],
    [{ components: [] }, /at least one component/],
    [{ components: [""] }, /empty component name/],
    [{ weight: -1 }, /too_small|>=0/i],
    [{ kind: "status-page" }, /statuspage/],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = StatuspageSourceSchema.safeParse({
      kind: "statuspage",
      url: "https://www.githubstatus.com",
      ...fields,
    });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
