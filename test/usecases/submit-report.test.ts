/**
 * submitReport and issueReportChallenge on the real stores (dynalite): who a reporter is,
 * the limits it is held to, and a challenge that counts only for the address it was
 * issued to, once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import { parseConfig } from "../../lambdas/domain/config";
import { ReportRejected } from "../../lambdas/domain/ports";
import { PerMinuteRateLimiter } from "../../lambdas/domain/rate-limiter";
import { DynamoSharedRateLimit } from "../../lambdas/store/rate-limit-store";
import { DynamoReportStore } from "../../lambdas/store/report-store";
import { DynamoSpentChallenges } from "../../lambdas/store/spent-challenge-store";
import { issueReportChallenge } from "../../lambdas/usecases/report-challenge";
import { type ReportDependencies, submitReport } from "../../lambdas/usecases/submit-report";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { CHEAP_CHALLENGE } from "../support/report-client";

const NOW = Date.parse("2023-02-14T10:02:00Z");

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

/** The report use case's dependencies of `count` containers sharing a fresh table. */
async function containers(count: number, reports: Record<string, unknown> = {}) {
  const config = parseConfig({
    services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
    reports: { challenge: CHEAP_CHALLENGE, ...reports },
  });
  const table = await testTable.freshTable();
  const shared = {
    config,
    reports: new DynamoReportStore(table, {
      bucketMinutes: config.bucketMinutes,
      dedupMinutes: config.reports.dedupMinutes,
      shards: config.reports.shards,
      retentionDays: config.retentionDays,
      perNetwork: config.reports.perNetwork,
    }),
    rateLimits: new DynamoSharedRateLimit(table),
    spentChallenges: new DynamoSpentChallenges(table),
    salt: async () => "test-salt",
  };
  return Array.from(
    { length: count },
    (): ReportDependencies => ({ ...shared, rateLimiter: new PerMinuteRateLimiter() }),
  );
}

/** The report use case's dependencies on a fresh table. */
async function intake(reports: Record<string, unknown> = {}): Promise<ReportDependencies> {
  const [deps] = await containers(1, reports);
  if (!deps) throw new Error("no container");
  return deps;
}

/** A challenge issued to `sourceIp` and solved. */
async function solved(deps: ReportDependencies, sourceIp: string): Promise<string> {
  const settings = deps.config.reports.challenge;
  if (settings === false) throw new Error("the challenge is off");
  const challenge = await issueReportChallenge(deps, {
    settings,
    sourceIp,
    reportsPerMinute: deps.config.reports.ratePerMinute,
    nowMs: NOW,
  });
  return solveReportChallenge(challenge);
}

/** The reason a call was refused, or "taken". */
async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "taken",
    (error: unknown) => {
      if (error instanceof ReportRejected) return error.reason;
      throw error;
    },
  );
}

const report = (sourceIp: string, challenge?: string) => ({
  service: "t-mobile",
  problem: "no-signal",
  sourceIp,
  challenge,
  nowMs: NOW,
});

describe("submitReport", () => {
  it("refuses a client address that is not one, before any work", async () => {
    // Arrange
    const deps = await intake({ challenge: false });

    // Act
    const reasons = await Promise.all(
      ["not-an-ip", "<script>", "127.1", ""].map((ip) => outcome(submitReport(deps, report(ip)))),
    );

    // Assess
    expect(reasons).toEqual(Array(4).fill("invalid-address"));
  });

  it("knows one reporter however its address is written", async () => {
    // Arrange
    const deps = await intake({ challenge: false });

    // Act
    const results = [];
    for (const ip of ["5.6.7.8", "::ffff:5.6.7.8", "0:0:0:0:0:ffff:5.6.7.8", "::ffff:506:708"]) {
      results.push((await submitReport(deps, report(ip))).result);
    }

    // Assess
    expect(results).toEqual(["accepted", "duplicate", "duplicate", "duplicate"]);
  });

  it("holds an address to ratePerMinute across containers", async () => {
    // Arrange: five containers, each with its own memory.
    const five = await containers(5, { challenge: false, ratePerMinute: 4 });

    // Act: every container takes three requests of the same address.
    const reasons = await Promise.all(
      five.flatMap((deps) =>
        [0, 1, 2].map(() => outcome(submitReport(deps, report("198.51.100.7")))),
      ),
    );

    // Assess: four pass the shared limit (one counted, three duplicates), the rest wait.
    expect(reasons.filter((r) => r === "taken")).toHaveLength(4);
    expect(reasons.filter((r) => r === "rate-limited")).toHaveLength(11);
  });

  it("counts a solved challenge once, and only from the address it was issued to", async () => {
    // Arrange
    const deps = await intake();
    const mine = await solved(deps, "198.51.100.7");
    const neighbours = await solved(deps, "198.51.100.8");

    // Act
    const without = await outcome(submitReport(deps, report("198.51.100.7")));
    const forged = await outcome(submitReport(deps, report("198.51.100.7", btoa("{}"))));
    const elsewhere = await outcome(submitReport(deps, report("198.51.100.7", neighbours)));
    const first = await outcome(submitReport(deps, report("198.51.100.7", mine)));
    const again = await outcome(submitReport(deps, report("198.51.100.7", mine)));

    // Assess
    expect([without, forged, elsewhere]).toEqual(Array(3).fill("challenge-failed"));
    expect([first, again]).toEqual(["taken", "challenge-failed"]);
  });

  it("says why a challenge was refused", async () => {
    // Arrange
    const deps = await intake();
    const neighbours = await solved(deps, "198.51.100.8");

    // Act
    const error = await submitReport(deps, report("198.51.100.7", neighbours)).catch((e) => e);

    // Assess
    expect((error as Error).message).toMatch(/issued to another address/);
  });
});

describe("submitReport: the region of a report", () => {
  /** Dependencies with a US service beside the world one. */
  async function withAreas() {
    const deps = await intake({ challenge: false });
    const config = parseConfig({
      services: [
        { id: "t-mobile", name: "T-Mobile", category: "carrier", area: "us" },
        { id: "discord", name: "Discord", category: "app" },
      ],
      reports: { challenge: false },
    });
    return { ...deps, config };
  }
  const counted = async (deps: ReportDependencies, service: string) => {
    const store = deps.reports as DynamoReportStore;
    return (await store.countBuckets(service, [Date.parse("2023-02-14T10:00:00Z")])).values().next()
      .value?.regions;
  };

  it("counts the region a reporter picks, written in either case", async () => {
    // Arrange
    const deps = await withAreas();

    // Act
    const texas = await submitReport(deps, { ...report("198.51.100.1"), region: "us-tx" });
    const germany = await submitReport(deps, {
      ...report("198.51.100.2"),
      service: "discord",
      problem: "login",
      region: "DE",
    });

    // Assess
    expect([texas.region, germany.region]).toEqual(["US-TX", "DE"]);
    expect(await counted(deps, "t-mobile")).toEqual({ "US-TX": 1 });
    expect(await counted(deps, "discord")).toEqual({ DE: 1 });
  });

  it("refuses a region of another area, naming what to give", async () => {
    // Arrange
    const deps = await withAreas();

    // Act
    const country = await submitReport(deps, { ...report("198.51.100.3"), region: "DE" }).catch(
      (e) => e,
    );
    const state = await submitReport(deps, {
      ...report("198.51.100.4"),
      service: "discord",
      problem: "login",
      region: "US-TX",
    }).catch((e) => e);

    // Assess
    expect((country as ReportRejected).reason).toBe("unknown-region");
    expect((country as Error).message).toMatch(/a US state code such as US-TX/);
    expect((state as Error).message).toMatch(/a country code such as DE/);
    expect(await counted(deps, "t-mobile")).toEqual({});
  });

  it("takes where a trusted edge saw the viewer only when the reporter picked nothing", async () => {
    // Arrange
    const deps = await withAreas();
    const viewer = { country: "US", subdivision: "FL" };

    // Act
    const seen = await submitReport(deps, { ...report("198.51.100.5"), viewer });
    const picked = await submitReport(deps, {
      ...report("198.51.100.6"),
      region: "US-GA",
      viewer,
    });
    const abroad = await submitReport(deps, {
      ...report("198.51.100.7"),
      viewer: { country: "CA", subdivision: "ON" },
    });

    // Assess: a viewer abroad has no state of a US service
    expect([seen.region, picked.region, abroad.region]).toEqual(["US-FL", "US-GA", null]);
    expect(await counted(deps, "t-mobile")).toEqual({ "US-FL": 1, "US-GA": 1 });
  });
});

describe("issueReportChallenge", () => {
  it("gives one address at most max(60, 2 x ratePerMinute) challenges a minute", async () => {
    // Arrange
    const deps = await intake({ ratePerMinute: 40 });
    const settings = deps.config.reports.challenge;
    if (settings === false) throw new Error("the challenge is off");
    const ask = (sourceIp: string) =>
      outcome(issueReportChallenge(deps, { settings, sourceIp, reportsPerMinute: 40, nowMs: NOW }));

    // Act
    const reasons: string[] = [];
    for (let i = 0; i < 81; i++) reasons.push(await ask("203.0.113.5"));
    const other = await ask("203.0.113.6");

    // Assess
    expect(reasons.filter((r) => r === "taken")).toHaveLength(80);
    expect(reasons.at(-1)).toBe("rate-limited");
    expect(other).toBe("taken");
  });
});
