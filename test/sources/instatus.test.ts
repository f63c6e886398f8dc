/**
 * The Instatus source against a local server replaying `summary.json` in the public
 * format: the page's level as the newest bucket's count, active incidents and
 * maintenances as stable annotations, conditional requests, validation and faults.
 */

import { describe, expect, it } from "vitest";
import { ServiceSchema } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { InstatusSourceSchema } from "../../lambdas/sources/instatus/config";
import {
  type InstatusSummary,
  instatusTime,
  summaryAnnotations,
  summaryLevel,
} from "../../lambdas/sources/instatus/payload";
import { InstatusSource } from "../../lambdas/sources/instatus/source";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
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

const fixture = (name: string) => readFixture("instatus", name);
const SUMMARY = fixture("summary.json");
const UP = fixture("summary-up.json");
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const SERVICE = { id: "t-mobile", name: "T-Mobile" };
const PATH = "/summary.json";

/** Buckets 03:45, 03:50, 03:55 read at 04:01. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:55:00Z", overrides);

const server = useFixtureServer();

function source() {
  return new InstatusSource(
    SERVICE,
    { id: "instatus", weight: 0, url: `${server.url}/` },
    FIXTURE_NETWORK,
  );
}

/** The recorded summary with `change` applied to its parsed document. */
function edited(change: (summary: InstatusSummary) => void): InstatusSummary {
  const summary = JSON.parse(SUMMARY) as InstatusSummary;
  change(summary);
  return summary;
}

describe("InstatusSource status signal", () => {
  it("reports the worst unresolved impact as the newest bucket, earlier buckets as gaps", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: SUMMARY });

    // Act
    const reading = await source().read(request());

    // Assess: a major outage is identified (3); the resolved partial outage no longer counts
    expect(reading.counts).toEqual([null, null, 3]);
    expect(server.requests.map((r) => r.path)).toEqual([PATH]);
  });

  it("reads a healthy page that leaves its lists out as 0, without annotations", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: UP });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 0]);
    expect(reading.annotations).toEqual([]);
  });

  it.each([
    ["DEGRADEDPERFORMANCE", 1],
    ["PARTIALOUTAGE", 2],
    ["MINOROUTAGE", 2],
    ["MAJOROUTAGE", 3],
    ["OPERATIONAL", 1],
    ["EXPLODED", 1],
  ])("maps an unresolved %s incident on a page with issues to %i", (impact, level) => {
    // Prepare: the first incident alone, with this impact
    const summary = edited((s) => {
      s.activeIncidents = (s.activeIncidents ?? []).slice(0, 1).map((i) => ({ ...i, impact }));
    });

    // Act / Assess: HASISSUES is at least 1, whatever the impact says
    expect(summaryLevel(summary)).toBe(level);
  });

  it("counts a page under maintenance as 0", () => {
    // Act
    const level = summaryLevel({ page: { name: "T-Mobile", status: "UNDERMAINTENANCE" } });

    // Assess
    expect(level).toBe(0);
  });
});

describe("InstatusSource annotations", () => {
  const expected = [
    {
      at: at("2023-02-14T03:00:00.000Z"),
      key: "cle8m5x2p000q0alr9c3v7n4e:started",
      text: "T-Mobile began planned maintenance: Core network software upgrade",
    },
    {
      at: at("2023-02-14T03:10:05.260Z"),
      key: "clea0z3kc002m0bmq7hfw1x5d:started",
      text: "T-Mobile acknowledged an incident: Mobile data slow in Dallas",
    },
    {
      at: at("2023-02-14T03:20:40.000Z"),
      key: "clea16dwa003j0bmq2u8kq0ns:started",
      text: "T-Mobile acknowledged an incident: Voicemail delays",
    },
    {
      at: at("2023-02-14T03:35:47.003Z"),
      key: "clea0z3kc002m0bmq7hfw1x5d:monitoring",
      text: "T-Mobile posted an update on Mobile data slow in Dallas: monitoring",
    },
    {
      at: at("2023-02-14T03:41:12.552Z"),
      key: "clea1q8vr004x0alm3kd9z2wb:started",
      text: "T-Mobile acknowledged an incident: Calls and texts failing in the Northeast",
    },
    {
      at: at("2023-02-14T03:52:31.774Z"),
      key: "clea16dwa003j0bmq2u8kq0ns:resolved",
      text: "T-Mobile reported Voicemail delays resolved",
    },
    {
      at: at("2023-02-14T03:58:40.998Z"),
      key: "clea1q8vr004x0alm3kd9z2wb:identified",
      text: "T-Mobile posted an update on Calls and texts failing in the Northeast: cause identified",
    },
  ];

  it("states the active incidents and the maintenance under way, as Statuspage updates are", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: SUMMARY });

    // Act
    const reading = await source().read(request());

    // Assess: the maintenance not started yet is not told
    expect(reading.annotations).toEqual(expected);
  });

  it("gives the same annotations on a second read", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: SUMMARY });
    const instatus = source();
    const first = await instatus.read(request());

    // Act
    const second = await instatus.read(request());

    // Assess
    expect(second.annotations).toEqual(first.annotations);
  });

  it("leaves out a resolved incident last updated before the window, and times still to come", () => {
    // Prepare
    const summary = JSON.parse(SUMMARY) as InstatusSummary;

    // Act: a window starting after the resolution, read before the last update
    const annotations = summaryAnnotations(
      "T-Mobile",
      summary,
      at("2023-02-14T03:55:00Z"),
      at("2023-02-14T03:58:00Z"),
    );

    // Assess
    expect(annotations.map((a) => a.key)).toEqual([
      "cle8m5x2p000q0alr9c3v7n4e:started",
      "clea0z3kc002m0bmq7hfw1x5d:started",
      "clea0z3kc002m0bmq7hfw1x5d:monitoring",
      "clea1q8vr004x0alm3kd9z2wb:started",
    ]);
  });

  it("states a completed maintenance's end, from its update or else its duration", () => {
    // Prepare
    const completed = (updatedAt?: string) =>
      edited((s) => {
        s.activeIncidents = [];
        s.activeMaintenances = (s.activeMaintenances ?? []).slice(0, 1).map((m) => {
          const { updatedAt: _dropped, ...rest } = m;
          return { ...rest, status: "COMPLETED", ...(updatedAt ? { updatedAt } : {}) };
        });
      });
    const tell = (summary: InstatusSummary) =>
      summaryAnnotations(
        "T-Mobile",
        summary,
        at("2023-02-14T03:45:00Z"),
        at("2023-02-14T06:00:00Z"),
      );

    // Act
    const updated = tell(completed("2023-02-14T04:51:09.000Z"));
    const byDuration = tell(completed());

    // Assess
    expect(updated.at(-1)).toEqual({
      at: at("2023-02-14T04:51:09.000Z"),
      key: "cle8m5x2p000q0alr9c3v7n4e:completed",
      text: "T-Mobile completed planned maintenance: Core network software upgrade",
    });
    expect(byDuration.at(-1)?.at).toBe(at("2023-02-14T05:00:00.000Z"));
  });

  it("keys an item without an id by its address", () => {
    // Prepare
    const summary = edited((s) => {
      s.activeMaintenances = [];
      s.activeIncidents = (s.activeIncidents ?? []).slice(1, 2).map(({ id: _id, ...rest }) => rest);
    });

    // Act
    const keys = summaryAnnotations("T-Mobile", summary, 0, Date.now()).map((a) => a.key);

    // Assess
    const url = "https://status.t-mobile.example/incident/clea0z3kc002m0bmq7hfw1x5d";
    expect(keys).toEqual([`${url}:started`, `${url}:monitoring`]);
  });
});

describe("instatusTime", () => {
  it.each([
    ["2023-02-14T03:41:12.552Z", "2023-02-14T03:41:12.552Z"],
    ["2023-02-14T03:41:12.552123Z", "2023-02-14T03:41:12.552Z"],
    ["Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal Time)", "2022-06-11T18:55:50Z"],
    ["Sat Jun 11 2022 14:55:50 GMT-0400", "2022-06-11T18:55:50Z"],
  ])("reads %s", (text, iso) => {
    // Act / Assess
    expect(instatusTime(text)).toBe(at(iso));
  });

  it.each([["yesterday"], ["Sat Jux 11 2022 18:55:50 GMT+0000"], ["2023-02-30T00:00:00Z"], [null]])(
    "refuses %s",
    (text) => {
      // Act / Assess
      expect(instatusTime(text)).toBeNaN();
    },
  );
});

describe("InstatusSource over HTTP", () => {
  it("sends the validators back and repeats the remembered level on 304", async () => {
    // Prepare
    server.route(PATH, ({ headers }) =>
      headers["if-none-match"] === '"s1"'
        ? { status: 304, headers: { etag: '"s1"' } }
        : { headers: { ...JSON_TYPE, etag: '"s1"' }, body: SUMMARY },
    );
    const instatus = source();
    const first = await instatus.read(request());
    server.requests.length = 0;

    // Act
    const second = await instatus.read(request({ memory: first.memory ?? null }));
    const forgotten = await instatus.read(request({ memory: { etag: '"s1"' } }));

    // Assess: without a remembered level it asks for the whole document
    expect(first.memory).toEqual({ etag: '"s1"', level: 3 });
    expect(server.requests.map((r) => r.headers["if-none-match"])).toEqual(['"s1"', undefined]);
    expect(second.counts).toEqual([null, null, 3]);
    expect(second.annotations).toEqual([]);
    expect(forgotten.counts).toEqual([null, null, 3]);
  });

  it.each([
    ['{"status":"ok"}', /not an Instatus summary \('page': .*object/],
    ['{"page":{"name":"T-Mobile"}}', /'page\.status': .*string/],
    [
      '{"page":{"name":"T-Mobile","status":"UP"},"activeIncidents":[{"name":7,"status":"INVESTIGATING"}]}',
      /'activeIncidents\[0\]\.name': .*string/,
    ],
    [
      '{"page":{"name":"T-Mobile","status":"UP"},"activeMaintenances":{}}',
      /'activeMaintenances': .*array/,
    ],
  ])(
    "fails naming the field of JSON that is not an Instatus summary: %s",
    async (body, message) => {
      // Prepare
      server.route(PATH, { headers: JSON_TYPE, body });

      // Act / Assess
      await expect(source().read(request())).rejects.toMatchObject({
        retryable: false,
        reason: "invalid-payload",
        message: expect.stringMatching(message),
      });
    },
  );

  describeHttpFaults({
    server,
    path: PATH,
    healthy: { headers: JSON_TYPE, body: SUMMARY },
    source,
    request,
    expected: { counts: [null, null, 3] },
  });
});

describe("summaryAnnotations time", () => {
  it("grows linearly with a hostile incident name and times", () => {
    // Prepare
    const summary = (size: number): InstatusSummary => ({
      page: { name: "T-Mobile", status: "HASISSUES" },
      activeIncidents: [
        {
          id: "i1",
          name: repeatTo(" \t", size),
          started: `Sat Jun 11 2022 18:55:50 GMT+0000 (${repeatTo("(", size)}`,
          status: "MONITORING",
          updatedAt: `2023-02-14T03:50:00.${repeatTo("1", size)}Z`,
        },
      ],
    });

    // Act
    const ratio = settledGrowthRatio(
      summary,
      (s) => summaryAnnotations("T-Mobile", s, 0, Date.now()),
      256_000,
    );

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});

describe("InstatusSourceSchema", () => {
  it("defaults the weight to 0 (a signal), and what it yields builds a source", () => {
    // Act
    const parsed = InstatusSourceSchema.parse({
      kind: "instatus",
      url: "https://status.railway.com",
    });

    // Assess
    expect(parsed).toEqual({
      kind: "instatus",
      id: "instatus",
      weight: 0,
      url: "https://status.railway.com",
    });
    expect(new InstatusSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it("is a source kind of the config, built into an Instatus source", () => {
    // Prepare
    const service = ServiceSchema.parse({
      id: "t-mobile",
      name: "T-Mobile",
      category: "carrier",
      sources: [{ kind: "instatus", url: "https://status.t-mobile.example" }],
    });
    const stores = {} as Parameters<typeof sourcesForService>[1];

    // Act
    const sources = sourcesForService(service, stores, PUBLIC_ONLY);

    // Assess: crowd reports, then the page
    expect(sources.map((s) => s.id)).toEqual(["reports", "instatus"]);
    expect(sources[1]).toBeInstanceOf(InstatusSource);
  });

  it.each([
    [{ url: "https://status.railway.com/summary.json" }, /address only/],
    [{ url: "status.railway.com" }, /http:\/\/ or https:\/\//],
    [{ url: "https://status.railway.com/?lang=en" }, /address only/],
    [{ weight: -1 }, /too_small|>=0/i],
    [{ components: ["API"] }, /unrecognized/i],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = InstatusSourceSchema.safeParse({
      kind: "instatus",
      url: "https://status.railway.com",
      ...fields,
    });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
