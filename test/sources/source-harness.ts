/**
 * What every source test needs: a request as collect makes it, the seen-items contract in
 * memory, recorded payloads, and a fixture server started once per file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import type { SeenItemsStore } from "../../lambdas/domain/ports";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";

/** Epoch ms of an ISO time. */
export const at = (iso: string) => Date.parse(iso);

/** A recorded payload from `test/fixtures/<folder>/<name>`. */
export function fixture(folder: string, name: string): string {
  return readFileSync(join(import.meta.dirname, "..", "fixtures", folder, name), "utf8");
}

/**
 * Three 5-minute buckets ending at `lastBucket`, read a minute after the last one
 * closed, as the collect step asks.
 */
export function sourceRequest(
  lastBucket: string,
  overrides: Partial<SourceRequest> = {},
): SourceRequest {
  const last = at(lastBucket);
  const width = 5 * 60_000;
  return {
    buckets: [last - 2 * width, last - width, last],
    bucketMinutes: 5,
    nowMs: last + width + 60_000,
    signal: new AbortController().signal,
    memory: null,
    ...overrides,
  };
}

/** The seen-items contract in memory: a set per service, source and bucket. */
export class MemorySeenItems implements SeenItemsStore {
  readonly sets = new Map<string, Set<string>>();

  async add(service: string, source: string, bucket: number, ids: readonly string[]) {
    const key = `${service}#${source}#${bucket}`;
    const set = this.sets.get(key) ?? new Set<string>();
    for (const id of ids) set.add(id);
    this.sets.set(key, set);
    return set.size;
  }

  async addOnce(
    service: string,
    source: string,
    idsByBucket: ReadonlyMap<number, readonly string[]>,
  ) {
    const setOf = (bucket: number) => this.sets.get(`${service}#${source}#${bucket}`);
    const held = new Set([...idsByBucket.keys()].flatMap((bucket) => [...(setOf(bucket) ?? [])]));
    const counts = new Map<number, number>();
    for (const [bucket, ids] of idsByBucket) {
      counts.set(
        bucket,
        await this.add(
          service,
          source,
          bucket,
          ids.filter((id) => !held.has(id)),
        ),
      );
    }
    return counts;
  }
}

/**
 * A fixture server for the whole test file, started before its tests, closed after
 * them, its recorded requests forgotten before each; call at the top level of the file.
 * @example const server = useFixtureServer(); // then server.route(...), server.url
 */
export function useFixtureServer(): FixtureServer {
  let current: FixtureServer | undefined;
  beforeAll(async () => {
    current = await startFixtureServer();
  });
  afterAll(async () => current?.close());
  beforeEach(() => {
    if (current) current.requests.length = 0;
  });
  return new Proxy({} as FixtureServer, {
    get(_target, property) {
      if (!current) throw new Error("the fixture server has not started");
      const value = Reflect.get(current, property);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}
