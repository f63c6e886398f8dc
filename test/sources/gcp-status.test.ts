/**
 * The gcp-status source against a local server replaying `incidents.json` in Google
 * Cloud's public format: the worst open incident's impact as the newest bucket's count,
 * product and location filters, annotations, stated incidents, conditional requests, the
 * larger size cap, validation and faults.
 */

import { describe, expect, it } from "vitest";
import { ServiceSchema } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { GcpStatusSourceSchema } from "../../lambdas/sources/gcp-status/config";
import {
  gcpAnnotations,
  gcpStated,
  matchesFilters,
  openGcpIncidents,
} from "../../lambdas/sources/gcp-status/payload";
import {
  GCP_DEFAULT_MAX_BYTES,
  type GcpStatusSettings,
  GcpStatusSource,
} from "../../lambdas/sources/gcp-status/source";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { repeatTo } from "../support/hostile-payloads";
import { FIXTURE_NETWORK } from "../support/outbound";
import { at, describeHttpFaults, fixture, sourceRequest, useFixtureServer } from "./source-harness";

const INCIDENTS = fixture("gcp-status", "incidents.json");
const JSON_TYPE = { "content-type": "application/json" };
const SERVICE = { id: "google-cloud", name: "Google Cloud" };
const PATH = "/incidents.json";

/** Buckets 14:45, 14:50, 14:55 read at 15:01 on 2023-03-10. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-03-10T14:55:00Z", overrides);

const server = useFixtureServer();

function source(settings: Partial<GcpStatusSettings> = {}) {
  return new GcpStatusSource(
    SERVICE,
    { id: "gcp-status", weight: 0, url: `${server.url}/`, ...settings },
    FIXTURE_NETWORK,
  );
}

/** The three open incidents of the fixture, as stated. */
const OUTAGE = {
  key: "kT3mW9qLxZ2pV7cN4bHd",
  title: "VM creation failures in us-central1 and us-east1",
  startedAt: at("2023-03-10T13:40:00Z"),
  scopes: ["us-central1", "us-east1", "google compute engine", "google kubernetes engine"],
  where: "us-central1, us-east1",
};
const INFORMATION = {
  key: "Qe8vR2nYpL5sT1wKx6Ga",
  title: "Delayed metric ingestion for Cloud Monitoring",
  startedAt: at("2023-03-10T14:30:00Z"),
  scopes: ["global", "cloud monitoring"],
  where: "global",
};
const SECRETS = {
  key: "mLBHeCxhRia17anXCSX1",
  title: "Secret Manager experienced service unavailability in europe-west2",
  startedAt: at("2022-07-19T14:17:00Z"),
  scopes: ["secret manager"],
};

describe("GcpStatusSource status signal and stated incidents", () => {
  it("reports the worst open incident's impact and states the open incidents only", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: INCIDENTS });

    // Act
    const reading = await source().read(request());

    // Assess: the outage is 3; the closed BigQuery and Secret Manager incidents are not stated
    expect(reading.counts).toEqual([null, null, 3]);
    expect(reading.stated).toEqual([OUTAGE, INFORMATION, SECRETS]);
    expect(server.requests.map((r) => r.path)).toEqual([PATH]);
  });

  it.each([
    ["a location of the outage", { regions: ["us-east1"] }, 3, [OUTAGE, INFORMATION, SECRETS]],
    [
      "another location (global and unplaced still count)",
      { regions: ["europe-west1"] },
      2,
      [INFORMATION, SECRETS],
    ],
    ["one product of the outage", { products: ["google kubernetes engine"] }, 3, [OUTAGE]],
    ["an informational product", { products: ["Cloud Monitoring"] }, 1, [INFORMATION]],
    ["a product whose incident closed", { products: ["Google BigQuery"] }, 0, []],
    [
      "a product and a location together",
      { products: ["Google Compute Engine"], regions: ["europe-west1"] },
      0,
      [],
    ],
  ])("filters by %s", async (_what, filters, level, stated) => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: INCIDENTS });

    // Act
    const reading = await source(filters).read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, level]);
    expect(reading.stated).toEqual(stated);
  });

  it.each([
    ["SERVICE_INFORMATION", 1],
    ["SERVICE_DISRUPTION", 2],
    ["SERVICE_OUTAGE", 3],
    ["AVAILABLE_INFORMATION", 1],
  ])("maps an open incident of impact %s to %i", async (impact, level) => {
    // Prepare: the outage alone, with this impact
    const [outage] = JSON.parse(INCIDENTS) as Record<string, unknown>[];
    server.route(PATH, {
      headers: JSON_TYPE,
      body: JSON.stringify([{ ...outage, status_impact: impact }]),
    });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, level]);
  });

  it("reads an empty feed as 0 with nothing stated", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: "[]" });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 0]);
    expect(reading.stated).toEqual([]);
    expect(reading.annotations).toEqual([]);
  });
});

describe("GcpStatusSource annotations", () => {
  it("states each open incident's start and updates, none dated after the read", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: INCIDENTS });

    // Act
    const reading = await source().read(request());

    // Assess: the outage's 15:30 update waits for a later read
    expect(reading.annotations).toEqual([
      {
        at: at("2022-07-19T14:17:00Z"),
        key: "mLBHeCxhRia17anXCSX1:begin",
        text: "Google Cloud acknowledged an incident: Secret Manager experienced service unavailability in europe-west2",
      },
      {
        at: at("2022-07-20T13:44:35Z"),
        key: "mLBHeCxhRia17anXCSX1:2022-07-20T13:44:35+00:00",
        text: "Google Cloud posted an update on Secret Manager experienced service unavailability in europe-west2: service outage",
      },
      {
        at: at("2023-03-10T13:40:00Z"),
        key: "kT3mW9qLxZ2pV7cN4bHd:begin",
        text: "Google Cloud acknowledged an incident: VM creation failures in us-central1 and us-east1",
      },
      {
        at: at("2023-03-10T13:55:12Z"),
        key: "kT3mW9qLxZ2pV7cN4bHd:2023-03-10T13:55:12+00:00",
        text: "Google Cloud posted an update on VM creation failures in us-central1 and us-east1: service disruption",
      },
      {
        at: at("2023-03-10T14:20:00Z"),
        key: "kT3mW9qLxZ2pV7cN4bHd:2023-03-10T14:20:00+00:00",
        text: "Google Cloud posted an update on VM creation failures in us-central1 and us-east1: service outage",
      },
      {
        at: at("2023-03-10T14:30:00Z"),
        key: "Qe8vR2nYpL5sT1wKx6Ga:begin",
        text: "Google Cloud acknowledged an incident: Delayed metric ingestion for Cloud Monitoring",
      },
      {
        at: at("2023-03-10T14:31:40Z"),
        key: "Qe8vR2nYpL5sT1wKx6Ga:2023-03-10T14:31:40+00:00",
        text: "Google Cloud posted an update on Delayed metric ingestion for Cloud Monitoring: information",
      },
    ]);
  });

  it("annotates only the incidents the filters keep", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: INCIDENTS });

    // Act
    const reading = await source({ products: ["Cloud Monitoring"] }).read(request());

    // Assess
    expect(reading.annotations?.map((a) => a.key)).toEqual([
      "Qe8vR2nYpL5sT1wKx6Ga:begin",
      "Qe8vR2nYpL5sT1wKx6Ga:2023-03-10T14:31:40+00:00",
    ]);
  });
});

describe("GcpStatusSource over HTTP", () => {
  it("sends the validators back; a 304 repeats the level and states nothing", async () => {
    // Prepare
    server.route(PATH, ({ headers }) =>
      headers["if-modified-since"] === "Fri, 10 Mar 2023 14:54:50 GMT"
        ? { status: 304 }
        : {
            headers: { ...JSON_TYPE, "last-modified": "Fri, 10 Mar 2023 14:54:50 GMT" },
            body: INCIDENTS,
          },
    );
    const gcp = source();
    const first = await gcp.read(request());

    // Act
    const second = await gcp.read(request({ memory: first.memory ?? null }));

    // Assess: absent `stated` means unknown this read, not "none"
    expect(first.memory).toEqual({ lastModified: "Fri, 10 Mar 2023 14:54:50 GMT", level: 3 });
    expect(server.requests.map((r) => r.headers["if-modified-since"])).toEqual([
      undefined,
      "Fri, 10 Mar 2023 14:54:50 GMT",
    ]);
    expect(second.counts).toEqual([null, null, 3]);
    expect(second.annotations).toEqual([]);
    expect(second).not.toHaveProperty("stated");
  });

  it("reads a feed larger than the general 2 MiB cap", async () => {
    // Prepare: years of closed incidents, 3 MiB, before the open ones
    const closed = { id: "old", external_desc: "x".repeat(1000), end: "2019-01-01T00:00:00+00:00" };
    const history = Array.from({ length: 3 * 1024 }, () => closed);
    const body = JSON.stringify([...JSON.parse(INCIDENTS), ...history]);
    server.route(PATH, { headers: JSON_TYPE, body });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(body.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(reading.counts).toEqual([null, null, 3]);
  });

  it("fails on a feed above its maxBytes, naming the limit", async () => {
    // Prepare
    server.route(PATH, { headers: JSON_TYPE, body: INCIDENTS });

    // Act / Assess
    await expect(source({ maxBytes: 4096 }).read(request())).rejects.toMatchObject({
      retryable: false,
      reason: "too-large",
      message: expect.stringMatching(/incidents\.json.*4096-byte limit/),
    });
  });

  it.each([
    ['{"incidents":[]}', /not Google Cloud's incident list \(expected an array\)/],
    ['[{"id":"a","external_desc":7}]', /: \[0\]\.external_desc: .*string/],
    [
      '[{"end":"2023-01-01T00:00:00+00:00"},{"id":"b","external_desc":"d","affected_products":[{"id":"p"}]}]',
      /: \[1\]\.affected_products\[0\]\.title: .*string/,
    ],
    [
      '[{"id":"c","external_desc":"d","currently_affected_locations":{}}]',
      /\[0\]\.currently_affected_locations: .*array/,
    ],
  ])(
    "fails naming the field of an open incident that does not match: %s",
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

  it("leaves closed incidents unchecked, however odd", () => {
    // Act
    const open = openGcpIncidents([{ end: "2019-01-01T00:00:00+00:00", id: 7 }], "u");

    // Assess
    expect(open).toEqual([]);
  });

  describeHttpFaults({
    server,
    path: PATH,
    healthy: { headers: JSON_TYPE, body: INCIDENTS },
    source: () => source(),
    request,
    expected: { counts: [null, null, 3] },
    maxBytes: GCP_DEFAULT_MAX_BYTES,
  });
});

describe("GcpStatusSourceSchema", () => {
  it("defaults the address, id and weight, and what it yields builds a source", () => {
    // Act
    const parsed = GcpStatusSourceSchema.parse({ kind: "gcp-status", regions: [" US-Central1 "] });

    // Assess
    expect(parsed).toEqual({
      kind: "gcp-status",
      id: "gcp-status",
      weight: 0,
      url: "https://status.cloud.google.com",
      regions: ["us-central1"],
    });
    expect(new GcpStatusSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it("is a source kind of the config, built into a gcp-status source", () => {
    // Prepare
    const service = ServiceSchema.parse({
      id: "google-cloud",
      name: "Google Cloud",
      category: "cloud",
      sources: [{ kind: "gcp-status", products: ["Google Compute Engine"] }],
    });
    const stores = {} as Parameters<typeof sourcesForService>[1];

    // Act
    const sources = sourcesForService(service, stores, PUBLIC_ONLY);

    // Assess
    expect(sources.map((s) => s.id)).toEqual(["reports", "gcp-status"]);
    expect(sources[1]).toBeInstanceOf(GcpStatusSource);
  });

  it.each([
    [{ url: "https://status.cloud.google.com/incidents.json" }, /outcry adds \/incidents\.json/],
    [{ url: "status.cloud.google.com" }, /http:\/\/ or https:\/\//],
    [{ regions: ["Iowa (us-central1)"] }, /location id as the dashboard gives it/],
    [{ regions: [] }, /at least one location id/],
    [{ products: [" "] }, /empty product title/],
    [{ maxBytes: 100 * 1024 * 1024 }, /at most 64 MiB/],
    [{ components: ["API"] }, /unrecognized/i],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = GcpStatusSourceSchema.safeParse({ kind: "gcp-status", ...fields });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("Google Cloud feed reading time", () => {
  it("grows linearly with hostile descriptions, locations and updates", () => {
    // Prepare: one open incident with a whitespace description and many locations and updates
    const feed = (size: number) => [
      {
        id: "x",
        begin: "2023-03-10T13:40:00+00:00",
        external_desc: repeatTo(" \t", size),
        currently_affected_locations: Array.from({ length: size / 100 }, (_, i) => ({
          id: `l${i}`,
        })),
        updates: Array.from({ length: size / 100 }, () => ({ when: "2023-03-10T13:50:00+00:00" })),
      },
    ];
    const read = (document: unknown) => {
      const open = openGcpIncidents(document, "u").filter((i) =>
        matchesFilters(i, { regions: ["us-central1"] }),
      );
      const all = openGcpIncidents(document, "u");
      return [gcpAnnotations("Google Cloud", all, Date.now()), gcpStated(all, Date.now()), open];
    };

    // Act
    const ratio = settledGrowthRatio(feed, read, 64_000);

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});
