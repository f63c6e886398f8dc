import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isIanaTimeZone } from "../../contract/catalog";
import { ConfigError, DetectorSettingsSchema, parseConfig } from "../../lambdas/domain/config";
import { effectiveThresholds } from "../../lambdas/domain/detector-thresholds";

const repoRoot = resolve(import.meta.dirname, "../..");

/** A minimal valid configuration: one carrier, crowd reports only. */
function minimal(): Record<string, unknown> {
  return { services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }] };
}

/** The problems `parseConfig` reports for `raw`; fails the test when it validates. */
function problemsOf(raw: unknown): { message: string; problems: readonly string[] } {
  try {
    parseConfig(raw, "outcry.config.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    return { message, problems };
  }
  throw new Error("expected the configuration to be rejected");
}

describe("parseConfig on the shipped configuration", () => {
  it("accepts outcry.config.json with the three carriers first, then the vendors", () => {
    // Prepare
    const raw = JSON.parse(readFileSync(resolve(repoRoot, "outcry.config.json"), "utf8"));

    // Act
    const config = parseConfig(raw, "outcry.config.json");

    // Assess
    const carriers = config.services.slice(0, 3);
    expect(carriers.map((s) => s.id)).toEqual(["t-mobile", "verizon", "att"]);
    expect(carriers.map((s) => s.category)).toEqual(["carrier", "carrier", "carrier"]);
    expect(carriers.map((s) => s.name)).toEqual(["T-Mobile", "Verizon", "AT&T"]);
    expect(config.services.slice(3).map((s) => s.id)).toEqual([
      "aws",
      "gcp",
      "cloudflare",
      "github",
      "atlassian",
      "discord",
      "zoom",
    ]);
    expect(config.bucketMinutes).toBe(5);
  });

  it("fills every default a user left out", () => {
    // Prepare
    const raw = minimal();

    // Act
    const config = parseConfig(raw);

    // Assess
    expect(config.bucketMinutes).toBe(5);
    expect(config.scheduleMinutes).toBe(1);
    expect(config.retentionDays).toBe(90);
    expect(config.subscribers).toEqual([]);
    expect(config.detector).toEqual({
      minRatio: 4,
      minReports: 20,
      confirmMinutes: 15,
      resolveRatio: 1.5,
      resolveMinutes: 30,
      correlationWindowMinutes: 30,
    });
    expect(config.detector).toEqual(DetectorSettingsSchema.parse({}));
    expect(config.reports).toEqual({
      dedupMinutes: 15,
      ratePerMinute: 30,
      shards: 4,
      perNetwork: 10,
      networkPrefixes: { ipv4: 24, ipv6: 48 },
      challenge: { cost: 1000, maxCounter: 5000, expiresSeconds: 300 },
      embedOrigins: [],
    });
    const [service] = config.services;
    expect(service?.timeZone).toBe("America/New_York");
    expect(service?.reports).toEqual({ enabled: true, weight: 1 });
    expect(service?.sources).toEqual([]);
  });

  it("keeps values a user set and fills only the rest of a partial detector block", () => {
    // Prepare
    const raw = { ...minimal(), bucketMinutes: 15, detector: { minRatio: 6 } };

    // Act
    const config = parseConfig(raw);

    // Assess
    expect(config.bucketMinutes).toBe(15);
    expect(config.detector.minRatio).toBe(6);
    expect(config.detector.confirmMinutes).toBe(15);
    expect(config.detector.resolveMinutes).toBe(30);
  });

  it.each([
    // [what the file says, bucket minutes, reports, minutes]
    [{}, 5, 20, 15],
    [{}, 1, 20, 15],
    [{}, 10, 20, 20],
    [{ minExcess: 20, confirmBuckets: 3 }, 5, 60, 15],
    [{ minExcess: 20, confirmBuckets: 3 }, 15, 60, 45],
    [{ minExcess: 10 }, 1, 30, 3],
    [{ confirmBuckets: 2 }, 5, 40, 10],
    [{ minExcess: 10, minReports: 99, confirmMinutes: 60 }, 5, 30, 15],
  ])(
    "reads the detector block %j at %i-minute buckets as %i reports over %i minutes",
    (detector, bucketMinutes, reports, minutes) => {
      // Prepare: the per-bucket keys of earlier releases mean what they meant then
      const intake = { dedupMinutes: 30 };
      const config = parseConfig({ ...minimal(), bucketMinutes, detector, reports: intake });

      // Act
      const thresholds = effectiveThresholds(config.detector, bucketMinutes);

      // Assess
      expect(thresholds).toEqual({ minReports: reports, confirmMinutes: minutes });
    },
  );

  it("fills a replay source's id, weight and alignment", () => {
    // Prepare
    const raw = {
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [{ kind: "replay", file: "data/counts.csv" }],
        },
      ],
    };

    // Act
    const config = parseConfig(raw);

    // Assess
    expect(config.services[0]?.sources).toEqual([
      { kind: "replay", id: "replay", weight: 1, file: "data/counts.csv", align: "exact" },
    ]);
  });
});

describe("parseConfig names the field and the fix for each mistake", () => {
  const withService = (service: Record<string, unknown>) => ({
    services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier", ...service }],
  });

  const cases: { mistake: string; raw: unknown; path: string; fix: RegExp }[] = [
    {
      mistake: "an unknown category",
      raw: withService({ category: "telco" }),
      path: "services[0].category",
      fix: /use one of carrier, isp, cloud, app, other/,
    },
    {
      mistake: "a time zone that is not IANA",
      raw: withService({ timeZone: "Eastern" }),
      path: "services[0].timeZone",
      fix: /IANA.*America\/New_York/,
    },
    {
      mistake: "a duplicate service id",
      raw: {
        services: [
          { id: "att", name: "AT&T", category: "carrier" },
          { id: "att", name: "AT&T again", category: "isp" },
        ],
      },
      path: "services[1].id",
      fix: /'att' is already used by services\[0\]; ids must be unique/,
    },
    {
      mistake: "a service id with capitals and an underscore",
      raw: withService({ id: "T_Mobile" }),
      path: "services[0].id",
      fix: /lower-case letters, digits and inner hyphens, e\.g\. 't-mobile'/,
    },
    {
      mistake: "a service id ending in a hyphen",
      raw: withService({ id: "t-mobile-" }),
      path: "services[0].id",
      fix: /lower-case letters, digits and inner hyphens/,
    },
    {
      mistake: "a subscriber with both email and sms",
      raw: { ...minimal(), subscribers: [{ email: "ops@example.com", sms: "+15555550123" }] },
      path: "subscribers[0]",
      fix: /exactly one of 'email' or 'sms'.*two entries/,
    },
    {
      mistake: "a subscriber with neither email nor sms",
      raw: { ...minimal(), subscribers: [{ services: ["t-mobile"] }] },
      path: "subscribers[0]",
      fix: /exactly one of 'email' or 'sms'/,
    },
    {
      mistake: "an sms number that is not E.164",
      raw: { ...minimal(), subscribers: [{ sms: "555-0123" }] },
      path: "subscribers[0].sms",
      fix: /E\.164.*'\+15555550123'/,
    },
    {
      mistake: "an email that is not an address",
      raw: { ...minimal(), subscribers: [{ email: "ops at example" }] },
      path: "subscribers[0].email",
      fix: /not an email address/,
    },
    {
      mistake: "a subscriber naming an unknown service",
      raw: { ...minimal(), subscribers: [{ email: "ops@example.com", services: ["sprint"] }] },
      path: "subscribers[0].services[0]",
      fix: /no service has id 'sprint'; use one of t-mobile/,
    },
    {
      mistake: "a bucket width of 7 minutes",
      raw: { ...minimal(), bucketMinutes: 7 },
      path: "bucketMinutes",
      fix: /use one of 1, 5, 10, 15/,
    },
    {
      mistake: "an unknown top-level key (a typo)",
      raw: { ...minimal(), bucketMinute: 5 },
      path: "(top level)",
      fix: /bucketMinute\b.*(remove|use one of).*bucketMinutes/,
    },
    {
      mistake: "an unknown key in a service (wrong case)",
      raw: withService({ timezone: "America/New_York" }),
      path: "services[0]",
      fix: /'timezone'.*remove it or use one of .*timeZone/,
    },
    {
      mistake: "two sources with the same id",
      raw: withService({
        sources: [
          { kind: "replay", file: "a.csv" },
          { kind: "replay", file: "b.csv" },
        ],
      }),
      path: "services[0].sources[1].id",
      fix: /'replay' is used twice.*give each source its own id/,
    },
    {
      mistake: "a source named like the crowd reports",
      raw: withService({ sources: [{ kind: "replay", id: "reports", file: "a.csv" }] }),
      path: "services[0].sources[0].id",
      fix: /'reports' is used twice/,
    },
    {
      mistake: "a service with no source of counts at all",
      raw: withService({ reports: { enabled: false } }),
      path: "services[0].sources",
      fix: /no source of counts; enable reports or add a source/,
    },
    {
      mistake: "no services",
      raw: { services: [] },
      path: "services",
      fix: /watch at least one service/,
    },
  ];

  it.each(cases)("rejects $mistake at $path", ({ raw, path, fix }) => {
    // Act
    const { message, problems } = problemsOf(raw);

    // Assess
    expect(problems).toHaveLength(1);
    const [problem = ""] = problems;
    expect(problem.startsWith(`${path}: `)).toBe(true);
    expect(problem).toMatch(fix);
    expect(message).toContain("outcry.config.json is not valid");
    expect(message).toContain(problem);
  });

  it("lists every independent problem, one line each", () => {
    // Prepare
    const raw = {
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier", timeZone: "Mars/Base" }],
      subscribers: [{ sms: "12" }],
      bucketMinutes: 7,
    };

    // Act
    const { message, problems } = problemsOf(raw);

    // Assess
    expect(problems.map((p) => p.slice(0, p.indexOf(":")))).toEqual(
      expect.arrayContaining(["services[0].timeZone", "subscribers[0].sms", "bucketMinutes"]),
    );
    expect(problems).toHaveLength(3);
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(3);
  });
});

describe("isIanaTimeZone", () => {
  it("knows real zones, including half-hour ones, and rejects made-up names", () => {
    // Act + Assess
    expect(isIanaTimeZone("America/New_York")).toBe(true);
    expect(isIanaTimeZone("Asia/Kolkata")).toBe(true);
    expect(isIanaTimeZone("UTC")).toBe(true);
    expect(isIanaTimeZone("Eastern")).toBe(false);
    expect(isIanaTimeZone("Mars/Base")).toBe(false);
    expect(isIanaTimeZone("")).toBe(false);
  });
});

describe("parseConfig cross-field rules", () => {
  it("refuses a dedup window that buckets do not divide, naming reports.dedupMinutes", () => {
    // Act
    const parse = () =>
      parseConfig({
        bucketMinutes: 15,
        reports: { dedupMinutes: 10 },
        services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      });

    // Assess
    expect(parse).toThrow(
      /reports\.dedupMinutes: must be a whole multiple of bucketMinutes \(15\)/,
    );
  });
});
