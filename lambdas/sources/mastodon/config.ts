/**
 * Configuration of the `mastodon` source: posts per bucket on one hashtag's public
 * timeline of one Mastodon instance.
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema } from "../../domain/field-schemas";

const word = z.string().trim().min(1, "an empty word matches nothing; remove it").max(100);

/**
 * Posts of a hashtag on a Mastodon instance, e.g. `#tmobile` on `https://mastodon.social`.
 *
 * `include` keeps only posts whose text holds one of the words or phrases; `exclude` drops
 * posts holding any of them (both case-insensitive, whole words; the content warning
 * counts as text). Boosts never count: a boost repeats a post, it is not a new report.
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
    hashtag: z
      .string()
      .refine((tag) => !tag.startsWith("#"), "write the hashtag without '#', e.g. 'tmobile'")
      .refine(
        (tag) => tag.startsWith("#") || /^[\p{L}\p{N}_]{1,100}$/u.test(tag),
        "a hashtag is letters, digits and '_' only, e.g. 'tmobile' or 'att_outage'",
      )
      .describe("the hashtag without '#', e.g. 'tmobile'"),
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
    maxPages: z
      .number()
      .int()
      .min(1)
      .max(40)
      .default(10)
      .describe("most pages of 40 posts read per tick; busier hashtags need more"),
  })
  .strict();

/** A validated Mastodon source. */
export type MastodonSourceConfig = z.infer<typeof MastodonSourceSchema>;
