/**
 * The `bluesky` source: posts per bucket matching a search on Bluesky
 * (`GET /xrpc/app.bsky.feed.searchPosts?q=…&sort=latest&since=…&limit=100`), signed in
 * as the configured account (see `session.ts`).
 *
 * Each read asks for the posts since the oldest requested bucket, newest first, and
 * follows `cursor` until it passes that bucket, the results end, it has read `maxPages`
 * pages (5 by default: 500 posts a tick) or the source's deadline comes. A post counts
 * in the bucket of when it was posted (see `payload.ts`); every post's AT URI is added to
 * the seen-items store and a bucket's count is the number of distinct URIs stored for
 * it, so a post met on two pages or two ticks counts once. Posts dated after the tick
 * are not counted. A bucket the read did not reach is a gap, unless an earlier read
 * counted posts in it. With `classes`, each counted post also goes to the first class its
 * text mentions a keyword of (`class-split.ts`), and the reading splits each bucket's
 * count by class.
 */
import { bucketStart, toIso } from "../../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import type { KeywordClasses } from "../../domain/keyword-classes";
import type { SecretReader, SeenItemsStore } from "../../domain/ports";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import { fetchWithPolicy, type OutboundPolicy, parseJsonBody } from "../../http/fetch-with-policy";
import { type ClassSplit, type ClassTally, classSplitOf } from "../class-split";
import { parseSearchPage, type SearchPage } from "./payload";
import { SESSION_ERROR_BODY_BYTES, type SignIn, withSession } from "./session";

/** Settings of a Bluesky source (see `BlueskySourceSchema`). */
export interface BlueskySettings {
  id: string;
  weight: number;
  /** The search. */
  q: string;
  /** The PDS or entryway, e.g. `https://bsky.social`. */
  url: string;
  /** The handle or DID that signs in. */
  identifier: string;
  /** The secret holding the app password. */
  appPasswordSecret: string;
  /** Most pages of 100 posts read per tick (default 5). */
  maxPages?: number;
  /** When given, each counted post goes to the first class its text mentions a keyword of. */
  classes?: KeywordClasses | undefined;
}

/** Posts per page the lexicon allows at most. */
const PAGE_SIZE = 100;
const DEFAULT_MAX_PAGES = 5;

/** A {@link CountSource} counting the posts of a Bluesky search. */
export class BlueskySource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly server: string;
  private readonly split: ClassSplit | null;

  /**
   * @example
   * new BlueskySource({ id: "t-mobile", name: "T-Mobile" },
   *   { id: "bluesky", weight: 1, q: "t-mobile outage", url: "https://bsky.social",
   *     identifier: "outcry-bot.bsky.social", appPasswordSecret: "outcry/bluesky" },
   *   { seen, secrets }, PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: BlueskySettings,
    private readonly stores: { seen: SeenItemsStore; secrets?: SecretReader | undefined },
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.server = withoutTrailingSlashes(settings.url);
    this.split = classSplitOf(settings.classes);
  }

  /** The search's URL for the posts since `since`, from `cursor` on. */
  private pageUrl(since: number, cursor: string | null): string {
    const query = new URLSearchParams({
      q: this.settings.q,
      sort: "latest",
      since: toIso(since),
      limit: String(PAGE_SIZE),
    });
    if (cursor !== null) query.set("cursor", cursor);
    return `${this.server}/xrpc/app.bsky.feed.searchPosts?${query}`;
  }

  /** One page, signed in. */
  private fetchPage(signIn: SignIn, url: string): Promise<SearchPage> {
    return withSession(signIn, async (accessJwt) => {
      const result = await fetchWithPolicy(url, {
        signal: signIn.signal,
        outbound: this.outbound,
        deadlineAt: signIn.deadlineAt,
        expect: "json",
        headers: { authorization: `Bearer ${accessJwt}` },
        errorBodyBytes: SESSION_ERROR_BODY_BYTES,
      });
      // No validators are sent, so the answer is always fresh.
      if (result.status !== "fresh") return { posts: [], cursor: null };
      return parseSearchPage(parseJsonBody(result), result.url);
    });
  }

  /**
   * Pages through the search. Returns the URIs of the posts per requested bucket, and
   * the time from which every post was seen (-Infinity when the read reached past the
   * oldest bucket or the end of the results); each post of a requested bucket is noted
   * in `tally`.
   */
  private async readPages(
    request: SourceRequest,
    tally: ClassTally | undefined,
  ): Promise<{ wanted: Map<number, string[]>; reachedBack: number }> {
    const { buckets, bucketMinutes, nowMs, signal, deadlineAt } = request;
    const windowStart = buckets[0] ?? nowMs;
    const wanted = new Map<number, string[]>(buckets.map((b) => [b, []]));
    const signIn: SignIn = {
      server: this.server,
      identifier: this.settings.identifier,
      secret: this.settings.appPasswordSecret,
      secrets: this.stores.secrets,
      outbound: this.outbound,
      signal,
      deadlineAt,
    };
    const maxPages = this.settings.maxPages ?? DEFAULT_MAX_PAGES;
    let cursor: string | null = null;
    let reachedBack = Number.POSITIVE_INFINITY;

    for (let page = 0; page < maxPages; page++) {
      if (page > 0 && signal.aborted) break;
      let result: SearchPage;
      try {
        result = await this.fetchPage(signIn, this.pageUrl(windowStart, cursor));
      } catch (error) {
        // The first page must be read; a later failure only leaves older buckets unread.
        if (page === 0) throw error;
        break;
      }
      for (const post of result.posts) {
        if (post.postedAt > nowMs) continue;
        reachedBack = Math.min(reachedBack, post.postedAt);
        const bucket = bucketStart(post.postedAt, bucketMinutes);
        const uris = wanted.get(bucket);
        if (!uris) continue;
        uris.push(post.uri);
        tally?.note(bucket, post.uri, post.text);
      }
      if (result.cursor === null || result.posts.length === 0 || reachedBack < windowStart) {
        reachedBack = Number.NEGATIVE_INFINITY;
        break;
      }
      cursor = result.cursor;
    }
    return { wanted, reachedBack };
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const tally = this.split?.tally(request.buckets);
    const { wanted, reachedBack } = await this.readPages(request, tally);
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
    if (!tally) return { counts };
    const owner = { seen: this.stores.seen, service: this.service.id, source: this.id };
    return { counts, breakdowns: await tally.breakdowns(owner, counts) };
  }
}
