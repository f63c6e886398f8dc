/**
 * The Cachet source against a local server replaying `/api/v1/components` and
 * `/api/v1/incidents` in the Cachet 2.x format: the worst component level as the newest
 * bucket's count, component subsets, unresolved incidents as stable annotations and as
 * stated incidents, conditional requests, payloads that do not match, and faults (each
 * fails this source's read only).
 */

import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { CachetSourceSchema } from "../../lambdas/sources/cachet/config";
import { cachetLevel, cachetTime } from "../../lambdas/sources/cachet/payload";
import { CachetSource } from "../../lambdas/sources/cachet/source";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { FIXTURE_NETWORK } from "../support/outbound";
import {
  at,
  describeHttpFaults,
  fixture,
  MemorySeenItems,
  sourceRequest,
  useFixtureServer,
} from "./source-harness";

const COMPONENTS = fixture("cachet", "components.json");
const INCIDENTS = fixture("cachet", "incidents.json");
const COMPONENTS_PATH = "/api/v1/components";
const INCIDENTS_PATH = "/api/v1/incidents";
const JSON_TYPE = { "content-type": "application/json" };
const SERVICE = { id: "acme", name: "Acme Cloud" };

/** Buckets 03:45, 03:50, 03:55 read at 04:01. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:55:00Z", overrides);

const server = useFixtureServer();
beforeEach(() => {
  server.route(COMPONENTS_PATH, { headers: JSON_TYPE, body: COMPONENTS });
  server.route(INCIDENTS_PATH, { headers: JSON_TYPE, body: INCIDENTS });
});

function source(components?: string[]) {
  return new CachetSource(
    SERVICE,
    { id: "cachet", weight: 0, url: `${server.url}/`, ...(components ? { components } : {}) },
    FIXTURE_NETWORK,
  );
}

type Row = Record<string, unknown>;

/** `text` (a fixture) with `change` applied to its `data` list. */
function edited(text: string, change: (rows: Row[]) => void): string {
  const document = JSON.parse(text) as { data: Row[] };
  change(document.data);
  return JSON.stringify(document);
}

describe("CachetSource status signal", () => {
  it("reports the worst enabled component as the newest bucket, asking for one page of each list", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: API is in partial outage (3 → 2); the disabled major outage does not count
    expect(reading.counts).toEqual([null, null, 2]);
    const asked = server.requests.map((r) => [r.path, r.query]).sort();
    expect(asked).toEqual([
      [COMPONENTS_PATH, "per_page=100"],
      [INCIDENTS_PATH, "per_page=100&sort=id&order=desc"],
    ]);
  });

  it("limits the level to the configured components, by name and any case", async () => {
    // Act
    const dashboard = await source(["dashboard"]).read(request());
    const website = await source(["Website", "Status emails"]).read(request());
    const legacy = await source(["Legacy FTP"]).read(request());

    // Assess: performance issues 1; operational and unknown 0; disabled counts nothing
    expect(dashboard.counts[2]).toBe(1);
    expect(website.counts[2]).toBe(0);
    expect(legacy.counts[2]).toBe(0);
  });

  it("fails naming a configured component the page does not have", async () => {
    // Act
    const read = source(["Payments"]).read(request());

    // Assess
    await expect(read).rejects.toThrow(/no component named 'Payments'; it lists Website, API/);
  });

  it("maps each component status to its level", () => {
    // Prepare
    const withStatus = (status: number) =>
      cachetLevel([{ id: 1, name: "C", status, enabled: true }]);

    // Act
    const levels = [0, 1, 2, 3, 4, 9].map(withStatus);

    // Assess
    expect(levels).toEqual([0, 0, 1, 2, 3, 0]);
  });

  it("reads Cachet's times as UTC, and ISO times as written", () => {
    // Act
    const plain = cachetTime("2023-02-14 03:41:12");
    const iso = cachetTime("2023-02-14T04:41:12+01:00");

    // Assess
    expect(plain).toBe(at("2023-02-14T03:41:12Z"));
    expect(iso).toBe(at("2023-02-14T03:41:12Z"));
    expect(cachetTime("14/02/2023")).toBeNaN();
  });
});

describe("CachetSource annotations and stated incidents", () => {
  it("states unresolved visible incidents' starts and status, and a fix within the window", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: incident 15 is dated 04:20, hidden 11, scheduled 10 and old 9 are not told
    expect(reading.annotations).toEqual([
      {
        at: at("2023-02-14T03:41:12Z"),
        key: "14:start",
        text: "Acme Cloud acknowledged an incident: API errors for some customers",
      },
      {
        at: at("2023-02-14T03:47:00Z"),
        key: "13:start",
        text: "Acme Cloud acknowledged an incident: Delayed status emails",
      },
      {
        at: at("2023-02-14T03:50:00Z"),
        key: "12:fixed",
        text: "Acme Cloud resolved an incident: Dashboard slow to load",
      },
      {
        at: at("2023-02-14T03:58:40Z"),
        key: "14:status-2",
        text: "Acme Cloud posted an update on API errors for some customers: identified",
      },
    ]);
  });

  it("gives the same annotations on a second read", async () => {
    // Prepare
    const cachet = source();
    const first = await cachet.read(request());

    // Act
    const second = await cachet.read(request());

    // Assess
    expect(second.annotations).toEqual(first.annotations);
  });

  it("states the unresolved visible incidents with their component as scope", async () => {
    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.stated).toEqual([
      {
        key: "14",
        title: "API errors for some customers",
        startedAt: at("2023-02-14T03:41:12Z"),
        scopes: ["api"],
      },
      {
        key: "13",
        title: "Delayed status emails",
        startedAt: at("2023-02-14T03:47:00Z"),
        scopes: [],
      },
    ]);
  });

  it("states and annotates only incidents on the configured components, or on the whole page", async () => {
    // Act
    const website = await source(["Website"]).read(request());
    const api = await source(["api"]).read(request());

    // Assess
    expect(website.stated?.map((s) => s.key)).toEqual(["13"]);
    expect(website.annotations?.map((a) => a.key)).toEqual(["13:start"]);
    expect(api.stated?.map((s) => s.key)).toEqual(["14", "13"]);
  });

  it("states none when every incident is fixed", async () => {
    // Prepare
    const body = edited(INCIDENTS, (rows) => {
      for (const row of rows) row.status = 4;
    });
    server.route(INCIDENTS_PATH, { headers: JSON_TYPE, body });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.stated).toEqual([]);
  });
});

describe("CachetSource payload validation", () => {
  it.each([
    [
      "a component without a status",
      COMPONENTS_PATH,
      edited(COMPONENTS, (rows) => {
        delete (rows[1] as Row).status;
      }),
      /components\?per_page=100 is not a Cachet 2\.x list: data\[1\]\.status/,
    ],
    [
      "a component status that is not a number",
      COMPONENTS_PATH,
      edited(COMPONENTS, (rows) => {
        (rows[0] as Row).status = "operational";
      }),
      /data\[0\]\.status/,
    ],
    [
      "an incident without a name",
      INCIDENTS_PATH,
      edited(INCIDENTS, (rows) => {
        delete (rows[2] as Row).name;
      }),
      /incidents\?.* is not a Cachet 2\.x list: data\[2\]\.name/,
    ],
    [
      "a 1.x answer without the data envelope",
      INCIDENTS_PATH,
      JSON.stringify(JSON.parse(INCIDENTS).data),
      /incidents\?.* is not a Cachet 2\.x list: the document: .*expected object, received array/,
    ],
  ])("fails naming the field and URL on %s", async (_name, path, body, message) => {
    // Prepare
    server.route(path, { headers: JSON_TYPE, body });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(message);
  });

  it("reads numeric strings as Cachet installations write them", async () => {
    // Prepare
    const body = edited(COMPONENTS, (rows) => {
      for (const row of rows) row.status = String(row.status);
    });
    server.route(COMPONENTS_PATH, { headers: JSON_TYPE, body });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts[2]).toBe(2);
  });
});

describe("CachetSource over HTTP", () => {
  /** Both lists answering 304 to their own ETag. */
  function withEtags() {
    server.route(COMPONENTS_PATH, ({ headers }) =>
      headers["if-none-match"] === '"c1"'
        ? { status: 304, headers: { etag: '"c1"' } }
        : { headers: { ...JSON_TYPE, etag: '"c1"' }, body: COMPONENTS },
    );
    server.route(INCIDENTS_PATH, ({ headers }) =>
      headers["if-none-match"] === '"i1"'
        ? { status: 304, headers: { etag: '"i1"' } }
        : { headers: { ...JSON_TYPE, etag: '"i1"' }, body: INCIDENTS },
    );
  }

  it("sends each list's validators back, repeats the level on 304 and states nothing then", async () => {
    // Prepare
    withEtags();
    const cachet = source();
    const first = await cachet.read(request());
    server.requests.length = 0;

    // Act
    const second = await cachet.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ "components.etag": '"c1"', "incidents.etag": '"i1"', level: 2 });
    const sent = server.requests.map((r) => [r.path, r.headers["if-none-match"]]).sort();
    expect(sent).toEqual([
      [COMPONENTS_PATH, '"c1"'],
      [INCIDENTS_PATH, '"i1"'],
    ]);
    expect(second.counts).toEqual([null, null, 2]);
    expect(second.annotations).toEqual([]);
    expect(second).not.toHaveProperty("stated");
  });

  it("asks for the components whole when only the incidents changed, for their scopes", async () => {
    // Prepare
    withEtags();
    const cachet = source();
    const first = await cachet.read(request());
    const memory = { ...first.memory, "incidents.etag": '"old"' };
    server.requests.length = 0;

    // Act
    const second = await cachet.read(request({ memory }));

    // Assess
    expect(server.requests.filter((r) => r.path === COMPONENTS_PATH)).toHaveLength(2);
    expect(second.stated?.[0]?.scopes).toEqual(["api"]);
    expect(second.counts[2]).toBe(2);
  });

  it("reads a list in the charset it declares, and fails on UTF-16 it does not declare", async () => {
    // Prepare
    const cafe = edited(INCIDENTS, (rows) => {
      (rows[1] as Row).name = "Café API errors";
    });
    server.route(
      INCIDENTS_PATH,
      {
        headers: { "content-type": "application/json; charset=iso-8859-1" },
        body: Buffer.from(cafe, "latin1"),
      },
      { headers: JSON_TYPE, body: Buffer.from(INCIDENTS, "utf16le") },
    );

    // Act
    const latin = await source().read(request());
    const utf16 = source().read(request());

    // Assess
    expect(latin.stated?.[0]?.title).toBe("Café API errors");
    await expect(utf16).rejects.toThrow(/incidents.*JSON/);
  });

  // Each list is read on every tick, so each must survive or fail clearly on its own.
  describeHttpFaults({
    server,
    path: COMPONENTS_PATH,
    healthy: { headers: JSON_TYPE, body: COMPONENTS },
    source: () => source(),
    request,
    expected: { counts: [null, null, 2], stated: 2 },
    otherRequests: 1,
  });
  describeHttpFaults({
    server,
    path: INCIDENTS_PATH,
    healthy: { headers: JSON_TYPE, body: INCIDENTS },
    source: () => source(),
    request,
    expected: { counts: [null, null, 2], stated: 2 },
    otherRequests: 1,
  });
});

describe("CachetSourceSchema", () => {
  it("defaults the weight to 0 (a signal), and what it yields builds a source", () => {
    // Act
    const parsed = CachetSourceSchema.parse({
      kind: "cachet",
      url: "https://status.acme.example",
      components: ["API"],
    });

    // Assess
    expect(parsed).toEqual({
      kind: "cachet",
      id: "cachet",
      weight: 0,
      url: "https://status.acme.example",
      components: ["API"],
    });
    expect(new CachetSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it.each([
    [{ url: "https://status.acme.example/api/v1/components" }, /root only \(outcry adds \/api\/v1/],
    [{ url: "https://status.acme.example/api/v1" }, /root only/],
    [{ url: "ftp://status.acme.example" }, /http:\/\/ or https:\/\//],
    [{ url: "https://status.acme.example/#top" }, /root only/],
    [{ url: undefined }, /url/],
    [{ components: [] }, /at least one component/],
    [{ components: [""] }, /empty component name/],
    [{ weight: -1 }, /too_small|>=0/i],
    [{ token: "secret" }, /unrecognized/i],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = CachetSourceSchema.safeParse({
      kind: "cachet",
      url: "https://status.acme.example",
      ...fields,
    });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("cachet in the configuration", () => {
  it("is a kind of source the configuration takes and the service's sources build", async () => {
    // Prepare
    const config = parseConfig({
      services: [
        {
          id: "acme",
          name: "Acme Cloud",
          category: "cloud",
          reports: { enabled: false },
          sources: [{ kind: "cachet", url: server.url }],
        },
      ],
    });
    const service = config.services[0];
    if (!service) throw new Error("the configuration has no service");

    // Act
    const sources = sourcesForService(
      service,
      { reports: {} as never, seen: new MemorySeenItems() },
      FIXTURE_NETWORK,
    );
    const reading = await sources[0]?.read(request());

    // Assess
    expect(sources.map((s) => [s.id, s.weight, s instanceof CachetSource])).toEqual([
      ["cachet", 0, true],
    ]);
    expect(reading?.counts).toEqual([null, null, 2]);
  });
});
