/**
 * The `mastodon` source: posts per bucket on a hashtag's public timeline
 * (`GET /api/v1/timelines/tag/:hashtag`, no authentication) of one chosen instance.
 *
 * Each read pages backwards from the newest post (`max_id`, following the `Link` header's
 * `rel="next"` when the server sends one) until it passes the oldest requested bucket,
 * reaches the end of the timeline, hits the page cap or runs out of time. Posts are
 * counted by `created_at`; every post id is added to the seen-items store, and a bucket's
 * count is the number of distinct ids stored for it, so a post seen on two pages or on two
 * ticks counts once and a post that has since been deleted stays counted.
 *
 * Not counted: boosts (`reblog` set; a boost repeats a post, it is not a new report), posts
 * dated after the tick (a wrong clock or a scheduled post), and posts failing the
 * keyword filter. A bucket the read did not reach is a gap, unless an earlier read
 * already counted posts in it (then that stored count stands).
 */
import { bucketStart, parseIso } from "../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "../domain/count-source";
import type { SeenItemsStore } from "../domain/ports";
import {
  fetchWithPolicy,
  type HttpValidators,
  parseJsonBody,
  SourceHttpError,
  validatorsFromMemory,
  validatorsToMemory,
} from "../http/fetch-with-policy";
import { htmlToText, itemFilter } from "./text-matching";

/** Settings of a Mastodon source (see `MastodonSourceSchema`). */
export interface MastodonSettings {
  id: string;
  weight: number;
  /** The instance's address, e.g. `https://mastodon.social`. */
  instance: string;
  /** Without '#'. */
  hashtag: string;
  /** When given, a post counts only if its text holds one of these words or phrases. */
  include?: readonly string[];
  /** A post holding one of these words or phrases does not count. */
  exclude?: readonly string[];
  /** Most pages (of 40 posts) read per tick. */
  maxPages?: number;
}

/** The fields of a Mastodon status this source reads. */
export interface MastodonStatus {
  id: string;
  createdAt: number;
  /** Plain text of the post: content without HTML, plus the content warning. */
  text: string;
  isReblog: boolean;
}

/** Statuses per page the API allows at most. */
const PAGE_SIZE = 40;
const DEFAULT_MAX_PAGES = 10;

/**
 * Reads one page of the timeline (a JSON array of statuses). A status without an id or
 * a readable `created_at` is skipped rather than failing the page.
 * @throws Error when the body is not an array (an error object, a web page…)
 */
export function parseStatuses(document: unknown, url: string): MastodonStatus[] {
  if (!Array.isArray(document)) {
    const error =
      document && typeof document === "object" && "error" in document
        ? `: ${String((document as { error: unknown }).error)}`
        : "";
    throw new SourceHttpError(
      `GET ${url} did not return a list of statuses${error}; check the instance address and that its hashtag timelines are public`,
      { url, retryable: false },
    );
  }
  const statuses: MastodonStatus[] = [];
  for (const raw of document) {
    if (!raw || typeof raw !== "object") continue;
    const status = raw as Record<string, unknown>;
    // Some servers send microseconds; parseIso reads up to milliseconds.
    const createdAt =
      typeof status.created_at === "string"
        ? parseIso(status.created_at.replace(/(\.\d{3})\d+/, "$1"))
        : Number.NaN;
    if (typeof status.id !== "string" || Number.isNaN(createdAt)) continue;
    const content = typeof status.content === "string" ? htmlToText(status.content) : "";
    const warning = typeof status.spoiler_text === "string" ? status.spoiler_text : "";
    statuses.push({
      id: status.id,
      createdAt,
      text: warning ? `${warning} ${content}` : content,
      isReblog: status.reblog !== null && status.reblog !== undefined,
    });
  }
  return statuses;
}

/**
 * The `rel="next"` URL of an RFC 8288 `Link` header, if it stays on `origin` (a page
 * link to another host is not followed).
 * @example nextLink('<https://m.example/api/v1/timelines/tag/x?max_id=9>; rel="next"', "https://m.example")
 */
export function nextLink(header: string | null, origin: string): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (
      !match?.[1] ||
      !/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? "")
    ) {
      continue;
    }
    try {
      const url = new URL(match[1], origin);
      return url.origin === origin ? url.toString() : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** A {@link CountSource} counting a hashtag's posts on one Mastodon instance. */
export class MastodonSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly origin: string;
  private readonly firstPage: string;
  private readonly matches: (text: string) => boolean;

  /**
   * @example
   * new MastodonSource({ id: "t-mobile", name: "T-Mobile" },
   *   { id: "mastodon", weight: 1, instance: "https://mastodon.social", hashtag: "tmobile" },
   *   { seen });
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: MastodonSettings,
    private readonly stores: { seen: SeenItemsStore },
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    const base = settings.instance.replace(/\/+$/, "");
    this.origin = new URL(base).origin;
    this.firstPage = `${base}/api/v1/timelines/tag/${encodeURIComponent(settings.hashtag)}?limit=${PAGE_SIZE}`;
    this.matches = itemFilter(settings.include ?? [], settings.exclude ?? []);
  }

  /** True when the post counts: not a boost, and passing the keyword filter. */
  private counts(status: MastodonStatus): boolean {
    if (status.isReblog) return false;
    return this.matches(status.text);
  }

  /**
   * Pages back through the timeline. Returns the ids of counted posts per requested
   * bucket, the time from which every post was seen (-Infinity when the read reached past
   * the oldest bucket or the end), and the first page's validators.
   */
  private async readPages(request: SourceRequest): Promise<{
    wanted: Map<number, string[]>;
    reachedBack: number;
    validators: HttpValidators | null;
  }> {
    const { buckets, bucketMinutes, nowMs, signal, deadlineAt } = request;
    const windowStart = buckets[0] ?? nowMs;
    const wanted = new Map<number, string[]>(buckets.map((b) => [b, []]));
    const maxPages = this.settings.maxPages ?? DEFAULT_MAX_PAGES;
    let url = this.firstPage;
    let validators = validatorsFromMemory(request.memory);
    // Posts from `reachedBack` on were all seen; -Infinity once the read reached its end.
    let reachedBack = Number.POSITIVE_INFINITY;

    for (let page = 0; page < maxPages; page++) {
      if (page > 0 && signal.aborted) break;
      let statuses: MastodonStatus[];
      let next: string | null;
      try {
        const result = await fetchWithPolicy(url, {
          signal,
          deadlineAt,
          expect: "json",
          validators: page === 0 ? validators : null,
        });
        if (result.status === "not-modified") {
          // Nothing was posted since the last read: the stored counts stand.
          validators = result.validators;
          reachedBack = Number.NEGATIVE_INFINITY;
          break;
        }
        if (page === 0) validators = result.validators;
        statuses = parseStatuses(parseJsonBody(result), result.url);
        next = nextLink(result.headers.get("link"), this.origin);
      } catch (error) {
        // The first page must be read; a later failure only leaves older buckets unread.
        if (page === 0) throw error;
        break;
      }
      if (statuses.length === 0) {
        reachedBack = Number.NEGATIVE_INFINITY;
        break;
      }
      for (const status of statuses) {
        if (status.createdAt > nowMs) continue;
        reachedBack = Math.min(reachedBack, status.createdAt);
        if (!this.counts(status)) continue;
        wanted.get(bucketStart(status.createdAt, bucketMinutes))?.push(status.id);
      }
      if (reachedBack < windowStart) {
        reachedBack = Number.NEGATIVE_INFINITY;
        break;
      }
      const last = statuses[statuses.length - 1] as MastodonStatus;
      url = next ?? `${this.firstPage}&max_id=${encodeURIComponent(last.id)}`;
    }
    return { wanted, reachedBack, validators };
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { wanted, reachedBack, validators } = await this.readPages(request);
    const counts = await Promise.all(
      request.buckets.map(async (bucket) => {
        const total = await this.stores.seen.add(
          this.service.id,
          this.id,
          bucket,
          wanted.get(bucket) ?? [],
        );
        // A bucket the read did not cover wholly is a gap, unless posts in it were counted.
        if (bucket >= reachedBack) return total;
        return total > 0 ? total : null;
      }),
    );
    return { counts, memory: validators ? validatorsToMemory(validators) : {} };
  }
}
