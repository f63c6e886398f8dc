/**
 * Config schema of the `rss` source: an RSS 2.0 or Atom feed whose items mentioning the
 * service are counted per bucket (see `source.ts` beside it).
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema } from "../../domain/field-schemas";
import { keywordClassesSchema } from "../../domain/keyword-classes";

const keyword = z
  .string()
  .trim()
  .min(1, "a keyword cannot be empty")
  .max(80, "keep each keyword or phrase to at most 80 characters");

const keywords = (what: string) =>
  z
    .array(keyword)
    .max(
      50,
      `list at most 50 ${what} keywords; split the feed into several sources if you need more`,
    )
    .default([]);

const feedUrl = httpUrlSchema("https://news.google.com/rss/search?q=%22T-Mobile%20outage%22");

/**
 * Counts items of an RSS 2.0 or Atom feed (a news search, a subreddit's `.rss`, a vendor
 * status history) that mention one of `include` (every item when empty) and none of
 * `exclude`: case-insensitive, whole words or phrases. `classes` splits the count by what
 * the items say (see `keywordClassesSchema`).
 * `userAgent` replaces outcry's own User-Agent for feeds that ask callers to name
 * themselves: Reddit wants `<platform>:<app ID>:<version> (by /u/<username>)` and may
 * refuse generic ones.
 * @example
 * { "kind": "rss", "id": "reddit", "url": "https://www.reddit.com/r/tmobile/new/.rss",
 *   "userAgent": "aws:outcry:0.1 (by /u/your_name)",
 *   "include": ["outage", "no signal", "down"], "exclude": ["download"] }
 */
export const RssSourceSchema = z
  .object({
    kind: z.literal("rss"),
    id: sourceIdSchema.default("rss"),
    weight: z.number().positive().max(1000).default(1),
    url: feedUrl.describe("the feed's URL (RSS 2.0 or Atom)"),
    include: keywords("include").describe(
      "an item counts when it mentions one of these (none: every item)",
    ),
    exclude: keywords("exclude").describe("an item that mentions one of these never counts"),
    classes: keywordClassesSchema.optional(),
    userAgent: z
      .string()
      .trim()
      .min(1, "leave userAgent out, or give one, e.g. 'aws:outcry:0.1 (by /u/your_name)'")
      .max(200, "keep the User-Agent to at most 200 characters")
      .refine(
        (text) => /^[\x20-\x7e]*$/.test(text),
        "a User-Agent is printable ASCII only (no line breaks or accents), e.g. 'aws:outcry:0.1 (by /u/your_name)'",
      )
      .optional()
      .describe(
        "the User-Agent to send in place of outcry's own; Reddit asks for '<platform>:<app ID>:<version> (by /u/<username>)'",
      ),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(50 * 1024 * 1024, "at most 50 MiB")
      .optional()
      .describe("largest feed accepted, in bytes (default 2 MiB)"),
  })
  .strict();

/** A validated rss source configuration. */
export type RssSourceConfig = z.infer<typeof RssSourceSchema>;
