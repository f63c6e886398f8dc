/**
 * Shards: every service in exactly one shard of a tick, balanced; a start that moves each
 * tick; and jobs that survive the queue, with a clear error for anything else.
 */
import { describe, expect, it } from "vitest";
import { parseIso } from "../../lambdas/domain/buckets";
import {
  jobBody,
  parseJobBody,
  rotated,
  ShardJobError,
  servicesOf,
  shardCount,
  tickJobs,
} from "../../lambdas/domain/shards";

describe("servicesOf", () => {
  it.each([
    [1, 1],
    [7, 3],
    [200, 1],
    [201, 2],
    [10_000, 50],
    [10_001, 51],
  ])("puts each of %i services in exactly one of %i balanced shards", (services, count) => {
    // Prepare
    const ids = Array.from({ length: services }, (_, i) => i);

    // Act
    const shards = Array.from({ length: count }, (_, index) => servicesOf(ids, { index, count }));

    // Assess
    expect(shards.flat()).toEqual(ids);
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("counts the shards a number of services needs", () => {
    expect(shardCount(0, 200)).toBe(1);
    expect(shardCount(200, 200)).toBe(1);
    expect(shardCount(201, 200)).toBe(2);
    expect(shardCount(10_000, 200)).toBe(50);
  });
});

describe("rotated", () => {
  it("keeps every item, in order from a start that moves each tick", () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    for (const tick of [0, 1, 2, 29_000_000, -3]) {
      const order = rotated(items, tick);
      expect([...order].sort((a, b) => a - b)).toEqual(items);
      const start = order[0] ?? 0;
      expect(order).toEqual([...items.slice(start), ...items.slice(0, start)]);
    }
    expect(rotated([], 3)).toEqual([]);
  });

  it("reaches every item within two ticks when each tick reaches two thirds of them", () => {
    const items = Array.from({ length: 300 }, (_, i) => i);
    for (const first of [0, 1, 29_000_017]) {
      const reached = new Set([
        ...rotated(items, first).slice(0, 200),
        ...rotated(items, first + 1).slice(0, 200),
      ]);
      expect(reached.size).toBe(300);
    }
  });
});

describe("shard jobs in queue messages", () => {
  const at = parseIso("2023-02-14T03:31:00Z");

  it("come back as they were sent", () => {
    for (const job of [
      ...tickJobs("collect", at, 3),
      ...tickJobs("detect", at, 2, parseIso("2023-02-14T03:25:00Z")),
    ]) {
      expect(parseJobBody(jobBody(job))).toEqual(job);
    }
  });

  it.each([
    ["not json", "the message is not JSON; expected a shard job"],
    ['{"kind":"sweep","at":"2023-02-14T03:31:00Z","shard":0,"shards":1}', "the shard job's kind"],
    ['{"kind":"collect","at":"yesterday","shard":0,"shards":1}', "the shard job's at must be"],
    ['{"kind":"collect","at":"2023-02-14T03:31:00Z","shard":2,"shards":2}', "shard must be below"],
    [
      '{"kind":"collect","at":"2023-02-14T03:31:00Z","shard":0,"shards":1,"extra":1}',
      "the shard job's",
    ],
  ])("refuse %s, naming the field", (body, message) => {
    expect(() => parseJobBody(body)).toThrow(ShardJobError);
    expect(() => parseJobBody(body)).toThrow(message);
  });
});
