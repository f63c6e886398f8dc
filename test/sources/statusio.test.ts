/**
 * The Status.io source against a local server replaying `/1.0/status/{pageId}` in the
 * public format: the worst component level as the newest bucket's count, component
 * subsets, active incidents and maintenance as stable annotations, conditional requests,
 * a payload that does not match, and faults (each fails this source's read only).
 */

import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { StatusioSourceSchema } from "../../lambdas/sources/statusio/config";
import {
  parseStatusioPayload,
  STATUS_CODE_LEVELS,
  worstLevel,
} from "../../lambdas/sources/statusio/payload";
import { StatusioSource } from "../../lambdas/sources/statusio/source";
import { FIXTURE_NETWORK } from "../support/outbound";
import {
  at,
  describeHttpFaults,
  fixture,
  MemorySeenItems,
  sourceRequest,
  useFixtureServer,
} from "./source-harness";

const STATUS = fixture("statusio", "status.json");
const PAGE_ID = "5b36dc6502d06804c08349f7";
const PATH = `/1.0/status/${PAGE_ID}`;
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const SERVICE = { id: "gitlab", name: "GitLab" };

/** Buckets 03:45, 03:50, 03:55 read at 04:01. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:55:00Z", overrides);

const server = useFixtureServer();
beforeEach(() => {
  server.route(PATH, { headers: JSON_TYPE, body: STATUS });
});

function source(components?: string[]) {
  return new StatusioSource(
    SERVICE,
    {
      id: "statusio",
      weight: 0,
      url: `${server.url}/`,
      pageId: PAGE_ID,
      ...(components ? { components } : {}),
    },
    FIXTURE_NETWORK,
  );
}

/** The fixture with `change` applied to its parsed document. */
function edited(change: (document: { result: Record<string, unknown> }) => void): string {
  const document = JSON.parse(STATUS);
  change(document);
  return JSON.stringify(document);
}

describe("StatusioSource status signal", () => {
  it("reports the worst level as the newest bucket, earlier buckets as gaps", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: Git Operations is in partial service disruption (400 → 2)
    expect(reading.counts).toEqual([null, null, 2]);
    expect(server.requests.map((r) => r.path)).toEqual([PATH]);
  });

  it("limits the level to the configured components, by name and case-insensitively", async () => {
    // Act
    const website = await source(["website"]).read(request());
    const api = await source(["API", "Website"]).read(request());
    const registry = await source(["Container Registry"]).read(request());

    // Assess: planned maintenance (200) counts 0
    expect(website.counts[2]).toBe(0);
    expect(api.counts[2]).toBe(1);
    expect(registry.counts[2]).toBe(0);
  });

  it("fails naming a configured component the page does not have", async () => {
    // Act
    const read = source(["Git", "Website"]).read(request());

    // Assess
    await expect(read).rejects.toThrow(
      /no component named 'Git'; it lists Website, API, Git Operations/,
    );
  });

  it("maps each status code to its level", () => {
    // Prepare
    const payload = parseStatusioPayload(JSON.parse(STATUS), "fixture");
    const withCode = (code: number) =>
      worstLevel({
        result: {
          ...payload.result,
          status_overall: { status_code: code },
          status: [{ id: "c", name: "C", status_code: code }],
        },
      });

    // Act
    const levels = [100, 200, 300, 400, 500, 600, 999].map(withCode);

    // Assess
    expect(levels).toEqual([0, 0, 1, 2, 3, 3, 0]);
    expect(STATUS_CODE_LEVELS[600]).toBe(3);
  });
});

describe("StatusioSource annotations", () => {
  it("states the active incident's messages and the active maintenance, not the upcoming", async () => {
    // Act
    const reading = await source().read(request());

    // Assess: the 04:20 message is still to come
    expect(reading.annotations).toEqual([
      {
        at: at("2023-02-14T03:30:00.000Z"),
        key: "63e6b9a1c2f36053b37055d1:start",
        text: "GitLab started planned maintenance: Container Registry storage migration",
      },
      {
        at: at("2023-02-14T03:41:12.552Z"),
        key: "63eb02b8e0a4ca053a1f4b2c:2023-02-14T03:41:12.552Z",
        text: "GitLab acknowledged an incident: Git operations over SSH failing for some users",
      },
      {
        at: at("2023-02-14T03:50:18.447Z"),
        key: "63e6b9a1c2f36053b37055d1:2023-02-14T03:50:18.447Z",
        text: "GitLab posted an update on planned maintenance Container Registry storage migration: planned maintenance",
      },
      {
        at: at("2023-02-14T03:58:40.998Z"),
        key: "63eb02b8e0a4ca053a1f4b2c:2023-02-14T03:58:40.998Z",
        text: "GitLab posted an update on Git operations over SSH failing for some users: partial service disruption",
      },
    ]);
  });

  it("gives the same annotations on a second read, and the later message once it is due", async () => {
    // Prepare
    const statusio = source();
    const first = await statusio.read(request());

    // Act
    const second = await statusio.read(request());
    const later = await statusio.read(request({ nowMs: at("2023-02-14T04:21:00Z") }));

    // Assess
    expect(second.annotations).toEqual(first.annotations);
    const newKeys = (later.annotations ?? [])
      .map((a) => a.key)
      .filter((key) => !first.annotations?.some((a) => a.key === key));
    expect(newKeys).toEqual(["63eb02b8e0a4ca053a1f4b2c:2023-02-14T04:20:05.310Z"]);
  });
});

describe("StatusioSource payload validation", () => {
  it.each([
    [
      "a component without a status code",
      (d: { result: Record<string, unknown> }) => {
        (d.result.status as Record<string, unknown>[])[1] = { id: "x", name: "API" };
      },
      /result\.status\[1\]\.status_code/,
    ],
    [
      "no overall status",
      (d: { result: Record<string, unknown> }) => {
        delete d.result.status_overall;
      },
      /result\.status_overall/,
    ],
    [
      "a message without a time",
      (d: { result: Record<string, unknown> }) => {
        (d.result.incidents as { messages: unknown[] }[])[0]?.messages.push({ details: "x" });
      },
      /result\.incidents\[0\]\.messages\[3\]\.datetime/,
    ],
    [
      "maintenance as a list",
      (d: { result: Record<string, unknown> }) => {
        d.result.maintenance = [];
      },
      /result\.maintenance/,
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
    expect(error?.message).toMatch(/not a Status\.io status payload/);
    expect(error?.message).toMatch(field);
  });

  it("fails with what Status.io said for an unknown page", async () => {
    // Prepare: Status.io answers 200 with an error object for an id it does not know
    server.route(PATH, { headers: JSON_TYPE, body: '{"error":"status page not found"}' });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(
      /Status\.io answered 'status page not found'; check the source's pageId/,
    );
  });
});

describe("StatusioSource over HTTP", () => {
  it("sends the validators back and repeats the remembered level on 304", async () => {
    // Prepare
    server.route(PATH, ({ headers }) =>
      headers["if-none-match"] === '"p1"'
        ? { status: 304, headers: { etag: '"p1"' } }
        : { headers: { ...JSON_TYPE, etag: '"p1"' }, body: STATUS },
    );
    const statusio = source();
    const first = await statusio.read(request());
    server.requests.length = 0;

    // Act
    const second = await statusio.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ etag: '"p1"', level: 2 });
    expect(server.requests.map((r) => r.headers["if-none-match"])).toEqual(['"p1"']);
    expect(second.counts).toEqual([null, null, 2]);
    expect(second.annotations).toEqual([]);
  });

  describeHttpFaults({
    server,
    path: PATH,
    healthy: { headers: JSON_TYPE, body: STATUS },
    source: () => source(),
    request,
    expected: { counts: [null, null, 2] },
  });
});

describe("StatusioSourceSchema", () => {
  it("defaults the API address and the weight to 0 (a signal), and what it yields builds a source", () => {
    // Act
    const parsed = StatusioSourceSchema.parse({
      kind: "statusio",
      pageId: PAGE_ID,
      components: ["API", "Git Operations"],
    });

    // Assess
    expect(parsed).toEqual({
      kind: "statusio",
      id: "statusio",
      weight: 0,
      url: "https://api.status.io",
      pageId: PAGE_ID,
      components: ["API", "Git Operations"],
    });
    expect(new StatusioSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it.each([
    [{ url: `https://api.status.io/1.0/status/${PAGE_ID}` }, /address only/],
    [{ url: "api.status.io" }, /http:\/\/ or https:\/\//],
    [{ pageId: "gitlab" }, /24 hexadecimal/],
    [{ pageId: undefined }, /pageId/],
    [{ components: [] }, /at least one component/],
    [{ components: [""] }, /empty component name/],
    [{ weight: -1 }, /too_small|>=0/i],
    [{ kind: "status.io" }, /statusio/],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = StatusioSourceSchema.safeParse({ kind: "statusio", pageId: PAGE_ID, ...fields });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("statusio in the configuration", () => {
  it("is a kind of source the configuration takes and the service's sources build", async () => {
    // Prepare
    const config = parseConfig({
      services: [
        {
          id: "gitlab",
          name: "GitLab",
          category: "cloud",
          reports: { enabled: false },
          sources: [{ kind: "statusio", url: server.url, pageId: PAGE_ID }],
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
    expect(sources.map((s) => [s.id, s.weight, s instanceof StatusioSource])).toEqual([
      ["statusio", 0, true],
    ]);
    expect(reading?.counts).toEqual([null, null, 2]);
  });
});
