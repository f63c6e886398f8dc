/**
 * The queue side of collect and detect: each SQS record is one shard job (batch size 1 in
 * the stack, but any batch is handled). A job is done under a lease of its own shard, so
 * a message SQS delivers twice never runs twice at once; a message that has waited in the
 * queue {@link STALE_AFTER_MS} or more is dropped, since later ticks have covered its
 * buckets (a backlog must not keep workers on old ticks); a job that fails
 * is reported in `batchItemFailures`, so SQS delivers only it again and, after its
 * receive limit, moves it to the dead-letter queue, while the other shards go on.
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { TickLeaseStore } from "../domain/ports";
import { parseJobBody, type ShardJob, type ShardJobKind } from "../domain/shards";
import { logger } from "./logger";

/** A message that waited this long is dropped: later ticks have covered its buckets. */
export const STALE_AFTER_MS = 5 * 60_000;

/** What one batch of shard jobs did. */
export interface ShardBatchResult<R> extends SQSBatchResponse {
  /** The result of each job that ran. */
  results: R[];
  /** Jobs not run: stale, or another worker holds their shard. */
  skipped: { job: ShardJob; why: string }[];
  /** Why each failed record failed (also logged). */
  errors: { messageId: string; job?: ShardJob; error: string }[];
}

/** True when Lambda's event is a batch of SQS messages (else it is a scheduled tick). */
export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as Partial<SQSEvent> | null)?.Records;
  return Array.isArray(records) && records.every((r) => r?.eventSource === "aws:sqs");
}

/**
 * Runs each job of `event` of `kind` with `run`, under the lease `<kind>#<shard>`.
 * @example return runShardJobs(event, context, "collect", leases, Date.now, (job) => collect(job));
 */
export async function runShardJobs<R>(
  event: SQSEvent,
  context: Context,
  kind: ShardJobKind,
  leases: () => TickLeaseStore,
  now: () => number,
  run: (job: ShardJob) => Promise<R>,
): Promise<ShardBatchResult<R>> {
  const result: ShardBatchResult<R> = {
    batchItemFailures: [],
    results: [],
    skipped: [],
    errors: [],
  };
  for (const record of event.Records) {
    const fail = (error: unknown, job?: ShardJob) => {
      const message = error instanceof Error ? error.message : String(error);
      logger.error(`${kind} shard failed; SQS delivers it again`, {
        messageId: record.messageId,
        ...(job ? { shard: job.shard.index, shards: job.shard.count } : {}),
        error: message,
      });
      result.batchItemFailures.push({ itemIdentifier: record.messageId });
      result.errors.push({ messageId: record.messageId, ...(job ? { job } : {}), error: message });
    };
    let job: ShardJob;
    try {
      job = parseJobBody(record.body);
      if (job.kind !== kind) throw new Error(`a ${job.kind} job reached the ${kind} queue`);
    } catch (error) {
      fail(error);
      continue;
    }
    const at = now();
    const sentAt = Number(record.attributes?.SentTimestamp);
    if (Number.isFinite(sentAt) && at - sentAt >= STALE_AFTER_MS) {
      result.skipped.push({ job, why: "stale: later ticks have covered it" });
      continue;
    }
    const name = `${kind}#${job.shard.index}`;
    const holder = `${context.awsRequestId}/${record.messageId}`;
    if (!(await leases().acquire(name, holder, at, at + context.getRemainingTimeInMillis()))) {
      result.skipped.push({ job, why: `another worker holds shard ${job.shard.index}` });
      continue;
    }
    try {
      result.results.push(await run(job));
    } catch (error) {
      fail(error, job);
    } finally {
      await leases().release(name, holder);
    }
  }
  return result;
}
