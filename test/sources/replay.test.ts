/**
 * The replay source: counts from a CSV, gaps as null, finer rows summed, and a file that
 * could not be read tried again rather than remembered as broken.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplaySource } from "../../lambdas/sources/replay/source";

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
