/**
 * The Better Stack source against a local server replaying a status page's `index.json`
 * in the public format: the level as the newest bucket's count, resource subsets, open
 * reports as stable annotations and as stated incidents, conditional requests, a payload
 * that does not match, and faults (each fails this source's read only).
 */

import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { BetterstackSourceSchema } from "../../lambdas/sources/betterstack/config";
import { betterstackLevel, betterstackPage } from "../../lambdas/sources/betterstack/payload";
import { BetterstackSource } from "../../lambdas/sources/betterstack/source";
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

const INDEX = fixture("betterstack", "index.json");
const PATH = "/index.json";
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const SERVICE = { id: "acme", name: "Acme Cloud" };

/** Buckets 03:45, 03:50, 03:55 read at 04:01. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:55:00Z", overrides);

const server = useFixtureServer();
beforeEach(() => {
  server.route(PATH, { headers: JSON_TYPE, body: INDEX });
});

function source(components?: string[]) {
  return new BetterstackSource(
    SERVICE,
    { id: "betterstack", weight: 0, url: `${server.url}/`, ...(components ? { components } : {}) },
    FIXTURE_NETWORK,
  );
}

type Item = { id: string; type: string; attributes: Record<string, unknown> };
type Document = { data: { attributes: Record<string, unknown> }; included: Item[] };

/** The fixture with `change` applied to its parsed document. */
function edited(change: (document: Document) => void): string {
  const document = JSON.parse(INDEX) as Document;
  change(document);
  return JSON.stringify(document);
}

/** The included item of `id`. */
const item = (document: Document, id: string) => document.included.find((i) => i.id === id) as Item;

describe("BetterstackSource status signal", () => {
  it("reports the level as the newest bucket, earlier buckets as gaps", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: API is down, not every resource: a partial outage, 2
    expect(reading.counts).toEqual([null, null, 2]);
    expect(server.requests.map((r) => r.path)).toEqual([PATH]);
  });

  it("limits the level to the configured resources, by public name and any case", async () => {
    // Act
    const api = await source(["api"]).read(request());
    const dashboard = await source(["Dashboard", "Website"]).read(request());
    const webhooks = await source(["Webhooks"]).read(request());

    // Assess: every resource counted is down → 3; maintenance counts 0
    expect(api.counts[2]).toBe(3);
    expect(dashboard.counts[2]).toBe(1);
    expect(webhooks.counts[2]).toBe(0);
  });

  it("fails naming a configured resource the page does not have", async () => {
    // Act
    const read = source(["Payments"]).read(request());

    // Assess
    await expect(read).rejects.toThrow(/no component named 'Payments'; it lists Website, API/);
  });

  it("reads the aggregate state: degraded 1, downtime 2 (3 with no resources), maintenance 0", () => {
    // Prepare
    const page = betterstackPage(JSON.parse(INDEX), "fixture");
    const operational = page.resources.map((r) => ({ ...r, status: "operational" }));
    const withState = (aggregateState: string, resources = operational) =>
      betterstackLevel({ ...page, aggregateState, resources });

    // Act
    const levels = ["operational", "maintenance", "degraded", "downtime"].map((s) => withState(s));
    const bare = withState("downtime", []);

    // Assess
    expect(levels).toEqual([0, 0, 1, 2]);
    expect(bare).toBe(3);
  });
});

describe("BetterstackSource annotations and stated incidents", () => {
  it("states the open reports' starts and updates, and a resolution within the window", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: the 04:20 update is still to come; the upcoming maintenance is not told
    expect(reading.annotations).toEqual([
      {
        at: at("2023-02-14T03:30:00Z"),
        key: "5002:start",
        text: "Acme Cloud started planned maintenance: Webhook queue migration",
      },
      {
        at: at("2023-02-14T03:41:12Z"),
        key: "5001:start",
        text: "Acme Cloud acknowledged an incident: API requests failing for some customers",
      },
      {
        at: at("2023-02-14T03:50:00Z"),
        key: "5003:end",
        text: "Acme Cloud resolved an incident: Elevated dashboard latency",
      },
      {
        at: at("2023-02-14T03:52:00Z"),
        key: "5002:6005",
        text: "Acme Cloud posted an update on Webhook queue migration",
      },
      {
        at: at("2023-02-14T03:58:40Z"),
        key: "5001:6002",
        text: "Acme Cloud posted an update on API requests failing for some customers",
      },
    ]);
  });

  it("gives the same annotations on a second read, and the later update once it is due", async () => {
    // Prepare
    const betterstack = source();
    const first = await betterstack.read(request());

    // Act
    const second = await betterstack.read(request());
    const later = await betterstack.read(request({ nowMs: at("2023-02-14T04:21:00Z") }));

    // Assess
    expect(second.annotations).toEqual(first.annotations);
    const keys = (later.annotations ?? []).map((a) => a.key);
    expect(keys).toContain("5001:6003");
  });

  it("states the open incident report with the resources it affects, not maintenance or resolved ones", async () => {
    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.stated).toEqual([
      {
        key: "5001",
        title: "API requests failing for some customers",
        startedAt: at("2023-02-14T03:41:12Z"),
        scopes: ["api", "dashboard"],
      },
    ]);
  });

  it("states and annotates only what affects the configured resources, or the whole page", async () => {
    // Prepare: a second open report that names no resource (the whole page)
    server.route(PATH, {
      headers: JSON_TYPE,
      body: edited((d) => {
        d.included.push({
          id: "5005",
          type: "status_report",
          attributes: {
            title: "Degraded service",
            report_type: "manual",
            starts_at: "2023-02-14T03:46:00.000Z",
            ends_at: null,
            affected_resources: [],
            aggregate_state: "degraded",
          },
        });
      }),
    });

    // Act
    const website = await source(["Website"]).read(request());
    const dashboard = await source(["dashboard"]).read(request());

    // Assess
    expect(website.stated?.map((s) => [s.key, s.scopes])).toEqual([["5005", []]]);
    expect(website.annotations?.map((a) => a.key)).toEqual(["5005:start"]);
    expect(dashboard.stated?.map((s) => s.key)).toEqual(["5001", "5005"]);
    expect(dashboard.annotations?.map((a) => a.key)).toContain("5003:end");
  });

  it("states none when every report is resolved", async () => {
    // Prepare
    const body = edited((d) => {
      item(d, "5001").attributes.aggregate_state = "resolved";
    });
    server.route(PATH, { headers: JSON_TYPE, body });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.stated).toEqual([]);
  });
});

describe("BetterstackSource payload validation", () => {
  it.each([
    [
      "no aggregate state",
      (d: Document) => {
        delete d.data.attributes.aggregate_state;
      },
      /data\.attributes\.aggregate_state/,
    ],
    [
      "a resource without a public name",
      (d: Document) => {
        delete item(d, "8002").attributes.public_name;
      },
      /included\[3\]\.attributes\.public_name/,
    ],
    [
      "a report without a title",
      (d: Document) => {
        item(d, "5001").attributes.title = 42;
      },
      /included\[7\]\.attributes\.title/,
    ],
    [
      "an update without its time",
      (d: Document) => {
        delete item(d, "6001").attributes.published_at;
      },
      /included\[8\]\.attributes\.published_at/,
    ],
    [
      "included as an object",
      (d: Document) => {
        (d as unknown as { included: unknown }).included = {};
      },
      /included/,
    ],
  ])("fails naming the field on %s", async (_name, change, field) => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: edited(change) });

    // Act
    const error = await source()
      .read(request())
      .then(
        () => null,
        (failure: Error) => failure,
      );

    // Assess
    expect(error?.message).toMatch(/index\.json is not a Better Stack status page/);
    expect(error?.message).toMatch(field);
  });
});

describe("BetterstackSource over HTTP", () => {
  it("sends the validators back, repeats the remembered level on 304 and states nothing then", async () => {
    // Prepare
    server.route(PATH, ({ headers }) =>
      headers["if-none-match"] === '"b1"'
        ? { status: 304, headers: { etag: '"b1"' } }
        : { headers: { ...JSON_TYPE, etag: '"b1"' }, body: INDEX },
    );
    const betterstack = source();
    const first = await betterstack.read(request());
    server.requests.length = 0;

    // Act
    const second = await betterstack.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ etag: '"b1"', level: 2 });
    expect(server.requests.map((r) => r.headers["if-none-match"])).toEqual(['"b1"']);
    expect(second.counts).toEqual([null, null, 2]);
    expect(second.annotations).toEqual([]);
    expect(second).not.toHaveProperty("stated");
  });

  it("reads a page in the charset it declares, and fails on UTF-16 it does not declare", async () => {
    // Prepare
    const cafe = edited((d) => {
      item(d, "5001").attributes.title = "Café API errors";
    });
    server.route(
      PATH,
      {
        headers: { "content-type": "application/json; charset=iso-8859-1" },
        body: Buffer.from(cafe, "latin1"),
      },
      { headers: { "content-type": "application/json" }, body: Buffer.from(INDEX, "utf16le") },
    );

    // Act
    const latin = await source().read(request());
    const utf16 = source().read(request());

    // Assess
    expect(latin.stated?.[0]?.title).toBe("Café API errors");
    await expect(utf16).rejects.toThrow(/index\.json.*JSON/);
  });

  describeHttpFaults({
    server,
    path: PATH,
    healthy: { headers: JSON_TYPE, body: INDEX },
    source: () => source(),
    request,
    expected: { counts: [null, null, 2] },
  });
});

describe("BetterstackSourceSchema", () => {
  it("defaults the weight to 0 (a signal), and what it yields builds a source", () => {
    // Act
    const parsed = BetterstackSourceSchema.parse({
      kind: "betterstack",
      url: "https://status.acme.example",
      components: ["API"],
    });

    // Assess
    expect(parsed).toEqual({
      kind: "betterstack",
      id: "betterstack",
      weight: 0,
      url: "https://status.acme.example",
      components: ["API"],
    });
    expect(new BetterstackSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it.each([
    [
      { url: "https://status.acme.example/index.json" },
      /address only \(outcry adds \/index\.json\)/,
    ],
    [{ url: "status.acme.example" }, /http:\/\/ or https:\/\//],
    [{ url: "https://status.acme.example/?lang=en" }, /address only/],
    [{ url: undefined }, /url/],
    [{ components: [] }, /at least one component/],
    [{ components: [" "] }, /empty component name/],
    [{ weight: -1 }, /too_small|>=0/i],
    [{ pageId: "x" }, /unrecognized/i],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = BetterstackSourceSchema.safeParse({
      kind: "betterstack",
      url: "https://status.acme.example",
      ...fields,
    });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("betterstack in the configuration", () => {
  it("is a kind of source the configuration takes and the service's sources build", async () => {
    // Prepare
    const config = parseConfig({
      services: [
        {
          id: "acme",
          name: "Acme Cloud",
          category: "cloud",
          reports: { enabled: false },
          sources: [{ kind: "betterstack", url: server.url, components: ["API"] }],
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
    expect(sources.map((s) => [s.id, s.weight, s instanceof BetterstackSource])).toEqual([
      ["betterstack", 0, true],
    ]);
    expect(reading?.counts).toEqual([null, null, 3]);
  });
});
