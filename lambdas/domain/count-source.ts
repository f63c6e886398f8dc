/**
 * The one interface every source of counts implements. Each collect tick asks a source
 * for the newest closed buckets (and a few before them, for items that arrive late) in
 * one call, so a feed is fetched once per tick however many buckets it fills. A source
 * answers null for a bucket it could not tell: a gap, never a zero.
 */

/** Small values a source keeps between ticks (HTTP validators, paging cursors). */
export type SourceMemory = Readonly<Record<string, string | number>>;

/** Something worth stating on a service's timeline, e.g. an acknowledged incident. */
export interface SourceAnnotation {
  /** When it happened (epoch ms). */
  at: number;
  /** Stable across reads, so the same annotation is stored once. */
  key: string;
  /** One readable sentence, without the time (the timeline adds it in the service's zone). */
  text: string;
}

/**
 * An incident a provider states on its own status page or feed and has not resolved, as
 * of one read: what the likely-upstream inference matches a wave of openings against.
 */
export interface StatedIncident {
  /** Stable across reads of the same incident (the page's or feed's own id). */
  key: string;
  /** The provider's title, as written, e.g. "Increased error rates". */
  title: string;
  /** When the provider says it began (epoch ms); the read's time when it does not say. */
  startedAt: number;
  /**
   * What it affects, lower-case: regions ("us-east-1"), products ("compute engine") or
   * components ("api"), as the format names them. Empty: the provider as a whole.
   */
  scopes: string[];
  /**
   * Where it is, as a message names it, when the format says (a region, "us-east-1", or a
   * few locations); absent: no place is named unless the incident has a single scope.
   */
  where?: string;
}

/** One request to a source. */
export interface SourceRequest {
  /** Bucket starts to count, oldest first; the newest closed bucket is last. */
  buckets: readonly number[];
  bucketMinutes: number;
  /** The tick's time; items dated after it are in the future and are not counted. */
  nowMs: number;
  /** Aborted when the source's deadline passes; pass it to every request. */
  signal: AbortSignal;
  /** When that deadline falls (epoch ms, real time), so a retry that cannot finish is not begun. */
  deadlineAt?: number;
  /** What the source returned as `memory` after its last successful read, if any. */
  memory: SourceMemory | null;
  /**
   * What the reads of one collect run share: the first read asking for `key` loads it,
   * the others of the run get the same promise (the crowd-report markers of a shard are
   * read once, not once a service). Absent: nothing is shared.
   */
  shared?: <T>(key: string, load: () => Promise<T>) => Promise<T>;
}

/** What a source read. */
export interface SourceReading {
  /** One count per requested bucket, in the same order; null where there is no data. */
  counts: (number | null)[];
  /**
   * Optionally, per bucket, how the count splits by kind (crowd reports by problem); in
   * the same order as `counts`.
   */
  breakdowns?: (Readonly<Record<string, number>> | null)[];
  /**
   * Optionally, per bucket, how the count splits by region (a US state or country code of
   * `contract/regions.ts`); in the same order as `counts`. Only crowd reports (and replays
   * of them) know where they came from.
   */
  regions?: (Readonly<Record<string, number>> | null)[];
  /** Kept until the next read; replaces the previous memory when given. */
  memory?: SourceMemory;
  annotations?: SourceAnnotation[];
  /**
   * The provider's unresolved incidents as of this read (status pages and provider
   * feeds). Absent: the source states no incidents; empty: it states there are none.
   */
  stated?: StatedIncident[];
}

/** A source of counts for one service. */
export interface CountSource {
  /** Unique within the service; names the series attribute and the health record. */
  readonly id: string;
  /** Weight of this source in the service's combined count. */
  readonly weight: number;
  /**
   * Counts for the requested buckets.
   * @throws when the source failed (recorded as source health; its buckets stay gaps)
   */
  read(request: SourceRequest): Promise<SourceReading>;
}
