/**
 * Reading Bluesky's XRPC answers: a session (`com.atproto.server.createSession` and
 * `refreshSession`) and a page of `app.bsky.feed.searchPosts`, whose posts are
 * `app.bsky.feed.defs#postView`s (lexicons in bluesky-social/atproto, `lexicons/`).
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import { parseIso } from "../../domain/buckets";
import { SourceHttpError } from "../../http/fetch-with-policy";

/** The tokens of a session (other fields, such as `did` and `handle`, are let through). */
const SessionSchema = z.looseObject({
  accessJwt: z.string().check(z.minLength(1)),
  refreshJwt: z.string().check(z.minLength(1)),
});

/** A post view, the fields read here; `record` is the post as its author wrote it. */
const PostViewSchema = z.looseObject({
  uri: z.string().check(z.minLength(1)),
  indexedAt: z.string(),
  record: z.looseObject({ createdAt: z.optional(z.string()) }),
});

/** A page of search results. */
const SearchPageSchema = z.looseObject({
  cursor: z.optional(z.string()),
  hitsTotal: z.optional(z.number()),
  posts: z.array(PostViewSchema),
});

/** The tokens of a Bluesky session: kept in the container's memory only. */
export type BlueskySession = z.infer<typeof SessionSchema>;

/** A post as counted: its AT URI, when it was posted (epoch ms) and its text. */
export interface BlueskyPost {
  uri: string;
  postedAt: number;
  /** `record.text` as the author wrote it (plain text); empty when the record has none. */
  text: string;
}

/** A page of search results as read. */
export interface SearchPage {
  posts: BlueskyPost[];
  cursor: string | null;
}

/** `posts[3].record.createdAt` from a zod issue's path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
}

function parsed<T>(
  schema: z.ZodMiniType<T>,
  document: unknown,
  url: string,
  what: string,
  hint: string,
): T {
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? `'${fieldOf(issue.path)}': ` : "";
  throw new SourceHttpError(
    `${url} did not return ${what} (${field}${issue?.message ?? "unreadable"}); ${hint}`,
    { url, retryable: false, reason: "invalid-payload" },
  );
}

/**
 * The session in a `createSession` or `refreshSession` answer.
 * @throws SourceHttpError naming the field that is missing, not retryable
 */
export function parseSession(document: unknown, url: string): BlueskySession {
  return parsed(
    SessionSchema,
    document,
    url,
    "a session",
    "check that the source's url is a Bluesky PDS or entryway, e.g. 'https://bsky.social'",
  );
}

/** An ISO time; clients write microseconds at times, parseIso reads up to milliseconds. */
function isoTime(text: string): number {
  return parseIso(text.replace(/(\.\d{3})\d+/, "$1"));
}

/**
 * When a post was posted: its `record.createdAt` (the author's clock), but never after
 * `indexedAt` (when the network first saw it), so a clock running ahead cannot place a
 * post in a later bucket. A post whose times do not read is dropped; a backdated one
 * keeps its early date, which lies outside the buckets a tick counts.
 */
function postedAt(post: z.infer<typeof PostViewSchema>): number {
  const indexed = isoTime(post.indexedAt);
  const created = post.record.createdAt ? isoTime(post.record.createdAt) : Number.NaN;
  if (Number.isNaN(created)) return indexed;
  return Number.isNaN(indexed) ? created : Math.min(created, indexed);
}

/**
 * One page of `searchPosts`, validated.
 * @throws SourceHttpError naming the first field that does not match, not retryable
 */
export function parseSearchPage(document: unknown, url: string): SearchPage {
  const page = parsed(
    SearchPageSchema,
    document,
    url,
    "a page of search results",
    "check that the source's url is a Bluesky PDS or entryway, e.g. 'https://bsky.social'",
  );
  const posts: BlueskyPost[] = [];
  for (const post of page.posts) {
    const at = postedAt(post);
    // The text is read only to sort posts into classes: a record without it still counts.
    const text = typeof post.record.text === "string" ? post.record.text : "";
    if (!Number.isNaN(at)) posts.push({ uri: post.uri, postedAt: at, text });
  }
  return { posts, cursor: page.cursor ? page.cursor : null };
}

/** The XRPC error name of an answer's body (`{"error":"ExpiredToken",…}`), if it has one. */
export function xrpcError(body: string | undefined): string | null {
  if (!body) return null;
  try {
    const error = (JSON.parse(body) as { error?: unknown } | null)?.error;
    return typeof error === "string" ? error : null;
  } catch {
    return null;
  }
}
