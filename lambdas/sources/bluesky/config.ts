/**
 * Configuration of the `bluesky` source: posts per bucket matching a search on Bluesky
 * (`app.bsky.feed.searchPosts`), read with an account's app password kept in a secret.
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema } from "../../domain/field-schemas";
import { keywordClassesSchema } from "../../domain/keyword-classes";

/** The secret read when the config names none. */
export const DEFAULT_APP_PASSWORD_SECRET = "outcry/bluesky";

/** A handle (`outcry.bsky.social`) or a DID (`did:plc:…`), as `createSession` takes them. */
const HANDLE =
  /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}$/;

/**
 * Posts on Bluesky matching `q`, counted once each in the bucket of when they were
 * posted. Search needs a signed-in account: `identifier` is its handle or DID, and its
 * app password is read from the secret `appPasswordSecret` (Secrets Manager in AWS; for
 * `npm start`, the environment variable `OUTCRY_SECRET_` + the name in capitals, e.g.
 * `OUTCRY_SECRET_OUTCRY_BLUESKY`), never from this file. `classes` splits the count by
 * what the posts' text says (see `keywordClassesSchema`).
 * @example
 * { "kind": "bluesky", "q": "\"t-mobile\" outage", "identifier": "outcry-bot.bsky.social" }
 */
export const BlueskySourceSchema = z
  .object({
    kind: z.literal("bluesky"),
    id: sourceIdSchema.default("bluesky"),
    weight: z.number().positive().max(1000).default(1),
    q: z
      .string()
      .trim()
      .min(1, "give the search, e.g. '\"t-mobile\" outage'")
      .max(300, "keep the search to at most 300 characters")
      .describe("the search, as Bluesky's search box takes it, e.g. '\"t-mobile\" outage'"),
    url: httpUrlSchema("https://bsky.social")
      .refine(
        (text) => !/[?#]/.test(text) && !/\/xrpc\/?$/.test(text),
        "give the server's address only, without '/xrpc', a query or a fragment, e.g. 'https://bsky.social'",
      )
      .default("https://bsky.social")
      .describe(
        "the account's PDS or entryway (sign-in and search go there), e.g. 'https://bsky.social'",
      ),
    identifier: z
      .string()
      .trim()
      .refine(
        (text) => !text.startsWith("@"),
        "write the handle without '@', e.g. 'outcry-bot.bsky.social'",
      )
      .refine(
        (text) => text.startsWith("@") || HANDLE.test(text) || DID.test(text),
        "give the account's handle (e.g. 'outcry-bot.bsky.social') or its DID (e.g. 'did:plc:…')",
      )
      .describe("the handle or DID of the account that signs in to search"),
    appPasswordSecret: z
      .string()
      .refine(
        (name) => !name.startsWith("arn:"),
        "give the secret's name, not its ARN, e.g. 'outcry/bluesky'",
      )
      .refine(
        (name) => name.startsWith("arn:") || /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name),
        "a secret name is 1-512 letters, digits and / _ + = . @ -, e.g. 'outcry/bluesky'",
      )
      .default(DEFAULT_APP_PASSWORD_SECRET)
      .describe(
        "the secret holding the account's app password (Secrets Manager in AWS; OUTCRY_SECRET_<NAME> for npm start)",
      ),
    maxPages: z
      .number()
      .int()
      .min(1)
      .max(10, "at most 10 pages of 100 posts per tick; Bluesky rate-limits searches")
      .default(5)
      .describe("most pages of 100 posts read per tick; a busier search needs more"),
    classes: keywordClassesSchema.optional(),
  })
  .strict();

/** A validated Bluesky source. */
export type BlueskySourceConfig = z.infer<typeof BlueskySourceSchema>;
