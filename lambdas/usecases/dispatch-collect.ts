/**
 * Use case: hand out one collect tick's work as shard jobs: split the configured services
 * into shards of at most `shards.services` (`domain/shards.ts`) and send one job per
 * shard to the queue.
 */
import type { Config } from "../domain/config";
import type { ShardQueue } from "../domain/ports";
import { type ShardJob, shardCount, tickJobs } from "../domain/shards";

/**
 * Hands out the collect shards of the tick at `nowMs`; returns the jobs sent.
 * @example await dispatchCollect(config, queue, Date.parse(event.time));
 */
export async function dispatchCollect(
  config: Config,
  queue: ShardQueue,
  nowMs: number,
): Promise<ShardJob[]> {
  const jobs = tickJobs(
    "collect",
    nowMs,
    shardCount(config.services.length, config.shards.services),
  );
  await queue.send(jobs);
  return jobs;
}
