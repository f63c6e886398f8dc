/**
 * Use case: gather the counts of the newest closed buckets from every source of every
 * service and write them. Steps:
 * 1. Pick the last closed bucket and the few before it (late items are re-counted; the
 *    write is a SET, so re-counting is harmless).
 * 2. Ask every source of every service for all those buckets in one read, at most
 *    `CONCURRENCY` at a time, each within a deadline that also aborts its requests, so a
 *    slow or failing source never blocks the others. No read runs past the tick's own
 *    time budget (the function's timeout less a margin): a source not reached in time is
 *    a failure of this tick, and its buckets are re-counted by the next.
 * 3. Write each count that differs from what the last success wrote of that bucket (the
 *    look-back buckets are mostly read again unchanged, and a write costs five times a
 *    read); a source that had no data for a bucket leaves a gap there. Store the
 *    annotations it returned, and what changed in the incidents its provider states
 *    (`domain/stated-changes.ts`). A source of weight above 0 that failed (an error, its
 *    deadline, or the tick's time running out) marks the buckets it should have written
 *    and has no count in as failed for it, so a total without it reads as partial, not
 *    as a fall; its next count of such a bucket clears the mark. A source that read
 *    nothing writes 0 (crowd reports, feeds) or null, never a mark.
 * 4. Record each source's health, with what it asked to remember for next time and what
 *    was written, unless nothing of it changed (a success after a success, the same
 *    memory, the same buckets written: `lastSuccessAt` then moves a bucket at a time). A failure
 *    is recorded as its public class (`classifySourceFailure`); its message, which names
 *    URLs and what servers said, is in the result for the logs only.
 * 5. Mark this shard done; the last shard of the tick to finish marks the newest bucket
 *    collected, so detect can work on it at once.
 *
 * A tick's services are split into shards (`domain/shards.ts`), each collected by its own
 * invocation; this use case collects one shard (by default the whole). Its services are
 * read starting at a place that moves each tick, so when a shard runs out of time it is
 * not always the same services that wait.
 */
import type { SourceFailure, SourceFailureReason } from "../../contract/source-failure";
import { LOOK_BACK_BUCKETS, lastClosedBucket, MINUTE_MS } from "../domain/buckets";
import type { Config } from "../domain/config";
import type { CountSource, SourceReading } from "../domain/count-source";
import { OutcryError } from "../domain/outcry-error";
import type {
  AnnotationStore,
  ProgressStore,
  SeriesStore,
  ShardProgressStore,
  SourceHealth,
  SourceHealthStore,
  StatedIncidentStore,
} from "../domain/ports";
import { rotated, type ShardRef, servicesOf, WHOLE } from "../domain/shards";
import { classifySourceFailure } from "../domain/source-failure-class";
import { statedChanges } from "../domain/stated-changes";
import { runBounded } from "./run-bounded";

/** What collecting needs. */
export interface CollectDependencies {
  config: Config;
  series: SeriesStore;
  health: SourceHealthStore;
  annotations: AnnotationStore;
  /** The incidents providers' sources state; without it, what they state is not kept. */
  stated?: StatedIncidentStore;
  progress: ProgressStore;
  /** Which shards of a tick are done. */
  shards: ShardProgressStore;
  sourcesFor: (serviceId: string) => CountSource[];
  /** How long one source read may take before it counts as failed. */
  sourceDeadlineMs?: number;
}

/** Limits of one tick. */
export interface CollectBudget {
  /** Epoch ms by which every read must be over (e.g. the function's timeout less a margin). */
  finishBy?: number;
  /** Clock for the budget (real time even when `nowMs` is a scheduled or virtual time). */
  clock?: () => number;
  /** The shard of the tick's services to collect (default: all of them). */
  shard?: ShardRef;
}

/** What one collect tick did. */
export interface CollectResult {
  bucketStart: number;
  /** The shard collected. */
  shard: ShardRef;
  /** True when this shard was the last of its tick to finish (the bucket is now collected). */
  tickComplete: boolean;
  /** service id → combined count of the newest bucket (null: every source missing) */
  latest: Record<string, number | null>;
  /**
   * Each source that failed, with the full message (for the logs and the local runtime's
   * tick lines, never for a public answer) and the class its health records.
   */
  failures: ({ service: string; source: string; error: string } & SourceFailure)[];
}

/**
 * Default deadline of one source read. Public feeds answer in well under a second; a
 * source that hangs costs the tick no more than this (its requests are aborted).
 */
export const SOURCE_DEADLINE_MS = 4_000;
/** Source reads in flight at once: they wait on the network, not the CPU. */
const CONCURRENCY = 32;
/** A read is not started with less time than this left in the tick. */
const MIN_READ_MS = 250;

/** A source not read in time: its deadline passed, or the tick had no time left for it. */
class SourceOutOfTime extends OutcryError {
  readonly reason: SourceFailureReason = "timeout";

  constructor(message: string) {
    super(message, { retryable: true });
    this.name = "SourceOutOfTime";
  }
}

/** Fails after `ms`, and aborts the source's requests so nothing keeps running. */
function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  controller: AbortController,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new SourceOutOfTime(`${what} gave no answer within ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** A split as text, its keys sorted. */
function splitMark(split: Readonly<Record<string, number>>): string {
  return Object.keys(split)
    .sort()
    .map((key) => `${key}=${split[key]}`)
    .join(",");
}

/** What identifies a written count: the count and its splits by kind and by region. */
function writeMark(
  count: number,
  breakdown?: Readonly<Record<string, number>>,
  regions?: Readonly<Record<string, number>>,
): string {
  let mark = breakdown ? `${count}|${splitMark(breakdown)}` : String(count);
  if (regions) mark += `|@${splitMark(regions)}`;
  return mark;
}

/** True when two plain records hold the same entries. */
function sameJson(
  a: Readonly<Record<string, unknown>> | null,
  b: Readonly<Record<string, unknown>> | null,
): boolean {
  if (a === null || b === null) return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Checks what a source returned, so a faulty adapter fails loudly rather than writes junk. */
function checkReading(reading: SourceReading, buckets: readonly number[], what: string): void {
  if (!Array.isArray(reading?.counts) || reading.counts.length !== buckets.length) {
    throw new Error(
      `${what} returned ${reading?.counts?.length ?? "no"} counts for ${buckets.length} buckets`,
    );
  }
  for (const count of reading.counts) {
    if (count !== null && !(Number.isFinite(count) && count >= 0)) {
      throw new Error(`${what} returned the count ${count}; counts are numbers from 0 up, or null`);
    }
  }
}

/**
 * Collects the counts of the buckets that have closed at `nowMs`.
 * @example await collectCounts(deps, Date.parse(event.time));
 */
export async function collectCounts(
  deps: CollectDependencies,
  nowMs: number,
  budget: CollectBudget = {},
): Promise<CollectResult> {
  const clock = budget.clock ?? Date.now;
  const { bucketMinutes } = deps.config;
  const newest = lastClosedBucket(nowMs, bucketMinutes);
  // The late items' look-back, and every bucket closed since the previous tick, even on a
  // slow schedule.
  const lookBack = Math.max(
    LOOK_BACK_BUCKETS,
    Math.ceil(deps.config.scheduleMinutes / bucketMinutes),
  );
  const buckets = Array.from(
    { length: lookBack + 1 },
    (_, i) => newest - (lookBack - i) * bucketMinutes * MINUTE_MS,
  );
  const deadline = deps.sourceDeadlineMs ?? SOURCE_DEADLINE_MS;
  const shard = budget.shard ?? WHOLE;
  const result: CollectResult = {
    bucketStart: newest,
    shard,
    tickComplete: false,
    latest: {},
    failures: [],
  };
  // What this run's reads share (the crowd-report markers of the shard: one read for all).
  const sharedLoads = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let loaded = sharedLoads.get(key) as Promise<T> | undefined;
    if (!loaded) {
      loaded = load();
      sharedLoads.set(key, loaded);
    }
    return loaded;
  };
  const readSource = async (
    serviceId: string,
    source: CountSource,
    healthOf: (sourceId: string) => Promise<SourceHealth | null>,
  ) => {
    const what = `source ${serviceId}/${source.id}`;
    const controller = new AbortController();
    try {
      const health = await healthOf(source.id);
      const memory = health?.memory ?? null;
      const left = budget.finishBy === undefined ? deadline : budget.finishBy - clock();
      if (left < MIN_READ_MS) {
        throw new SourceOutOfTime(`${what} was not read: the tick ran out of time`);
      }
      const allowed = Math.min(deadline, left);
      const reading = await withDeadline(
        source.read({
          buckets,
          bucketMinutes,
          nowMs,
          signal: controller.signal,
          deadlineAt: clock() + allowed,
          memory,
          shared,
        }),
        allowed,
        what,
        controller,
      );
      checkReading(reading, buckets, what);
      const written: Record<string, string> = {};
      for (const [i, count] of reading.counts.entries()) {
        const bucket = buckets[i];
        if (count === null || count === undefined || bucket === undefined) continue;
        const breakdown = reading.breakdowns?.[i] ?? undefined;
        // No region told is no split at all: nothing stored, and the written mark of a
        // source that never tells regions stays what it was.
        const told = reading.regions?.[i];
        const regions = told && Object.keys(told).length > 0 ? told : undefined;
        const mark = writeMark(count, breakdown, regions);
        written[String(bucket)] = mark;
        if (health?.written?.[String(bucket)] !== mark) {
          await deps.series.putCount(serviceId, source.id, bucket, count, breakdown, regions);
        }
        if (bucket === newest) {
          result.latest[serviceId] = (result.latest[serviceId] ?? 0) + source.weight * count;
        }
      }
      for (const annotation of reading.annotations ?? []) {
        await deps.annotations.put({ ...annotation, service: serviceId, source: source.id });
      }
      let remember = reading.memory;
      if (deps.stated) {
        const changes = statedChanges(memory, reading.stated, reading.memory);
        if (changes.started.length > 0 || changes.ended.length > 0) {
          await deps.stated.record(serviceId, source.id, changes.started, changes.ended, nowMs);
        }
        remember = changes.memory;
      }
      const unchanged =
        health !== null &&
        health.consecutiveFailures === 0 &&
        health.lastSuccessAt !== null &&
        (remember === undefined || sameJson(remember, health.memory)) &&
        sameJson(written, health.written ?? null);
      if (!unchanged) {
        await deps.health.recordSuccess(serviceId, source.id, nowMs, remember, written);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failure = classifySourceFailure(error);
      result.failures.push({ service: serviceId, source: source.id, error: message, ...failure });
      // A source of weight 0 is in no total, so its failure leaves no bucket partial.
      const marked =
        source.weight > 0 ? await markFailed(serviceId, source.id, healthOf) : undefined;
      // A store that fails here too must not fail the other sources' reads.
      await deps.health
        .recordFailure(serviceId, source.id, nowMs, failure, marked)
        .catch(() => undefined);
    }
  };
  /**
   * Marks the buckets a failed read should have written as failed for its source, and
   * returns the buckets of this tick marked since the source's last success (undefined
   * when marking failed: the record keeps what it had, and the next tick marks again).
   * A bucket the last success wrote has the source's count and needs no mark; one marked
   * by an earlier failure is not marked again (the store's condition would refuse the
   * first, and the second changes nothing, but each costs a write).
   */
  const markFailed = async (
    serviceId: string,
    sourceId: string,
    healthOf: (sourceId: string) => Promise<SourceHealth | null>,
  ): Promise<string[] | undefined> => {
    try {
      const health = await healthOf(sourceId).catch(() => null);
      const before = new Set(health?.marked ?? []);
      const fresh = buckets.filter(
        (bucket) => !before.has(String(bucket)) && health?.written?.[String(bucket)] === undefined,
      );
      await deps.series.markFailed(serviceId, sourceId, fresh);
      return buckets
        .filter((bucket) => before.has(String(bucket)) || fresh.includes(bucket))
        .map(String);
    } catch {
      return undefined;
    }
  };
  const tasks: (() => Promise<void>)[] = [];
  const services = servicesOf(deps.config.services, shard);
  for (const service of rotated(services, Math.floor(nowMs / MINUTE_MS))) {
    result.latest[service.id] = null;
    const sources = deps.sourcesFor(service.id);
    // One read of the service's health gives every source what it remembered.
    let healths: Promise<Map<string, SourceHealth>> | undefined;
    const healthOf = async (sourceId: string) => {
      healths ??= deps.health
        .list(service.id)
        .then((list) => new Map(list.map((h) => [h.source, h])));
      return (await healths).get(sourceId) ?? null;
    };
    for (const source of sources) {
      tasks.push(() => readSource(service.id, source, healthOf));
    }
  }
  await runBounded(tasks, CONCURRENCY);
  // Every source of this shard has had its turn (a failed one is a gap). When every shard
  // of the tick has, detect may take the bucket.
  const tally = await deps.shards.markDone("collect", nowMs, shard);
  result.tickComplete = tally.complete;
  if (tally.complete) {
    await deps.progress.markCollected(newest);
    // Counts, health and annotations may have changed: cached API answers start afresh.
    await deps.progress.markChanged();
  }
  return result;
}
