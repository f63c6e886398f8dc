/**
 * Answers of the live read routes, kept in memory under the data version every tick
 * bumps (see `ProgressStore.dataVersion`). Between ticks nothing those routes show can
 * change, so during an outage, when thousands of people load the same chart, one store
 * query serves them all; the first tick after it makes every entry unreachable. Requests
 * that arrive while an answer is being made wait for it instead of making it again.
 *
 * The version itself is one item, and one item serves a few thousand reads a second: a
 * read per request would cap the whole API there. Each container reads it at most once
 * per {@link VERSION_MEMO_MS} instead (see {@link ResponseCache.version}), so the item
 * sees one read a second per container however many requests arrive.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** Entries kept at most; the least recently used goes first. */
const MAX_ENTRIES = 256;
/** Body characters kept at most (about 32 MB), whatever the number of entries. */
const MAX_CHARS = 32 * 1024 * 1024;
/**
 * How long a container goes on using a data version it read: the most an answer can lag
 * behind a tick's writes (the README promises a second).
 */
export const VERSION_MEMO_MS = 1000;

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
  /** Wall-clock time until which {@link versionRead} may be used. */
  private versionFreshUntil = 0;

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxChars = MAX_CHARS,
    private readonly versionMemoMs = VERSION_MEMO_MS,
    /** The wall clock (not a demo's virtual one: the bound is on real time). */
    private readonly clock: () => number = Date.now,
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
   * The data version: read once for every request that asks within
   * {@link VERSION_MEMO_MS} of the read's start (and while it is under way), so a burst
   * makes one store read, not one each.
   *
   * Why answers stay fresh: a tick bumps the version after its writes. A read that starts
   * after the bump sees it (the read is strongly consistent), and a memo is used only up
   * to a second after its read started; so a second after a tick's bump, every container
   * keys its answers under the new version and makes them afresh. An answer is never
   * older than the data by more than that second (plus the `max-age` a client or a
   * proxy may add). A failed read is not kept.
   */
  version(read: () => Promise<number>): Promise<number> {
    const now = this.clock();
    if (this.versionRead && now < this.versionFreshUntil) return this.versionRead;
    const pending = read();
    this.versionRead = pending;
    this.versionFreshUntil = now + this.versionMemoMs;
    pending.catch(() => {
      if (this.versionRead === pending) this.versionRead = undefined;
    });
    return pending;
  }

  /**
   * Forgets the version read, so the next request reads it again: for a runtime whose
   * ticks run in the same process (the local one), which knows when they wrote.
   */
  forgetVersion(): void {
    this.versionRead = undefined;
  }

  /** Entries held now (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
