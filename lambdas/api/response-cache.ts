/**
 * Answers of the live read routes, kept in memory under the data version every tick
 * bumps (see `ProgressStore.dataVersion`). Between ticks nothing those routes show can
 * change, so during an outage, when thousands of people load the same chart, one store
 * query serves them all; the first tick after it makes every entry unreachable. Requests
 * that arrive while an answer is being made wait for it instead of making it again.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** Entries kept at most; the oldest goes first. */
const MAX_ENTRIES = 256;

/** A bounded map of answers by key, filled once per key however many ask at once. */
export class ResponseCache {
  private readonly entries = new Map<string, Promise<APIGatewayProxyStructuredResultV2>>();
  private versionRead: Promise<number> | undefined;

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /**
   * The cached answer for `key`, or the one `make` produces (cached only when it is a
   * 200; errors and other statuses are not kept).
   */
  async get(
    key: string,
    make: () => Promise<APIGatewayProxyStructuredResultV2>,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const cached = this.entries.get(key);
    if (cached) {
      // Most recently used goes last, so eviction takes the least recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const made = make();
    this.entries.set(key, made);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    try {
      const result = await made;
      if (result.statusCode !== 200) this.entries.delete(key);
      return result;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
  }

  /**
   * The data version, read once for every request that asks while a read is under way
   * (a burst of requests makes one store read, not one each).
   */
  version(read: () => Promise<number>): Promise<number> {
    if (!this.versionRead) {
      this.versionRead = read().finally(() => {
        this.versionRead = undefined;
      });
    }
    return this.versionRead;
  }

  /** Entries held now (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
