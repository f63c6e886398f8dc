/**
 * Shards: how one tick's work on every service is split so that no invocation's share
 * grows with the number of services. A tick hands out one job per shard (a queue message
 * in AWS, an in-process task locally); a shard is a contiguous, balanced slice of the
 * configured services, so every service lies in exactly one shard of a tick however many
 * there are, and a worker finds its services from the job alone.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { parseIso, toIso } from "./buckets";
import { OutcryError } from "./outcry-error";

/** One shard of a tick: the `index`-th of `count`. */
export interface ShardRef {
  index: number;
  count: number;
}

/** The whole of the services as one shard (a single-process run, or a small config). */
export const WHOLE: ShardRef = { index: 0, count: 1 };

/** The two kinds of work a tick hands out. */
export type ShardJobKind = "collect" | "detect";

/** What one shard worker is asked to do. */
export interface ShardJob {
  kind: ShardJobKind;
  /** The tick's scheduled time, epoch ms: the same for every shard of the tick. */
  at: number;
  shard: ShardRef;
  /**
   * detect only: the newest bucket every shard of the tick works through, fixed when the
   * tick is handed out so that all shards agree on it.
   */
  through?: number;
}

/** Shards needed for `services` services at most `perShard` each (at least one). */
export function shardCount(services: number, perShard: number): number {
  return Math.max(1, Math.ceil(services / perShard));
}

/**
 * The services of `shard`: a balanced contiguous slice (sizes differ by at most one).
 * @example servicesOf(config.services, { index: 2, count: 50 });
 */
export function servicesOf<T>(services: readonly T[], shard: ShardRef): T[] {
  const from = Math.floor((shard.index * services.length) / shard.count);
  const to = Math.floor(((shard.index + 1) * services.length) / shard.count);
  return services.slice(from, to);
}

/**
 * What tells one list of a shard's services from another: the same ids in the same order
 * give the same value, and any service added, removed or moved across shards (a config
 * change) gives another, so what was noted of a shard's services is never taken for
 * another list's.
 * @example shardFingerprint(servicesOf(config.services, shard).map((s) => s.id));
 */
export function shardFingerprint(serviceIds: readonly string[]): string {
  // Ids cannot hold a newline, so joining on one keeps every list distinct.
  return createHash("sha256").update(serviceIds.join("\n")).digest("base64url").slice(0, 22);
}

/** The golden ratio's fraction: successive multiples spread evenly over [0, 1). */
const GOLDEN = 0.618_033_988_749_895;

/**
 * `items` started at a place that moves each tick by the golden ratio of their number, so
 * that when a shard runs out of time the ones it did not reach differ from tick to tick
 * and come first soon after: successive starts fall evenly around the list, and a
 * shard that reaches most of its services reaches every one within a tick or two.
 */
export function rotated<T>(items: readonly T[], tick: number): T[] {
  if (items.length === 0) return [];
  const turn = (tick * GOLDEN) % 1;
  const offset = Math.floor((turn < 0 ? turn + 1 : turn) * items.length) % items.length;
  return [...items.slice(offset), ...items.slice(0, offset)];
}

/** The jobs of one tick: one per shard. */
export function tickJobs(
  kind: ShardJobKind,
  at: number,
  count: number,
  through?: number,
): ShardJob[] {
  return Array.from({ length: count }, (_, index) => ({
    kind,
    at,
    shard: { index, count },
    ...(through === undefined ? {} : { through }),
  }));
}

const isoTime = z
  .string()
  .check(
    z.refine((text) => !Number.isNaN(parseIso(text)), { message: "must be an ISO 8601 time" }),
  );

/** A job as it travels in a queue message. */
const JobBodySchema = z
  .strictObject({
    kind: z.enum(["collect", "detect"]),
    at: isoTime,
    shard: z.int().check(z.minimum(0)),
    shards: z.int().check(z.minimum(1)),
    through: z.optional(isoTime),
  })
  .check(
    z.refine((body) => body.shard < body.shards, {
      message: "must be below shards",
      path: ["shard"],
    }),
  );

/** A queue message that is not a job: it can never succeed, so it is not retried as one. */
export class ShardJobError extends OutcryError {
  constructor(message: string) {
    super(message, { retryable: false });
    this.name = "ShardJobError";
  }
}

/** The message body that carries `job`. */
export function jobBody(job: ShardJob): string {
  return JSON.stringify({
    kind: job.kind,
    at: toIso(job.at),
    shard: job.shard.index,
    shards: job.shard.count,
    ...(job.through === undefined ? {} : { through: toIso(job.through) }),
  });
}

/** Reads a message body written by {@link jobBody}; throws {@link ShardJobError} naming the field. */
export function parseJobBody(body: string): ShardJob {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new ShardJobError("the message is not JSON; expected a shard job");
  }
  const parsed = JobBodySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(body)";
    throw new ShardJobError(`the shard job's ${field} ${issue?.message ?? "is invalid"}`);
  }
  const { kind, at, shard, shards, through } = parsed.data;
  return {
    kind,
    at: parseIso(at),
    shard: { index: shard, count: shards },
    ...(through === undefined ? {} : { through: parseIso(through) }),
  };
}
