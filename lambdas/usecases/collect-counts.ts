/**
 * Use case: gather the counts of the newest closed buckets from every source of every
 * service and write them. Steps:
 * 1. Pick the last closed bucket and the few before it (late items are re-counted; the
 *    write is a SET, so re-counting is harmless).
 * 2. Ask every source of every service, at most `concurrency` at a time, each within a
 *    deadline, so a slow or failing source never blocks the others.
 * 3. Write each count; a source that failed or had no data leaves a gap.
 * 4. Record each source's health.
 */
import { lastClosedBucket, MINUTE_MS } from "../domain/buckets";
import type { Config } from "../domain/config";
import type { SeriesStore, SourceHealthStore } from "../domain/ports";
import type { CountSource } from "../sources/count-source";

/** What collecting needs. */
export interface CollectDependencies {
  config: Config;
  series: SeriesStore;
  health: SourceHealthStore;
  sourcesFor: (serviceId: string) => CountSource[];
  /** How long one source may take for one bucket before it counts as failed. */
  sourceDeadlineMs?: number;
}

/** What one collect tick did. */
export interface CollectResult {
  bucketStart: number;
  /** service id → combined count of the newest bucket (null: every source missing) */
  latest: Record<string, number | null>;
  failures: { service: string; source: string; error: string }[];
}

/** Buckets re-counted behind the newest closed one, for items that arrive late. */
export const LOOK_BACK_BUCKETS = 2;
/** Default deadline of one source read: well inside the function's 50 s timeout. */
export const SOURCE_DEADLINE_MS = 10_000;
const CONCURRENCY = 16;

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Runs `tasks` with at most `limit` in flight. */
async function runBounded(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * Collects the counts of the buckets that have closed at `nowMs`.
 * @example await collectCounts(deps, Date.parse(event.time));
 */
export async function collectCounts(
  deps: CollectDependencies,
  nowMs: number,
): Promise<CollectResult> {
  const { bucketMinutes } = deps.config;
  const newest = lastClosedBucket(nowMs, bucketMinutes);
  const buckets = Array.from(
    { length: LOOK_BACK_BUCKETS + 1 },
    (_, i) => newest - (LOOK_BACK_BUCKETS - i) * bucketMinutes * MINUTE_MS,
  );
  const result: CollectResult = { bucketStart: newest, latest: {}, failures: [] };
  const tasks: (() => Promise<void>)[] = [];
  for (const service of deps.config.services) {
    result.latest[service.id] = null;
    for (const source of deps.sourcesFor(service.id)) {
      tasks.push(async () => {
        try {
          for (const bucket of buckets) {
            const count = await withDeadline(
              source.count(bucket, bucketMinutes),
              deps.sourceDeadlineMs ?? SOURCE_DEADLINE_MS,
              `source ${service.id}/${source.id}`,
            );
            if (count === null) continue;
            await deps.series.putCount(service.id, source.id, bucket, count);
            if (bucket === newest) {
              result.latest[service.id] = (result.latest[service.id] ?? 0) + source.weight * count;
            }
          }
          await deps.health.recordSuccess(service.id, source.id, nowMs);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          result.failures.push({ service: service.id, source: source.id, error: message });
          await deps.health.recordFailure(service.id, source.id, nowMs, message);
        }
      });
    }
  }
  await runBounded(tasks, CONCURRENCY);
  return result;
}
