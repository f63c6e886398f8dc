/**
 * The aws-health source against a local server replaying the AWS Health Dashboard's
 * `/public/currentevents` as AWS serves it (UTF-16 behind a byte-order mark): the worst
 * current event's status as the newest bucket's count, region and service filters,
 * annotations, stated incidents, tolerant reading, decoding faults and HTTP faults.
 */

import { describe, expect, it } from "vitest";
import { ServiceSchema } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { AwsHealthSourceSchema } from "../../lambdas/sources/aws-health/config";
import {
  awsAnnotations,
  awsStated,
  parseAwsFeed,
  statusLevel,
} from "../../lambdas/sources/aws-health/payload";
import { type AwsHealthSettings, AwsHealthSource } from "../../lambdas/sources/aws-health/source";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { repeatTo } from "../support/hostile-payloads";
import { FIXTURE_NETWORK } from "../support/outbound";
import { at, describeHttpFaults, fixture, sourceRequest, useFixtureServer } from "./source-harness";

const EVENTS = fixture("aws-health", "currentevents.json");
/** What the dashboard declares: a UTF-16 body whose mark tells the byte order. */
const UTF16_TYPE = { "content-type": "application/json;charset=utf-16" };
const SERVICE = { id: "aws", name: "AWS" };
const PATH = "/public/currentevents";

/** UTF-16 bytes of `text`, big-endian unless told, behind a byte-order mark unless told. */
function utf16(text: string, { littleEndian = false, mark = true } = {}): Buffer {
  const bytes = Buffer.from(`${mark ? "\ufeff" : ""}${text}`, "utf16le");
  return littleEndian ? bytes : bytes.swap16();
}

/** Buckets 11:45, 11:50, 11:55 read at 12:01 on 2026-09-23. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2026-09-23T11:55:00Z", overrides);

const server = useFixtureServer();

function source(settings: Partial<AwsHealthSettings> = {}) {
  return new AwsHealthSource(
    SERVICE,
    { id: "aws-health", weight: 0, url: `${server.url}/`, ...settings },
    FIXTURE_NETWORK,
  );
}

/** The fixture's events with `change` applied. */
function edited(change: (events: Record<string, unknown>[]) => unknown[]): string {
  return JSON.stringify(change(JSON.parse(EVENTS) as Record<string, unknown>[]));
}

const ME_CENTRAL = {
  key: "arn:aws:health:me-central-1::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_7C1E2_A90F3B5D2E4",
  title: "Region Availability",
  startedAt: 1772369485_000,
  scopes: ["me-central-1", "multipleservices", "cloudwatchsynthetics"],
  where: "me-central-1",
};
const EC2 = {
  key: "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_4E7B1_C2D9A0F81B3",
  title: "Increased API Error Rates",
  startedAt: at("2026-09-23T10:05:41Z"),
  scopes: ["us-east-1", "ec2", "autoscaling"],
  where: "us-east-1",
};
const CLOUDFRONT = {
  key: "arn:aws:health:global::event/CLOUDFRONT/AWS_CLOUDFRONT_OPERATIONAL_ISSUE/AWS_CLOUDFRONT_OPERATIONAL_ISSUE_EDF4C_83808542A4E",
  title: "Increased Error Rates for VPC Origins",
  startedAt: at("2026-09-23T11:20:00Z"),
  scopes: ["global", "cloudfront"],
  where: "global",
};

describe("AwsHealthSource status signal and stated incidents", () => {
  it("reports the worst current event and states the current events, not the recovered one", async () => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(EVENTS) });

    // Act
    const reading = await source().read(request());

    // Assess: me-central-1 is a disruption (3); Lambda in us-west-2 logged its recovery
    expect(reading.counts).toEqual([null, null, 3]);
    expect(reading.stated).toEqual([ME_CENTRAL, EC2, CLOUDFRONT]);
    expect(server.requests.map((r) => r.path)).toEqual([PATH]);
  });

  it.each([
    ["a region", { regions: ["us-east-1"] }, 2, [EC2]],
    ["the global services", { regions: ["global"] }, 1, [CLOUDFRONT]],
    ["a region whose event is over", { regions: ["us-west-2"] }, 0, []],
    ["a service id without its region", { services: ["EC2"] }, 2, [EC2]],
    ["an impacted service's name", { services: ["amazon cloudwatch synthetics"] }, 3, [ME_CENTRAL]],
    ["a service and a region", { services: ["autoscaling"], regions: ["us-east-1"] }, 2, [EC2]],
    ["a service in another region", { services: ["ec2"], regions: ["eu-west-1"] }, 0, []],
  ])("filters by %s", async (_what, filters, level, stated) => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(EVENTS) });

    // Act
    const reading = await source(filters).read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, level]);
    expect(reading.stated).toEqual(stated);
  });

  it("reads an empty feed as 0 with nothing stated", async () => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body: utf16("[]") });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 0]);
    expect(reading.stated).toEqual([]);
  });

  it.each([
    ["3", 3],
    [2, 2],
    ["1", 1],
    ["0", 0],
    ["Disruption", 3],
    ["degradation", 2],
    ["informational", 1],
    ["7", null],
    ["", null],
  ])("reads status %o as level %o", (status, level) => {
    // Act / Assess
    expect(statusLevel(status)).toBe(level);
  });

  it("counts an event that gives an end time as over", async () => {
    // Prepare
    const body = edited((events) => events.map((e) => ({ ...e, end_time: "1790163000" })));
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(body) });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, null, 0]);
    expect(reading.stated).toEqual([]);
  });
});

describe("AwsHealthSource annotations", () => {
  it("tells each current event's log, the first entry as the acknowledgement", async () => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(EVENTS) });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.annotations).toEqual([
      {
        at: 1772369485_000,
        key: `${ME_CENTRAL.key}:1772369485`,
        text: "AWS acknowledged an incident: Region Availability (Multiple services, me-central-1)",
      },
      {
        at: at("2026-09-23T10:05:41Z"),
        key: `${EC2.key}:1790157941`,
        text: "AWS acknowledged an incident: Increased API Error Rates (Amazon Elastic Compute Cloud, us-east-1)",
      },
      {
        at: at("2026-09-23T10:48:09Z"),
        key: `${EC2.key}:1790160489`,
        text: "AWS posted an update on Increased API Error Rates (Amazon Elastic Compute Cloud, us-east-1): degradation",
      },
      {
        at: at("2026-09-23T11:20:00Z"),
        key: `${CLOUDFRONT.key}:1790162400`,
        text: "AWS acknowledged an incident: Increased Error Rates for VPC Origins (Amazon CloudFront, global)",
      },
    ]);
  });

  it("leaves out log entries dated after the read", async () => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(EVENTS) });

    // Act: read at 10:30, before the EC2 update and the CloudFront event
    const reading = await source().read(request({ nowMs: at("2026-09-23T10:30:00Z") }));

    // Assess
    expect(reading.annotations?.map((a) => a.at)).toEqual([
      1772369485_000,
      at("2026-09-23T10:05:41Z"),
    ]);
  });
});

describe("AwsHealthSource decoding", () => {
  it.each([
    ["UTF-16BE with its mark", utf16(EVENTS)],
    ["UTF-16LE with its mark", utf16(EVENTS, { littleEndian: true })],
    ["UTF-8 with its mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EVENTS)])],
    ["UTF-8 without a mark", Buffer.from(EVENTS)],
  ])("reads %s", async (_what, body) => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.stated).toEqual([ME_CENTRAL, EC2, CLOUDFRONT]);
  });

  it.each([
    [
      "UTF-16 without a mark",
      utf16(EVENTS, { mark: false }),
      /currentevents looks like UTF-16 without a byte-order mark/,
    ],
    [
      "an odd byte count after a UTF-16 mark",
      utf16(EVENTS).subarray(0, 101),
      /UTF-16BE byte-order mark but has an odd number of bytes \(101\)/,
    ],
    [
      "a lone surrogate in UTF-16BE",
      Buffer.from([0xfe, 0xff, 0x00, 0x5b, 0xd8, 0x00, 0x00, 0x5d]),
      /currentevents is not valid UTF-16BE/,
    ],
    [
      "bytes that are not UTF-8",
      Buffer.from([0x5b, 0xff, 0xfe, 0x5d, 0x20]),
      /currentevents is not valid UTF-8/,
    ],
  ])("fails on %s, not retried, saying what it saw", async (_what, body, message) => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body });

    // Act / Assess
    await expect(source().read(request())).rejects.toMatchObject({
      retryable: false,
      reason: "invalid-payload",
      message: expect.stringMatching(message),
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe("AwsHealthSource tolerant reading", () => {
  it("skips and counts the entries it cannot read, and reads the others", () => {
    // Prepare
    const document = [...(JSON.parse(EVENTS) as unknown[]), "event", { arn: 7, summary: "x" }];

    // Act
    const feed = parseAwsFeed(document, "u");

    // Assess
    expect(feed.skipped).toBe(2);
    expect(feed.events.map((e) => e.serviceId)).toEqual([
      "multipleservices",
      "ec2",
      "cloudfront",
      "lambda",
    ]);
  });

  it("reads an event with only a service and a status, placing it by the service's suffix", async () => {
    // Prepare: no ARN, no date, no log, an unknown field
    const body = JSON.stringify([{ service: "s3-eu-west-1", status: "2", extra: { any: 1 } }]);
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(body) });

    // Act
    const reading = await source().read(request());

    // Assess: no date, so it began as of the read
    expect(reading.counts).toEqual([null, null, 2]);
    expect(reading.stated).toEqual([
      {
        key: "s3-eu-west-1:",
        title: "s3",
        startedAt: request().nowMs,
        scopes: ["eu-west-1", "s3"],
        where: "eu-west-1",
      },
    ]);
  });

  it("fails, naming how many and the first field, when no entry can be read", async () => {
    // Prepare
    const body = JSON.stringify([{ arn: "a", summary: "no service" }, { service: 5 }]);
    server.route(PATH, { headers: UTF16_TYPE, body: utf16(body) });

    // Act / Assess
    await expect(source().read(request())).rejects.toMatchObject({
      retryable: false,
      reason: "invalid-payload",
      message: expect.stringMatching(
        /none of its 2 entries could be read \(the first: \[0\]\.service: .*string/,
      ),
    });
  });

  it("fails on a document that is not an array", async () => {
    // Prepare
    server.route(PATH, { headers: UTF16_TYPE, body: utf16('{"events":[]}') });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(
      /currentevents is not the AWS Health feed \(expected an array of events\)/,
    );
  });
});

describe("AwsHealthSource over HTTP", () => {
  it("sends the validators back; a 304 repeats the level and states nothing", async () => {
    // Prepare
    server.route(PATH, ({ headers }) =>
      headers["if-none-match"] === '"e1"'
        ? { status: 304, headers: { etag: '"e1"' } }
        : { headers: { ...UTF16_TYPE, etag: '"e1"' }, body: utf16(EVENTS) },
    );
    const aws = source();
    const first = await aws.read(request());

    // Act
    const second = await aws.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ etag: '"e1"', level: 3 });
    expect(server.requests.map((r) => r.headers["if-none-match"])).toEqual([undefined, '"e1"']);
    expect(second.counts).toEqual([null, null, 3]);
    expect(second.annotations).toEqual([]);
    expect(second).not.toHaveProperty("stated");
  });

  describeHttpFaults({
    server,
    path: PATH,
    healthy: { headers: UTF16_TYPE, body: EVENTS },
    source: () => source(),
    request,
    expected: { counts: [null, null, 3] },
    encode: utf16,
    // The feed declares UTF-16 whatever it holds; its bytes decide (see "decoding").
    honoursCharset: false,
  });
});

describe("AwsHealthSourceSchema", () => {
  it("defaults the address, id and weight, and what it yields builds a source", () => {
    // Act
    const parsed = AwsHealthSourceSchema.parse({
      kind: "aws-health",
      regions: ["US-EAST-1", "global"],
      services: ["ec2"],
    });

    // Assess
    expect(parsed).toEqual({
      kind: "aws-health",
      id: "aws-health",
      weight: 0,
      url: "https://health.aws.amazon.com",
      regions: ["us-east-1", "global"],
      services: ["ec2"],
    });
    expect(new AwsHealthSource(SERVICE, parsed, PUBLIC_ONLY).weight).toBe(0);
  });

  it("is a source kind of the config, built into an aws-health source", () => {
    // Prepare
    const service = ServiceSchema.parse({
      id: "aws",
      name: "AWS",
      category: "cloud",
      sources: [{ kind: "aws-health", regions: ["us-east-1"] }],
    });
    const stores = {} as Parameters<typeof sourcesForService>[1];

    // Act
    const sources = sourcesForService(service, stores, PUBLIC_ONLY);

    // Assess
    expect(sources.map((s) => s.id)).toEqual(["reports", "aws-health"]);
    expect(sources[1]).toBeInstanceOf(AwsHealthSource);
  });

  it.each([
    [
      { url: "https://health.aws.amazon.com/public/currentevents" },
      /outcry adds \/public\/currentevents/,
    ],
    [{ url: "health.aws.amazon.com" }, /http:\/\/ or https:\/\//],
    [{ regions: ["N. Virginia"] }, /region code such as 'us-east-1'/],
    [{ regions: [] }, /at least one region code/],
    [{ services: [""] }, /empty service name/],
    [{ products: ["EC2"] }, /unrecognized/i],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = AwsHealthSourceSchema.safeParse({ kind: "aws-health", ...fields });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe("AWS Health feed reading time", () => {
  it("grows linearly with a hostile service id, summary and log", () => {
    // Prepare: a service id that almost ends in a region, a summary of whitespace, a long log
    const feed = (size: number) => [
      {
        service: `${repeatTo("-a", size)}-1`,
        status: "2",
        summary: repeatTo(" \t", size),
        event_log: Array.from({ length: size / 100 }, (_, i) => ({ status: 2, timestamp: i + 1 })),
      },
    ];
    const read = (document: unknown) => {
      const { events } = parseAwsFeed(document, "u");
      return [awsAnnotations("AWS", events, Date.now()), awsStated(events, Date.now())];
    };

    // Act
    const ratio = settledGrowthRatio(feed, read, 64_000);

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});
