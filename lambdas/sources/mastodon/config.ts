/**
 * Configuration of the `mastodon` source: posts per bucket on one hashtag's public
 * timeline of one Mastodon instance.
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema } from "../../domain/field-schemas";
import { keywordClassesSchema } from "../../domain/keyword-classes";

/**
 * Hashtags one read covers: the timeline's own tag and at most 4 more in `any[]`
 * (Mastodon's `TagFeed::LIMIT_PER_MODE`, which it also reports as `max_feed_hashtags`).
 */
export const MAX_TAGS = 5;

const hashtag = z
  .string()
  .refine((tag) => !tag.startsWith("#"), "write the hashtag without '#', e.g. 'tmobile'")
  .refine(
    (tag) => tag.startsWith("#") || /^[\p{L}\p{N}_]{1,100}$/u.test(tag),
    "a hashtag is letters, digits and '_' only, e.g. 'tmobile' or 'att_outage'",
  );

const word = z.string().trim().min(1, "an empty word matches nothing; remove it").max(100);

/**
 * Posts of a hashtag on a Mastodon instance, e.g. `#tmobile` on `https://mastodon.social`,
 * or of several (`tags`) in one request: the first tag's timeline with the others as
 * `any[]`, so a post carrying two of them comes once.
 *
 * `include` keeps only posts whose text holds one of the words or phrases; `exclude` drops
 * posts holding any of them (both case-insensitive, whole words; the content warning
 * counts as text). Boosts never count: a boost repeats a post, it is not a new report.
 * `classes` splits the count by what the posts say (see `keywordClassesSchema`).
 */
export const MastodonSourceSchema = z
  .object({
    kind: z.literal("mastodon"),
    id: sourceIdSchema.default("mastodon"),
    weight: z.number().positive().max(1000).default(1),
    instance: httpUrlSchema("https://mastodon.social")
      .refine(
        (text) => !/[?#]/.test(text),
        "give the instance's address only, without a query or fragment, e.g. 'https://mastodon.social'",
      )
      .describe("the instance's address, e.g. 'https://mastodon.social'"),
    hashtag: hashtag
      .optional()
      .describe("the hashtag without '#', e.g. 'tmobile' (or list several in `tags`)"),
    tags: z
      .array(hashtag)
      .min(1, "list at least one hashtag, or leave `tags` out and give `hashtag`")
      .max(
        MAX_TAGS,
        `one read covers at most ${MAX_TAGS} hashtags (Mastodon takes 4 besides the first); split them into two sources`,
      )
      .optional()
      .describe(
        "several hashtags read in one request (posts carrying any of them), e.g. ['tmobile', 'tmobileoutage']",
      ),
    include: z
      .array(word)
      .max(50)
      .default([])
      .describe("count only posts holding one of these words or phrases (whole words, any case)"),
    exclude: z
      .array(word)
      .max(50)
      .default([])
      .describe("never count posts holding one of these words or phrases"),
    classes: keywordClassesSchema.optional(),
    maxPages: z
      .number()
      .int()
      .min(1)
      .max(40)
      .default(10)
      .describe("most pages of 40 posts read per tick; busier hashtags need more"),
  })
  .strict()
  .refine((source) => source.hashtag !== undefined || source.tags !== undefined, {
    message: 'give the hashtag to read, e.g. "hashtag": "tmobile", or several in "tags"',
    path: ["hashtag"],
  })
  .refine(
    // Tags that differ only in case are one (as `mastodonTags` in tags.ts reads them).
    (source) =>
      new Set([source.hashtag ?? [], source.tags ?? []].flat().map((tag) => tag.toLowerCase()))
        .size <= MAX_TAGS,
    {
      message: `one read covers at most ${MAX_TAGS} hashtags, \`hashtag\` and \`tags\` together; split them into two sources`,
      path: ["tags"],
    },
  );

/** A validated Mastodon source. */
export type MastodonSourceConfig = z.infer<typeof MastodonSourceSchema>;
