/**
 * What every source test needs: a request as collect makes it, the seen-items contract in
 * memory, recorded payloads, a fixture server started once per file, and the HTTP faults
 * every source reading a document must survive or fail on clearly.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CountSource, SourceReading, SourceRequest } from "../../lambdas/domain/count-source";
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

/** What {@link describeHttpFaults} needs to serve faults on one document a source reads. */
export interface HttpFaultOptions {
  /** The file's fixture server (from {@link useFixtureServer}). */
  server: FixtureServer;
  /** The document's path; every failure must name it, as part of the URL. */
  path: string;
  /** The document as a healthy server answers it; `body` is text, put into bytes by `encode`. */
  healthy: { headers: Record<string, string>; body: string };
  /** A fresh source reading from the fixture server. */
  source: () => CountSource;
  /** The request the file's reads make, with `overrides`. */
  request: (overrides?: Partial<SourceRequest>) => SourceRequest;
  /** What a read gives once the 500 and the 429 are passed: its counts, and how many stated incidents and annotations when given. */
  expected: { counts: (number | null)[]; stated?: number; annotations?: number };
  /** Requests a read makes to the source's other documents (none unless given). */
  otherRequests?: number;
  /** The most bytes the source reads of the document; the 2 MiB general cap unless given. */
  maxBytes?: number;
  /** The bytes of a body's text in the charset `healthy.headers` declare; UTF-8 unless given. */
  encode?: (text: string) => string | Buffer;
  /**
   * Whether UTF-8 bytes declared as UTF-16 fail the read (true unless given); false for a
   * source that tells the encoding by the bytes, whose own tests cover its decoding.
   */
  honoursCharset?: boolean;
}

/** `text` as a pattern matching it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Registers, in a `describe` of its own, the HTTP faults every document a source reads is
 * tested with: a 500 and a 429 with Retry-After retried and waited out, a 500 that
 * persists, a server hanging past the read's deadline, garbage claiming to be JSON, an
 * HTML page, an oversized body and a body in another charset than declared. Each failure
 * must name the document's URL. Call it inside the file's "over HTTP" `describe`; keep
 * the faults only one kind of source has in its own file.
 */
export function describeHttpFaults(options: HttpFaultOptions): void {
  const { server, path, healthy, source, request, expected } = options;
  const encode = options.encode ?? ((text: string) => text);
  const healthyResponse = () => ({ headers: healthy.headers, body: encode(healthy.body) });
  const naming = (what: string) => new RegExp(`${literally(path)}.*${what}`);

  /** Asserts `reading` is the healthy read after `requests` requests to the path. */
  function expectReadAfter(reading: SourceReading, requests: number) {
    expect(reading.counts).toEqual(expected.counts);
    if (expected.stated !== undefined) expect(reading.stated).toHaveLength(expected.stated);
    if (expected.annotations !== undefined) {
      expect(reading.annotations).toHaveLength(expected.annotations);
    }
    expect(server.requests.filter((r) => r.path === path)).toHaveLength(requests);
    expect(server.requests).toHaveLength(requests + (options.otherRequests ?? 0));
  }

  describe(`faults on ${path}`, () => {
    it("retries a 500", async () => {
      // Prepare
      server.route(path, { status: 500, body: "upstream error" }, healthyResponse());

      // Act
      const reading = await source().read(request());

      // Assess
      expectReadAfter(reading, 2);
    });

    it("waits out a 429 with Retry-After, then reads", async () => {
      // Prepare
      server.route(path, { status: 429, headers: { "retry-after": "1" } }, healthyResponse());
      const started = Date.now();

      // Act
      const reading = await source().read(request());

      // Assess
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expectReadAfter(reading, 2);
    });

    it("retries a 500, and waits out a 429 with Retry-After", async () => {
      // Prepare
      server.route(
        path,
        { status: 500, body: "upstream error" },
        { status: 429, headers: { "retry-after": "1" } },
        healthyResponse(),
      );
      const started = Date.now();

      // Act
      const reading = await source().read(request());

      // Assess
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expectReadAfter(reading, 3);
    });

    it("fails, retryable and naming the URL, when the 500s do not stop", async () => {
      // Prepare
      server.route(path, { status: 500, body: "upstream error" });

      // Act / Assess
      await expect(source().read(request())).rejects.toMatchObject({
        retryable: true,
        message: expect.stringMatching(naming("500")),
      });
    });

    it("stops when the read's deadline passes on a server that hangs", async () => {
      // Prepare
      server.route(path, { ...healthyResponse(), delayMs: 3_000 });
      const started = Date.now();

      // Act
      const read = source().read(request({ signal: AbortSignal.timeout(200) }));

      // Assess
      await expect(read).rejects.toThrow(naming("deadline passed"));
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it("fails on garbage that claims to be JSON", async () => {
      // Prepare
      server.route(path, { headers: healthy.headers, body: encode("\u0000\u00ffgarbage{{[[") });

      // Act / Assess
      await expect(source().read(request())).rejects.toThrow(naming("not valid JSON"));
    });

    it("fails on an HTML page served with 200", async () => {
      // Prepare
      server.route(path, {
        headers: { "content-type": "text/html; charset=utf-8" },
        body: "<html><body>Sign in</body></html>",
      });

      // Act / Assess
      await expect(source().read(request())).rejects.toThrow(naming("text/html"));
    });

    it("fails on an oversized body without reading it whole", async () => {
      // Prepare: JSON text 1 MiB above the cap
      const cap = options.maxBytes ?? 2 * 1024 * 1024;
      const huge = JSON.stringify({ padding: "x".repeat(cap + 1024 * 1024) });
      server.route(path, { headers: healthy.headers, body: encode(huge) });

      // Act / Assess
      await expect(source().read(request())).rejects.toMatchObject({
        reason: "too-large",
        message: expect.stringMatching(naming("limit")),
      });
    });

    if (options.honoursCharset === false) return;
    it("fails on a body in another charset than it declares", async () => {
      // Prepare: UTF-8 bytes declared as UTF-16
      server.route(path, {
        headers: { "content-type": "application/json; charset=utf-16" },
        body: healthy.body,
      });

      // Act / Assess
      await expect(source().read(request())).rejects.toThrow(naming("not valid JSON"));
    });
  });
}
