/**
 * Answers of the live read routes, kept in memory under the data version every tick
 * bumps (see `ProgressStore.dataVersion`). Between ticks nothing those routes show can
 * change, so during an outage, when thousands of people load the same chart, one store
 * query serves them all; the first tick after it makes every entry unreachable. Requests
 * that arrive while an answer is being made wait for it instead of making it again.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** Entries kept at most; the least recently used goes first. */
const MAX_ENTRIES = 256;
/** Body characters kept at most (about 32 MB), whatever the number of entries. */
const MAX_CHARS = 32 * 1024 * 1024;

interface Entry {
  answer: Promise<APIGatewayProxyStructuredResultV2>;
  /** Body length once known (0 while being made). */
  chars: number;
}

/**
 * A bounded map of answers by key for one data version at a time, filled once per key
 * however many ask at once.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private heldVersion: number | undefined;
  private chars = 0;
  private versionRead: Promise<number> | undefined;

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxChars = MAX_CHARS,
  ) {}

  /**
   * The cached answer for `key` under data `version`, or the one `make` produces (kept
   * only when it is a 200; errors and other statuses are not). A newer version drops
   * every entry of the older one at once.
   */
  async get(
    version: number,
    key: string,
    make: () => Promise<APIGatewayProxyStructuredResultV2>,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    if (version !== this.heldVersion) {
      // An older version's entries can never be asked for again.
      this.entries.clear();
      this.chars = 0;
      this.heldVersion = version;
    }
    const cached = this.entries.get(key);
    if (cached) {
      // Most recently used goes last, so eviction takes the least recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.answer;
    }
    const entry: Entry = { answer: make(), chars: 0 };
    this.entries.set(key, entry);
    try {
      const result = await entry.answer;
      if (result.statusCode !== 200) this.remove(key, entry);
      else if (this.entries.get(key) === entry) {
        entry.chars = result.body?.length ?? 0;
        this.chars += entry.chars;
      }
      this.evict();
      return result;
    } catch (error) {
      this.remove(key, entry);
      throw error;
    }
  }

  /** Drops least recently used entries until both bounds hold. */
  private evict(): void {
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
      const [oldest, entry] = this.entries.entries().next().value ?? [];
      if (oldest === undefined || entry === undefined) return;
      this.remove(oldest, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.chars -= entry.chars;
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
