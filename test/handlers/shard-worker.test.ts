/**
 * The queue side of collect and detect: each record runs under its shard's lease, a
 * failure is reported for that record alone, and a message that cannot be a job, has
 * waited too long, or finds its shard taken is handled without running twice.
 */
import { describe, expect, it } from "vitest";
import { parseIso } from "../../lambdas/domain/buckets";
import type { TickLeaseStore } from "../../lambdas/domain/ports";
import { type ShardJob, tickJobs } from "../../lambdas/domain/shards";
import { runShardJobs, STALE_AFTER_MS } from "../../lambdas/handlers/shard-worker";
import { sqsEvent } from "../../local/shard-queue";
import { lambdaContext } from "../support/lambda-events";

const AT = parseIso("2024-01-01T00:01:00Z");

/** Leases in memory, as the store keeps them. */
class MemoryLeases implements TickLeaseStore {
  readonly held = new Map<string, { holder: string; until: number }>();
  async acquire(name: string, holder: string, nowMs: number, untilMs: number) {
    const lease = this.held.get(name);
    if (lease && lease.until > nowMs) return false;
    this.held.set(name, { holder, until: untilMs });
    return true;
  }
  async release(name: string, holder: string) {
    if (this.held.get(name)?.holder === holder) this.held.delete(name);
  }
}

/** One SQS event holding a record per job, as a batch of several would come. */
function batchOf(jobs: ShardJob[], sentAt = AT) {
  return { Records: jobs.flatMap((job) => sqsEvent(job, "collect-shards", sentAt).Records) };
}

const context = lambdaContext("collect");
const clock = () => AT;

describe("runShardJobs", () => {
  it("runs each job, and reports only the one that failed", async () => {
    // Prepare
    const leases = new MemoryLeases();
    const event = batchOf(tickJobs("collect", AT, 3));

    // Act
    const result = await runShardJobs(
      event,
      context,
      "collect",
      () => leases,
      clock,
      async (job) => {
        if (job.shard.index === 1) throw new Error("injected: shard 1 cannot be read");
        return job.shard.index;
      },
    );

    // Assess
    expect(result.results).toEqual([0, 2]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect(result.errors.map((e) => e.error)).toEqual(["injected: shard 1 cannot be read"]);
    expect(leases.held.size).toBe(0);
  });

  it("skips a job whose shard another worker holds, and one that waited too long", async () => {
    // Prepare
    const leases = new MemoryLeases();
    await leases.acquire("collect#0", "someone else", AT, AT + 60_000);
    const [first, second] = tickJobs("collect", AT, 2) as [ShardJob, ShardJob];
    let ran = 0;
    const run = async () => ++ran;

    // Act
    const held = await runShardJobs(batchOf([first]), context, "collect", () => leases, clock, run);
    const stale = await runShardJobs(
      batchOf([second], AT - STALE_AFTER_MS),
      context,
      "collect",
      () => leases,
      clock,
      run,
    );

    // Assess: neither ran, neither is delivered again
    expect(ran).toBe(0);
    expect(held.skipped.map((s) => s.why)).toEqual(["another worker holds shard 0"]);
    expect(stale.skipped.map((s) => s.why)).toEqual(["stale: later ticks have covered it"]);
    expect([...held.batchItemFailures, ...stale.batchItemFailures]).toEqual([]);
  });

  it("reports a message that is no job, or the other kind's, as failed, so it reaches the DLQ", async () => {
    // Prepare
    const leases = new MemoryLeases();
    const event = batchOf(tickJobs("detect", AT, 1, AT - 360_000));
    const [record] = event.Records;
    const garbage = { ...record, messageId: "garbage", body: "{}" };
    const both = { Records: [...event.Records, garbage] } as typeof event;

    // Act
    const result = await runShardJobs(
      both,
      context,
      "collect",
      () => leases,
      clock,
      async () => 1,
    );

    // Assess
    expect(result.results).toEqual([]);
    expect(result.errors.map((e) => e.error)).toEqual([
      "a detect job reached the collect queue",
      expect.stringMatching(/^the shard job's kind /),
    ]);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      record?.messageId,
      "garbage",
    ]);
  });
});
