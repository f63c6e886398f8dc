/**
 * The per-tick answer cache: one answer made per key however many ask at once, nothing
 * but 200s kept, the least recently used dropped first, and, through the local runtime,
 * a tick that changes the data makes the next request see it at once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ResponseCache, VERSION_MEMO_MS } from "../../lambdas/api/response-cache";
import { parseConfig } from "../../lambdas/domain/config";
import { startLocalRuntime } from "../../local/local-runtime";

const ok = (body: string) => async () => ({ statusCode: 200, body });

describe("ResponseCache", () => {
  it("makes an answer once for requests that ask at the same time", async () => {
    // Arrange
    const cache = new ResponseCache();
    let made = 0;
    const make = async () => {
      made++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { statusCode: 200, body: "series" };
    };

    // Act
    const answers = await Promise.all(Array.from({ length: 16 }, () => cache.get(1, "k", make)));

    // Assess
    expect(made).toBe(1);
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(["series"]));
  });

  it("keeps neither errors nor answers other than 200", async () => {
    // Arrange
    const cache = new ResponseCache();

    // Act
    await expect(
      cache.get(1, "boom", () => Promise.reject(new Error("store down"))),
    ).rejects.toThrow();
    await cache.get(1, "missing", async () => ({ statusCode: 404, body: "" }));
    const retried = await cache.get(1, "boom", ok("fine"));

    // Assess
    expect(retried.body).toBe("fine");
    expect(cache.size).toBe(1);
  });

  it("drops the least recently used entry when full", async () => {
    // Arrange
    const cache = new ResponseCache(2);
    await cache.get(1, "a", ok("a1"));
    await cache.get(1, "b", ok("b1"));
    await cache.get(1, "a", ok("a2"));

    // Act
    await cache.get(1, "c", ok("c1"));

    // Assess
    expect((await cache.get(1, "a", ok("a3"))).body).toBe("a1");
    expect((await cache.get(1, "b", ok("b2"))).body).toBe("b2");
  });

  it("drops the oldest answers when their bodies pass the size bound", async () => {
    // Arrange: room for two 10-character bodies.
    const cache = new ResponseCache(100, 25);
    await cache.get(1, "a", ok("aaaaaaaaaa"));
    await cache.get(1, "b", ok("bbbbbbbbbb"));

    // Act
    await cache.get(1, "c", ok("cccccccccc"));

    // Assess
    expect(cache.size).toBe(2);
    expect((await cache.get(1, "a", ok("fresh"))).body).toBe("fresh");
  });

  it("forgets every answer of an older data version", async () => {
    // Arrange
    const cache = new ResponseCache();
    await cache.get(1, "a", ok("old"));
    await cache.get(1, "b", ok("old"));

    // Act
    const answer = await cache.get(2, "a", ok("new"));

    // Assess
    expect(answer.body).toBe("new");
    expect(cache.size).toBe(1);
  });

  it("reads the data version once for a burst of requests, and again a second later", async () => {
    // Arrange
    let wall = 1_000_000;
    const cache = new ResponseCache(undefined, undefined, VERSION_MEMO_MS, () => wall);
    let reads = 0;
    const read = async () => {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return reads;
    };

    // Act
    const burst = await Promise.all(Array.from({ length: 8 }, () => cache.version(read)));
    wall += VERSION_MEMO_MS - 1;
    const withinTheSecond = await Promise.all(
      Array.from({ length: 100 }, () => cache.version(read)),
    );
    wall += 1;
    const aSecondLater = await cache.version(read);
    cache.forgetVersion();
    const forgotten = await cache.version(read);

    // Assess: one read per second however many ask, and none older than that
    expect(burst).toEqual(Array(8).fill(1));
    expect(withinTheSecond).toEqual(Array(100).fill(1));
    expect(aSecondLater).toBe(2);
    expect(forgotten).toBe(3);
    expect(reads).toBe(3);
  });

  it("does not keep a failed version read", async () => {
    // Arrange
    const cache = new ResponseCache(undefined, undefined, VERSION_MEMO_MS, () => 0);
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls === 1) throw new Error("throttled");
      return 7;
    };

    // Act
    const failed = await cache.version(read).catch((error: Error) => error.message);
    const next = await cache.version(read);

    // Assess
    expect(failed).toBe("throttled");
    expect(next).toBe(7);
  });
});

describe("cached answers in the local runtime", () => {
  it("show what a tick wrote on the next request, though the clock has not moved", async () => {
    // Arrange: a replayed service, the clock fixed just after a bucket closed.
    const dataDir = await mkdtemp(join(tmpdir(), "outcry-cache-"));
    const file = join(import.meta.dirname, "..", "..", "examples/data/tmobile-2023-02-13.csv");
    const config = parseConfig({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [{ kind: "replay", file }],
        },
      ],
    });
    const now = Date.parse("2023-02-14T03:26:00Z");
    const runtime = await startLocalRuntime({
      config,
      dataDir,
      port: 0,
      autoTick: false,
      clock: { now: () => now },
      print: () => {},
    });
    const peakBucket = (body: { points: { at: string; count: number | null }[] }) =>
      body.points.find((p) => p.at === "2023-02-14T03:20:00Z")?.count;
    const series = async () =>
      (await fetch(`${runtime.url}/services/t-mobile/series`)).json() as Promise<{
        points: { at: string; count: number | null }[];
      }>;
    try {
      const before = await series();

      // Act
      await runtime.tick();
      const after = await series();

      // Assess
      expect(peakBucket(before)).toBeNull();
      expect(peakBucket(after)).toBe(83_412);
    } finally {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
