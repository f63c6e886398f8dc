/**
 * Use case: hand out one detect tick's work as shard jobs. Steps:
 * 1. Fix the bucket every shard works through, so that all agree on it.
 * 2. Split the configured services into shards of at most `shards.services`
 *    (`domain/shards.ts`) and send one job per shard to the queue.
 * 3. Deliver what an earlier tick left due but never delivered (a tick whose last shard
 *    failed does not finish): notifications never wait on a broken shard.
 */
import { MINUTE_MS } from "../domain/buckets";
import type { OutboxStore, ShardQueue } from "../domain/ports";
import { type ShardJob, shardCount, tickJobs } from "../domain/shards";
import { type DeliveryResult, deliverPending } from "./deliver-notifications";
import { type DetectDependencies, tickThrough } from "./detect-incidents";

/** What handing out a detect tick did. */
export interface DetectDispatch {
  jobs: ShardJob[];
  /** What was delivered of the messages earlier ticks left. */
  delivery: DeliveryResult;
}

/**
 * The outbox as seen by a tick that delivers only what earlier ticks left: messages
 * recorded at least a schedule period before `cutoff`. Younger ones are the current
 * tick's, which its last shard delivers (together, so that a group goes out as one).
 */
function leftBefore(outbox: OutboxStore, cutoff: number): OutboxStore {
  const older: OutboxStore = Object.create(outbox);
  older.due = async (nowMs, limit) =>
    (await outbox.due(nowMs, limit)).filter((entry) => entry.message.createdAt <= cutoff);
  return older;
}

/**
 * Hands out the detect shards of the tick at `nowMs`, and delivers what earlier ticks
 * left undelivered.
 * @example await dispatchDetect(deps.detect, queue, Date.parse(event.time));
 */
export async function dispatchDetect(
  deps: DetectDependencies,
  queue: ShardQueue,
  nowMs: number,
): Promise<DetectDispatch> {
  const { config } = deps;
  const through = await tickThrough(deps, nowMs);
  const count = shardCount(config.services.length, config.shards.services);
  const jobs = tickJobs("detect", nowMs, count, through);
  await queue.send(jobs);
  const cutoff = nowMs - config.scheduleMinutes * MINUTE_MS;
  const delivery = await deliverPending(
    leftBefore(deps.outbox, cutoff),
    deps.deliverer,
    deps.now(),
  );
  return { jobs, delivery };
}
