/**
 * The local runtime runs a tick as AWS does: the hand-out, then every shard through the
 * same handlers, at most `shards.workers` at once, merged into one tick's result.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { startTemporaryRuntime } from "../support/temporary-runtime";

describe("the local runtime's shards", () => {
  it("collects and detects every service in its shard, once, and finishes each tick", async () => {
    // Prepare: 25 services at 10 a shard
    const config = parseConfig({
      services: Array.from({ length: 25 }, (_, i) => ({
        id: `s-${i}`,
        name: `S ${i}`,
        category: "app",
      })),
      shards: { services: 10, workers: 2 },
      concurrency: { collect: 3, detect: 3 },
    });
    const lines: string[] = [];
    const { runtime, stop } = await startTemporaryRuntime({
      config,
      print: (line) => lines.push(line),
    });
    try {
      // Act
      const tick = await runtime.tick();

      // Assess
      expect(tick.shards.collect.map((s) => s.shard.index).sort()).toEqual([0, 1, 2]);
      expect(tick.shards.detect.map((s) => s.shard.index).sort()).toEqual([0, 1, 2]);
      expect(Object.keys(tick.collect.latest).sort()).toEqual(
        config.services.map((s) => s.id).sort(),
      );
      expect(tick.shards.collect.filter((s) => s.tickComplete)).toHaveLength(1);
      expect(tick.shards.detect.filter((s) => s.tickComplete)).toHaveLength(1);
      expect(tick.dead).toEqual([]);
      expect(lines.filter((l) => l.startsWith("[tick "))).toHaveLength(1);
    } finally {
      await stop();
    }
  });
});
