/**
 * What and where, end to end: the seed story replayed with the kinds and regions the demo
 * config splits its counts by, through collect, detect and the API of the local runtime.
 * The T-Mobile incident's timeline says "mostly no signal (62%)" and where its reports
 * came from; Verizon's came from across the country; the series and the incident answer
 * the same mix; and crowd reports that name a region count in it, while a region with 4
 * reports is never shown or named anywhere.
 */
import type { Challenge } from "altcha-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import { smsFits } from "../../lambdas/domain/wording/fitting";
import {
  DEMO_SERVICES,
  SEED_NOW,
  type SeededRuntime,
  startSeededRuntime,
} from "../support/seeded-runtime";

interface Mix {
  area: string;
  problems: Record<string, number>;
  regions: Record<string, number>;
  otherRegions: number;
}

const splitOf = (id: string) => DEMO_SERVICES.find((s) => s.id === id)?.split;

let seeded: SeededRuntime;

beforeAll(async () => {
  seeded = await startSeededRuntime({
    // AT&T's replay is split into kinds only: where its reports come from is what its
    // reporters say.
    services: DEMO_SERVICES,
    trustedProxies: { hops: 1 },
  });
}, 120_000);

afterAll(async () => {
  await seeded?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${seeded.url}${path}`);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

async function incidentOf(service: string) {
  const { incidents } = await get<{ incidents: { id: string }[] }>(`/incidents?service=${service}`);
  const [first] = incidents;
  if (!first) throw new Error(`no incident of ${service}`);
  return get<{ mix: Mix; summary: { text: string; sms: string } }>(`/incidents/${first.id}`);
}

describe("the seed story with kinds and regions", () => {
  it("says what most reports were of and where they came from, and the mix shows it", async () => {
    // Act
    const incident = await incidentOf("t-mobile");

    // Assess: the timeline's phrases, as email text and as an SMS that still fits
    expect(incident.summary.text).toContain(
      "Reports of T-Mobile problems, mostly no signal (62%),",
    );
    expect(incident.summary.text).toContain(
      "Reports came mostly from Texas, Florida and California.",
    );
    // The SMS has no room for it beside the peak, the falloff and the other carriers
    // (the wording tests show it where there is).
    expect(smsFits(incident.summary.sms)).toBe(true);
    expect(incident.summary.sms).toContain("Verizon, AT&T also up.");
    // The mix behind them: kinds in the demo's shares, regions by code
    const { problems, regions } = incident.mix;
    const told = Object.values(problems).reduce((sum, n) => sum + n, 0);
    expect(Math.round(((problems["no-signal"] ?? 0) / told) * 100)).toBe(62);
    expect(Object.keys(regions).sort().slice(0, 3)).toEqual(["US-AZ", "US-CA", "US-CO"]);
    expect(incident.mix.area).toBe("us");
  });

  it("says reports spread over many states came from across the country", async () => {
    // Act
    const incident = await incidentOf("verizon");

    // Assess
    expect(incident.summary.text).toContain("Reports came from across the country.");
    expect(incident.summary.text).not.toContain("mostly");
  });

  it("answers the range's mix beside the series", async () => {
    // Act
    const series = await get<{ mix: Mix; points: { breakdowns?: Record<string, unknown> }[] }>(
      `/services/t-mobile/series?to=${new Date(SEED_NOW).toISOString()}`,
    );

    // Assess: every region of the split holds far more than 5 reports over a day
    expect(Object.keys(series.mix.regions).sort()).toEqual(
      Object.keys(splitOf("t-mobile")?.regions ?? {}).sort(),
    );
    expect(series.mix.otherRegions).toBe(0);
    expect(series.points.some((p) => p.breakdowns?.replay)).toBe(true);
  });
});

describe("crowd reports that name a region", () => {
  /** One report from its own address, through the trusted proxy, as a client sends it. */
  async function report(i: number, region: string | undefined) {
    const from = { "x-forwarded-for": `198.51.${i}.7` };
    const challenge = await fetch(`${seeded.url}/reports/challenge`, { headers: from });
    const altcha = await solveReportChallenge((await challenge.json()) as Challenge);
    const response = await fetch(`${seeded.url}/reports`, {
      method: "POST",
      headers: { "content-type": "application/json", ...from },
      body: JSON.stringify({
        service: "att",
        problem: "calls",
        altcha,
        ...(region ? { region } : {}),
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("counts them by region, and never shows a region with fewer than 5", async () => {
    // Prepare: 5 reports from Montana, 4 from Wyoming, 2 that say nothing of where
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await report(i, "US-MT"));
    for (let i = 5; i < 9; i++) answers.push(await report(i, i === 5 ? "us-wy" : "US-WY"));
    for (let i = 9; i < 11; i++) answers.push(await report(i, undefined));

    // Act: the bucket closes and is collected
    seeded.setNow(SEED_NOW + 5 * 60_000);
    await seeded.runtime.tick();
    const from = new Date(SEED_NOW - 10 * 60_000).toISOString();
    const to = new Date(SEED_NOW + 5 * 60_000).toISOString();
    const series = await get<{
      mix: Mix;
      points: { breakdowns?: Record<string, Mix["problems"]> }[];
    }>(`/services/att/series?from=${from}&to=${to}`);
    const crowdCalls = series.points.reduce(
      (sum, p) => sum + (p.breakdowns?.reports?.calls ?? 0),
      0,
    );

    // Assess: each was counted with the region it named, lower case read as upper
    expect(
      answers.map((a) => a.status),
      JSON.stringify(answers[0]?.body),
    ).toEqual(Array(11).fill(202));
    expect(answers[5]?.body.region).toBe("US-WY");
    expect(answers[10]?.body.region).toBeNull();
    expect(series.mix.regions).toEqual({ "US-MT": 5 });
    expect(series.mix.otherRegions).toBe(4);
    expect(crowdCalls).toBe(11);
    expect(series.mix.problems.calls).toBeGreaterThan(11);
    expect(JSON.stringify(series)).not.toContain("US-WY");
  });

  it("refuses a region that is not one of the service's area, naming the field", async () => {
    // Act
    const answer = await report(20, "DE");

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe("region");
    expect(String(answer.body.detail)).toContain("US-TX");
  });
});
