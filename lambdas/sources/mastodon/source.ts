/**
 * The `mastodon` source: posts per bucket on a hashtag's public timeline
 * (`GET /api/v1/timelines/tag/:hashtag`, no authentication) of one chosen instance, or on
 * several hashtags' at once (`…/tag/:first?any[]=:second&any[]=:third`).
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
 * already counted posts in it (then that stored count stands). With `classes`, each
 * counted post also goes to the first class it mentions a keyword of (`class-split.ts`),
 * and the reading splits each bucket's count by class.
 */
import { bucketStart } from "../../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import type { KeywordClasses } from "../../domain/keyword-classes";
import type { SeenItemsStore } from "../../domain/ports";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import {
  fetchWithPolicy,
  type HttpValidators,
  type OutboundPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";
import { type ClassSplit, type ClassTally, classSplitOf } from "../class-split";
import { itemFilter } from "../text-matching";
import { type MastodonStatus, nextLink, parseStatuses } from "./payload";
import { mastodonTags } from "./tags";
/** Settings of a Mastodon source (see `MastodonSourceSchema`). */
export interface MastodonSettings {
  id: string;
  weight: number;
  /** The instance's address, e.g. `https://mastodon.social`. */
  instance: string;
  /** Without '#'. */
  hashtag?: string | undefined;
  /** More hashtags read in the same request (`any[]`), without '#'. */
  tags?: readonly string[] | undefined;
  /** When given, a post counts only if its text holds one of these words or phrases. */
  include?: readonly string[];
  /** A post holding one of these words or phrases does not count. */
  exclude?: readonly string[];
  /** Most pages (of 40 posts) read per tick. */
  maxPages?: number;
  /** When given, each counted post goes to the first class it mentions a keyword of. */
  classes?: KeywordClasses | undefined;
}

/** Statuses per page the API allows at most. */
const PAGE_SIZE = 40;
const DEFAULT_MAX_PAGES = 10;

/** A {@link CountSource} counting a hashtag's posts on one Mastodon instance. */
export class MastodonSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly origin: string;
  private readonly firstPage: string;
  private readonly matches: (text: string) => boolean;
  private readonly split: ClassSplit | null;

  /**
   * @example
   * new MastodonSource({ id: "t-mobile", name: "T-Mobile" },
   *   { id: "mastodon", weight: 1, instance: "https://mastodon.social", hashtag: "tmobile" },
   *   { seen }, PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: MastodonSettings,
    private readonly stores: { seen: SeenItemsStore },
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    const base = withoutTrailingSlashes(settings.instance);
    this.origin = new URL(base).origin;
    // The first tag's timeline; the others as `any[]`, so one request covers them all and
    // a post carrying two of them comes once.
    const [first = "", ...others] = mastodonTags(settings);
    const any = others.map((tag) => `&any[]=${encodeURIComponent(tag)}`).join("");
    this.firstPage = `${base}/api/v1/timelines/tag/${encodeURIComponent(first)}?limit=${PAGE_SIZE}${any}`;
    this.matches = itemFilter(settings.include ?? [], settings.exclude ?? []);
    this.split = classSplitOf(settings.classes);
  }

  /** True when the post counts: not a boost, and passing the keyword filter. */
  private counts(status: MastodonStatus): boolean {
    if (status.isReblog) return false;
    return this.matches(status.text);
  }

  /**
   * Pages back through the timeline. Returns the ids of counted posts per requested
   * bucket, the time from which every post was seen (-Infinity when the read reached past
   * the oldest bucket or the end), and the first page's validators; each counted post of
   * a requested bucket is noted in `tally`.
   */
  private async readPages(
    request: SourceRequest,
    tally: ClassTally | undefined,
  ): Promise<{
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
          outbound: this.outbound,
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
        const bucket = bucketStart(status.createdAt, bucketMinutes);
        const ids = wanted.get(bucket);
        if (!ids) continue;
        ids.push(status.id);
        tally?.note(bucket, status.id, status.text);
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
    const tally = this.split?.tally(request.buckets);
    const { wanted, reachedBack, validators } = await this.readPages(request, tally);
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
    const memory = validators ? validatorsToMemory(validators) : {};
    if (!tally) return { counts, memory };
    const owner = { seen: this.stores.seen, service: this.service.id, source: this.id };
    return { counts, breakdowns: await tally.breakdowns(owner, counts), memory };
  }
}
