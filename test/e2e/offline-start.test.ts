/**
 * `npm start` with the shipped outcry.config.json on a machine without a network: no
 * name resolves (ENOTFOUND), and one never answers at all (AWS's, so its source runs
 * into its deadline). The API answers at once while the first tick still waits on the
 * network; each tick prints one summary line naming what failed; each source's health
 * records its failure's class; and the failed sources' buckets are gaps, never zeros.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfigFile } from "../../lambdas/wiring/config-file";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";

/** The host whose name lookup never returns: its source can only time out. */
const SILENT_HOST = "health.aws.amazon.com";

vi.mock("node:dns", async (importOriginal) => {
  const dns = await importOriginal<typeof import("node:dns")>();
  // Every lookup fails as it does offline; the runtime's own connections are to 127.0.0.1
  // and never look a name up.
  const lookup = (hostname: string, _options: unknown, callback: unknown) => {
    if (hostname === SILENT_HOST) return;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: "ENOTFOUND",
      errno: -3008,
      syscall: "getaddrinfo",
      hostname,
    });
    setImmediate(() => (callback as (e: Error) => void)(error));
  };
  return { ...dns, default: { ...dns, lookup }, lookup };
});

const ROOT = join(import.meta.dirname, "..", "..");
/** 17:06 UTC: the 17:00 bucket has just closed. */
const T1 = Date.parse("2026-12-07T17:06:00Z");

const config = loadConfigFile(join(ROOT, "outcry.config.json"));
/** Every configured source, crowd reports included. */
const SOURCES = config.services.reduce(
  (sum, s) => sum + s.sources.length + (s.reports.enabled ? 1 : 0),
  0,
);
/** The sources that call out: every one but crowd reports. */
const HTTP_SOURCES = config.services.reduce((sum, s) => sum + s.sources.length, 0);

let now = T1;
let dataDir: string;
let runtime: LocalRuntime;
let startedInMs: number;
const lines: string[] = [];
/** What the API answered before the first tick was over. */
let early: { status: number; tickLinesBefore: number }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "outcry-offline-"));
  const started = performance.now();
  runtime = await startLocalRuntime({
    config,
    dataDir,
    port: 0,
    // The first tick starts at once, as `npm start`'s does; the next only when a test asks.
    tickMs: 3_600_000,
    clock: { now: () => now },
    print: (line) => lines.push(line),
  });
  startedInMs = performance.now() - started;
  const tickLines = () => lines.filter((l) => l.startsWith("[tick")).length;
  early = await Promise.all(
    ["/health", "/services", "/services/t-mobile"].map(async (path) => {
      const response = await fetch(`${runtime.url}${path}`);
      await response.arrayBuffer();
      return { status: response.status, tickLinesBefore: tickLines() };
    }),
  );
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  (await import("node:fs")).writeFileSync("/tmp/offline-lines.txt", lines.join("\n"));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type SourceView = {
  source: string;
  status: string;
  lastFailure: { reason: string } | null;
  consecutiveFailures: number;
};

/** Waits for the first tick (started by the runtime itself) to print its summary. */
async function firstTickLine(): Promise<string> {
  await vi.waitFor(() => expect(lines.some((l) => l.startsWith("[tick"))).toBe(true), {
    timeout: 20_000,
    interval: 50,
  });
  return lines.find((l) => l.startsWith("[tick")) ?? "";
}

describe("npm start with the default config and no network", () => {
  it("serves the API at once, while the first tick still waits on the network", () => {
    // Assess
    expect(startedInMs).toBeLessThan(10_000);
    expect(early.map((e) => e.status)).toEqual([200, 200, 200]);
    expect(early.every((e) => e.tickLinesBefore === 0)).toBe(true);
  });

  it("prints one bounded line per tick naming what failed, and each new failure's message once", async () => {
    // Act
    const first = await firstTickLine();
    const before = lines.length;
    now += 5 * 60_000;
    await runtime.tick();
    const second = lines.slice(before);

    // Assess
    expect(first).toMatch(
      new RegExp(
        `^\\[tick 2026-12-07 17:00Z\\] collected t-mobile=0 \\(partial\\) verizon=0 \\(partial\\) att=0 \\(partial\\) aws=0 .* \\| open: none \\| ${HTTP_SOURCES} of ${SOURCES} sources failed \\(${HTTP_SOURCES - 1} network, 1 timeout\\): t-mobile/mastodon \\(network\\), t-mobile/reddit \\(network\\), verizon/mastodon \\(network\\), verizon/reddit \\(network\\), and ${HTTP_SOURCES - 4} more$`,
      ),
    );
    expect(first.length).toBeLessThan(400);
    const details = lines.slice(lines.indexOf(first) + 1, before);
    expect(details).toHaveLength(HTTP_SOURCES);
    expect(details).toContain(
      "  aws/aws-health failed (timeout): source aws/aws-health gave no answer within 4000 ms",
    );
    expect(details.find((l) => l.startsWith("  github/statuspage"))).toMatch(
      /failed \(network\): GET https:\/\/www\.githubstatus\.com\/api\/v2\/.*ENOTFOUND/,
    );
    // The same failures again: the summary line only.
    expect(second).toHaveLength(1);
    expect(second[0]).toMatch(
      /^\[tick 2026-12-07 17:05Z\] .* sources failed \(\d+ network, 1 timeout\): /,
    );
  }, 60_000);

  it("records each failing source's health with its class", async () => {
    // Act
    const body = (await (await fetch(`${runtime.url}/services/aws`)).json()) as {
      sources: SourceView[];
    };
    const carrier = (await (await fetch(`${runtime.url}/services/t-mobile`)).json()) as {
      sources: SourceView[];
    };

    // Assess
    expect(body.sources.map((s) => [s.source, s.status, s.lastFailure?.reason])).toEqual([
      ["reports", "ok", undefined],
      ["aws-health", "failing", "timeout"],
    ]);
    expect(carrier.sources.map((s) => [s.source, s.status, s.lastFailure?.reason])).toEqual([
      ["reports", "ok", undefined],
      ["mastodon", "failing", "network"],
      ["reddit", "failing", "network"],
    ]);
    expect(carrier.sources[1]?.consecutiveFailures).toBe(2);
  });

  it("leaves the failed sources' buckets as gaps: the carriers' totals partial, none zero", async () => {
    // Act
    const series = async (id: string) =>
      (
        (await (
          await fetch(
            `${runtime.url}/services/${id}/series?from=2026-12-07T17:00:00Z&to=2026-12-07T17:05:00Z`,
          )
        ).json()) as {
          points: {
            at: string;
            count: number | null;
            sources: Record<string, number>;
            partial?: true;
            failedSources?: string[];
          }[];
        }
      ).points;
    const carrier = await series("t-mobile");
    const vendor = await series("github");

    // Assess
    const newest = carrier.find((p) => p.at === "2026-12-07T17:05:00Z");
    expect(newest).toMatchObject({
      count: 0,
      sources: { reports: 0 },
      partial: true,
      failedSources: ["mastodon", "reddit"],
    });
    expect(newest?.sources).not.toHaveProperty("mastodon");
    expect(newest?.sources).not.toHaveProperty("reddit");
    // A status page weighs 0: its failure leaves the total whole, and its series a gap.
    const page = vendor.find((p) => p.at === "2026-12-07T17:05:00Z");
    expect(page?.sources).toEqual({ reports: 0 });
    expect(page?.partial).toBeUndefined();
  });
});
