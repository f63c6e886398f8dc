/**
 * The replay source: counts from a CSV, gaps as null, finer rows summed, a file that
 * could not be read tried again rather than remembered as broken, and counts divided
 * into kinds and regions by a split.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { ReplaySource } from "../../lambdas/sources/replay/source";
import { apportion } from "../../lambdas/sources/replay/split";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "outcry-replay-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const at = (iso: string) => Date.parse(iso);

/** Reads one bucket as the collect step would. */
async function countAt(source: ReplaySource, iso: string, bucketMinutes = 5) {
  const { counts } = await source.read({
    buckets: [at(iso)],
    bucketMinutes,
    nowMs: at(iso) + 60 * 60_000,
    signal: new AbortController().signal,
    memory: null,
  });
  return counts[0];
}

describe("ReplaySource", () => {
  it("reads the bucket's row, sums finer rows, and answers null for a gap", async () => {
    // Prepare: 1-minute rows read as 5-minute buckets
    const file = join(dir, "fine.csv");
    await writeFile(
      file,
      "timestamp,service,count\n2024-01-01T00:00:00Z,x,1\n2024-01-01T00:01:00Z,x,2\n2024-01-01T00:04:00Z,x,4\n2024-01-01T00:10:00Z,x,9\n",
    );
    const source = new ReplaySource({ id: "replay", weight: 1, file, column: "x", align: "exact" });

    // Act
    const { counts } = await source.read({
      buckets: ["2024-01-01T00:00:00Z", "2024-01-01T00:05:00Z", "2024-01-01T00:10:00Z"].map(at),
      bucketMinutes: 5,
      nowMs: at("2024-01-01T01:00:00Z"),
      signal: new AbortController().signal,
      memory: null,
    });

    // Assess
    expect(counts).toEqual([7, null, 9]);
  });

  it("tiles the CSV onto later weeks when aligned to loop", async () => {
    // Prepare
    const file = join(dir, "loop.csv");
    await writeFile(
      file,
      "timestamp,service,count\n2024-01-01T00:00:00Z,x,5\n2024-01-01T00:05:00Z,x,6\n",
    );
    const source = new ReplaySource({ id: "replay", weight: 1, file, column: "x", align: "loop" });

    // Act
    const weekLater = await countAt(source, "2024-01-08T00:05:00Z");

    // Assess
    expect(weekLater).toBe(6);
  });

  it("tries a file again after it could not be read", async () => {
    // Prepare: the file appears only after the first attempt
    const file = join(dir, "late.csv");
    const source = new ReplaySource({ id: "replay", weight: 1, file, column: "x", align: "exact" });
    await expect(countAt(source, "2024-01-01T00:00:00Z")).rejects.toThrow(/ENOENT/);
    await writeFile(file, "timestamp,service,count\n2024-01-01T00:00:00Z,x,3\n");

    // Act
    const count = await countAt(source, "2024-01-01T00:00:00Z");

    // Assess
    expect(count).toBe(3);
  });
});

describe("ReplaySource with a split", () => {
  it("divides each count into whole kinds and regions that add up to it", async () => {
    // Prepare
    const file = join(dir, "split.csv");
    await writeFile(
      file,
      "timestamp,service,count\n2024-01-01T00:00:00Z,x,10\n2024-01-01T00:05:00Z,x,1\n",
    );
    const source = new ReplaySource({
      id: "replay",
      weight: 1,
      file,
      column: "x",
      align: "exact",
      split: {
        problems: { "no-signal": 47, calls: 28, "mobile-data": 25 },
        regions: { "US-TX": 2, "US-FL": 1 },
      },
    });

    // Act
    const reading = await source.read({
      buckets: [at("2024-01-01T00:00:00Z"), at("2024-01-01T00:05:00Z"), at("2024-01-01T00:10:00Z")],
      bucketMinutes: 5,
      nowMs: at("2024-01-01T01:00:00Z"),
      signal: new AbortController().signal,
      memory: null,
    });

    // Assess
    expect(reading.counts).toEqual([10, 1, null]);
    expect(reading.breakdowns).toEqual([
      { "no-signal": 5, calls: 3, "mobile-data": 2 },
      { "no-signal": 1 },
      null,
    ]);
    expect(reading.regions).toEqual([{ "US-TX": 7, "US-FL": 3 }, { "US-TX": 1 }, null]);
  });
});

describe("apportion", () => {
  it("always gives whole parts that sum to the count", () => {
    const weights = { a: 1, b: 1, c: 1 };
    for (let count = 0; count <= 50; count++) {
      const parts = apportion(count, weights);
      expect(Object.values(parts).reduce((sum, n) => sum + n, 0)).toBe(count);
    }
    expect(apportion(2, weights)).toEqual({ a: 1, b: 1 });
  });
});

describe("the replay split in the config", () => {
  const service = (split: unknown) => ({
    services: [
      {
        id: "t-mobile",
        name: "T-Mobile",
        category: "carrier",
        area: "us",
        sources: [{ kind: "replay", file: "x.csv", split }],
      },
    ],
  });

  it("refuses a kind of another category and a region of another area, by path", () => {
    // Act
    const error = (() => {
      try {
        parseConfig(service({ problems: { login: 1 }, regions: { DE: 1 } }));
      } catch (caught) {
        return String(caught);
      }
      return "";
    })();

    // Assess
    expect(error).toMatch(/'login' is not a problem kind of the carrier category; use no-signal/);
    expect(error).toMatch(/'DE' is not a region of the service's area 'us'/);
  });

  it("takes kinds and regions that fit the service", () => {
    const config = parseConfig(service({ problems: { calls: 1 }, regions: { "US-TX": 1 } }));
    const [source] = config.services[0]?.sources ?? [];
    expect(source?.kind === "replay" && source.split?.regions).toEqual({ "US-TX": 1 });
  });
});
