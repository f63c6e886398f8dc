/**
 * The backtest contract (DESIGN.md) from the outside: the CLI as a child process on the
 * seed story, checked against everything its `*.expected.json` states, plus bad input.
 * The many small cases run in parallel; a tsx start costs about a second.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BacktestIncident, runBacktest } from "../../backtest/backtest";
import { DetectorSettingsSchema } from "../../lambdas/domain/config";
import { parseCountsCsv } from "../../lambdas/domain/counts-csv";
import { gsm7Length, isGsm7 } from "../../lambdas/domain/wording/gsm7";

const repoRoot = resolve(import.meta.dirname, "../..");
// The seed story ships with the repository (examples/data), facts and all.
const scenarioCsv = resolve(repoRoot, "examples/data/tmobile-2023-02-13.csv");
const scenarioExpected = resolve(repoRoot, "examples/data/tmobile-2023-02-13.expected.json");
const tsx = resolve(repoRoot, "node_modules/.bin/tsx");

interface Expected {
  timezone: string;
  bucket_minutes: number;
  incidents: {
    service: string;
    start_between?: [string, string];
    peak: { count: number; at: string };
    falloff?: { at: string; count: number };
    summary_must_say: string[];
    correlated_with: string[];
  }[];
  no_incident_outside: [string, string];
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `outcry <args>` from the repository root and waits for it to exit. */
function outcry(args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      tsx,
      ["bin/outcry.ts", ...args],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the npm form of the contract: `npm run --silent backtest -- <args>`. */
function npmBacktest(args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      "npm",
      ["run", "--silent", "backtest", "--", ...args],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const expected = JSON.parse(readFileSync(scenarioExpected, "utf8")) as Expected;
const seedArgs = ["backtest", "--input", scenarioCsv, "--timezone", expected.timezone];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const SPARK = /^\s*[▁▂▃▄▅▆▇█ ]{10,}$/;

let json: CliRun;
let text: CliRun;
let npm: CliRun;
let incidents: BacktestIncident[];

beforeAll(async () => {
  [json, text, npm] = await Promise.all([
    outcry([...seedArgs, "--format", "json"]),
    outcry([...seedArgs, "--format", "text"]),
    npmBacktest(seedArgs.slice(1)),
  ]);
  incidents = json.code === 0 ? JSON.parse(json.stdout).incidents : [];
});

describe("outcry backtest on the seed story (tmobile-2023-02-13)", () => {
  const [from, to] = expected.no_incident_outside.map(Date.parse) as [number, number];
  const inside = (incident: BacktestIncident) => {
    const start = Date.parse(incident.startedAt);
    return start >= from && start <= to;
  };

  it("exits 0 with only JSON on stdout and nothing on stderr", () => {
    // Assess
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    expect(incidents.length).toBeGreaterThan(0);
  });

  it("prints the contract's JSON shape, times as ISO-8601 UTC bucket starts", () => {
    // Assess
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(["incidents"]);
    for (const incident of incidents) {
      expect(Object.keys(incident).sort()).toEqual(
        [
          "correlatedWith",
          "falloffs",
          "peak",
          "resolvedAt",
          "service",
          "startedAt",
          "summary",
        ].sort(),
      );
      expect(Object.keys(incident.summary).sort()).toEqual(["sms", "subject", "text"]);
      const times = [
        incident.startedAt,
        incident.peak.at,
        ...incident.falloffs.map((f) => f.at),
        ...(incident.resolvedAt === null ? [] : [incident.resolvedAt]),
      ];
      for (const time of times) {
        expect(time).toMatch(ISO_UTC);
        expect(Date.parse(time) % (expected.bucket_minutes * 60_000)).toBe(0);
      }
    }
  });

  it.each(expected.incidents)(
    "finds exactly one $service incident with the expected facts",
    (want) => {
      // Prepare
      const mine = incidents.filter((i) => i.service === want.service && inside(i));

      // Assess
      expect(mine).toHaveLength(1);
      const [incident] = mine as [BacktestIncident];
      if (want.start_between) {
        const [earliest, latest] = want.start_between.map(Date.parse) as [number, number];
        const start = Date.parse(incident.startedAt);
        expect(start).toBeGreaterThanOrEqual(earliest);
        expect(start).toBeLessThanOrEqual(latest);
      }
      expect(incident.peak).toEqual(want.peak);
      if (want.falloff) expect(incident.falloffs).toContainEqual(want.falloff);
      const summary = [incident.summary.subject, incident.summary.text, incident.summary.sms]
        .join("\n")
        .toLowerCase();
      for (const phrase of want.summary_must_say) {
        expect(summary, `summary of ${want.service} says "${phrase}"`).toContain(
          phrase.toLowerCase(),
        );
      }
      expect(incident.correlatedWith).toEqual(expect.arrayContaining(want.correlated_with));
    },
  );

  it("raises no incident starting outside the outage window", () => {
    // Assess
    const outside = incidents.filter((incident) => !inside(incident));
    expect(outside.map((i) => `${i.service}@${i.startedAt}`)).toEqual([]);
  });

  it("fits every SMS in 160 GSM-7 septets and every subject on one line under 100", () => {
    // Assess
    for (const { summary } of incidents) {
      expect(isGsm7(summary.sms)).toBe(true);
      expect(gsm7Length(summary.sms)).toBeLessThanOrEqual(160);
      expect(summary.subject.length).toBeLessThan(100);
      expect(summary.subject).not.toMatch(/[\r\n]/);
    }
  });

  it("gives the same output through `npm run --silent backtest --`", () => {
    // Assess
    expect(npm.code).toBe(0);
    expect(npm.stdout).toBe(json.stdout);
  });

  it("prints each incident's timeline and a sparkline in the text format", () => {
    // Prepare
    const lines = text.stdout.split("\n");

    // Assess
    expect(text.code).toBe(0);
    expect(text.stderr).toBe("");
    expect(lines[0]).toBe(`${incidents.length} incidents`);
    for (const incident of incidents) {
      const at = lines.indexOf(incident.summary.subject);
      expect(at, `subject of ${incident.service}`).toBeGreaterThan(0);
      expect(lines[at + 1]?.trim()).toBe(incident.summary.text);
      const spark = lines[at + 2] ?? "";
      expect(spark).toMatch(SPARK);
      expect(spark).toContain("█");
      expect(spark).toContain("▁");
      expect(lines[at + 3]?.trim()).toBe(`sms: ${incident.summary.sms}`);
    }
    expect(lines.filter((line) => SPARK.test(line))).toHaveLength(incidents.length);
  });
});

describe("outcry backtest on bad input", () => {
  let dir: string;
  const runs = new Map<string, CliRun>();
  const header = "timestamp,service,count";
  const files: Record<string, { body: string; line: number; problem: RegExp }> = {
    "wrong-header.csv": {
      body: "time,service,reports\n2023-02-14T03:20:00Z,att,1\n",
      line: 1,
      problem: /header must be 'timestamp,service,count'/,
    },
    "bad-timestamp.csv": {
      body: `${header}\n2023-02-14T03:20:00Z,att,1\n14/02/2023 03:25,att,2\n`,
      line: 3,
      problem: /timestamp '14\/02\/2023 03:25' is not ISO-8601/,
    },
    "negative-count.csv": {
      body: `${header}\n2023-02-14T03:20:00Z,att,1\n2023-02-14T03:25:00Z,att,2\n2023-02-14T03:30:00Z,att,-4\n`,
      line: 4,
      problem: /count '-4' must be a non-negative whole number/,
    },
    "duplicate-row.csv": {
      body: `${header}\n2023-02-14T03:20:00Z,att,1\n2023-02-14T03:25:00Z,att,2\n2023-02-14T03:20:00Z,att,3\n`,
      line: 4,
      problem: /duplicate row: att .* line 2/,
    },
    "mixed-widths.csv": {
      body: `${header}\n${["03:00", "03:05", "03:10", "03:12", "03:15", "03:20"]
        .map((t) => `2023-02-14T${t}:00Z,att,1`)
        .join("\n")}\n`,
      line: 5,
      problem: /mixed bucket widths for att/,
    },
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "outcry-backtest-"));
    for (const [name, { body }] of Object.entries(files)) writeFileSync(join(dir, name), body);
    const cases: [string, string[]][] = [
      ...Object.keys(files).map((name): [string, string[]] => [
        name,
        ["backtest", "--input", join(dir, name)],
      ]),
      ["no-input", ["backtest", "--timezone", "America/New_York"]],
      ["missing-file", ["backtest", "--input", join(dir, "absent.csv")]],
      ["bad-zone", ["backtest", "--input", scenarioCsv, "--timezone", "Eastern"]],
      ["bad-format", ["backtest", "--input", scenarioCsv, "--format", "xml"]],
    ];
    const results = await Promise.all(cases.map(([, args]) => outcry(args)));
    cases.forEach(([name], i) => {
      const result = results[i];
      if (result) runs.set(name, result);
    });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.entries(files))(
    "exits 2 on %s, naming file:line and the problem, with nothing on stdout",
    (name, { line, problem }) => {
      // Prepare
      const run = runs.get(name);

      // Assess
      expect(run?.code).toBe(2);
      expect(run?.stdout).toBe("");
      expect(run?.stderr).toContain(`${join(dir, name)}:${line}: `);
      expect(run?.stderr).toMatch(problem);
      expect(run?.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it("exits 2 with the usage when --input is missing", () => {
    // Prepare
    const run = runs.get("no-input");

    // Assess
    expect(run?.code).toBe(2);
    expect(run?.stdout).toBe("");
    expect(run?.stderr).toContain("--input FILE.csv is required");
    expect(run?.stderr).toContain("usage: npm run --silent backtest -- --input FILE.csv");
  });

  it("exits 2 on an unreadable file, an unknown zone or an unknown format", () => {
    // Assess
    for (const [name, says] of [
      ["missing-file", /cannot read --input .*absent\.csv: ENOENT/],
      ["bad-zone", /--timezone 'Eastern' is not an IANA zone/],
      ["bad-format", /--format takes json or text; got 'xml'/],
    ] as const) {
      const run = runs.get(name);
      expect(run?.code, name).toBe(2);
      expect(run?.stdout, name).toBe("");
      expect(run?.stderr, name).toMatch(says);
    }
  });
});

describe("runBacktest in-process", () => {
  const settings = DetectorSettingsSchema.parse({});
  const seed = parseCountsCsv(readFileSync(scenarioCsv, "utf8"), scenarioCsv);

  it("reads the seed story as 5-minute series of the three carriers", () => {
    // Assess
    expect(seed.map((s) => [s.service, s.bucketMinutes])).toEqual([
      ["t-mobile", expected.bucket_minutes],
      ["verizon", expected.bucket_minutes],
      ["att", expected.bucket_minutes],
    ]);
  });

  it("does not look ahead: cut at 03:00 UTC, the open incident started where it did in full", () => {
    // Prepare
    const cut = Date.parse("2023-02-14T03:00:00Z");
    const truncated = seed.map((s) => {
      const keep = s.times.filter((t) => t <= cut).length;
      return { ...s, times: s.times.slice(0, keep), counts: s.counts.slice(0, keep) };
    });

    // Act
    const full = runBacktest(seed, { timeZone: expected.timezone, settings }).incidents;
    const partial = runBacktest(truncated, { timeZone: expected.timezone, settings }).incidents;

    // Assess
    const tmobile = partial.find((i) => i.service === "t-mobile");
    expect(tmobile?.startedAt).toBe(full.find((i) => i.service === "t-mobile")?.startedAt);
    expect(tmobile?.resolvedAt).toBeNull();
    expect(tmobile?.summary.subject).not.toMatch(/^Resolved/);
    expect(Date.parse(tmobile?.peak.at ?? "")).toBeLessThanOrEqual(cut);
  });

  it("uses display names in the summaries when given them", () => {
    // Act
    const { incidents: named } = runBacktest(seed, {
      timeZone: expected.timezone,
      settings,
      names: { "t-mobile": "T-Mobile", verizon: "Verizon", att: "AT&T" },
    });

    // Assess
    const tmobile = named.find((i) => i.service === "t-mobile");
    expect(tmobile?.summary.text).toContain("Reports of T-Mobile problems");
    expect(tmobile?.summary.text).toMatch(
      /Verizon \(more than 2,000\) and AT&T \(more than 1,200\)/,
    );
  });

  it("treats missing rows inside a span as gaps, not as quiet", () => {
    // Prepare: two hours at 10, a surge, three hours with no rows, the surge again
    const start = Date.parse("2023-02-14T00:00:00Z");
    const step = 5 * 60_000;
    const rows: [number, number][] = [];
    for (let i = 0; i < 24; i++) rows.push([start + i * step, 10]);
    rows.push([start + 24 * step, 500], [start + 25 * step, 900]);
    rows.push([start + 62 * step, 700], [start + 63 * step, 650]);
    const series = [
      {
        service: "att",
        bucketMinutes: 5,
        times: rows.map(([t]) => t),
        counts: rows.map(([, c]) => c),
      },
    ];

    // Act
    const result = runBacktest(series, { timeZone: "UTC", settings });

    // Assess
    expect(result.buckets).toBe(64);
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]).toMatchObject({
      service: "att",
      startedAt: "2023-02-14T02:00:00Z",
      resolvedAt: null,
      peak: { count: 900, at: "2023-02-14T02:05:00Z" },
    });
  });

  it("lists incidents by start time and correlates only overlapping ones", () => {
    // Prepare: b surges first, a an hour later overlapping it, c long after both
    const start = Date.parse("2023-02-14T00:00:00Z");
    const step = 5 * 60_000;
    const service = (name: string, surgeAt: number, length: number) => {
      const times: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < 200; i++) {
        times.push(start + i * step);
        counts.push(i >= surgeAt && i < surgeAt + length ? 800 : 10);
      }
      return { service: name, bucketMinutes: 5, times, counts };
    };
    const series = [service("a", 40, 24), service("b", 30, 24), service("c", 150, 12)];

    // Act
    const { incidents: found } = runBacktest(series, { timeZone: "UTC", settings });

    // Assess
    expect(found.map((i) => [i.service, i.startedAt])).toEqual([
      ["b", "2023-02-14T02:30:00Z"],
      ["a", "2023-02-14T03:20:00Z"],
      ["c", "2023-02-14T12:30:00Z"],
    ]);
    expect(found.map((i) => i.correlatedWith)).toEqual([["a"], ["b"], []]);
  });
});
