/**
 * The `classes` setting of the sources that count text posts (`rss`, `mastodon`,
 * `bluesky`): an ordered map of class id → keywords, which splits a source's count of a
 * bucket by what the posts say ("calls", "mobile-data"), as crowd reports split theirs by
 * problem kind. The matching itself is `lambdas/sources/text-matching.ts`.
 */
import * as z from "zod";
import { PROBLEM_KINDS } from "../../contract/catalog";

/** Most classes a source may have: a bar of shares with more reads as noise. */
export const MAX_CLASSES = 10;
/** Most keywords or phrases one class may list. */
export const MAX_CLASS_KEYWORDS = 30;
/** Longest keyword or phrase, in characters. */
export const MAX_CLASS_KEYWORD_LENGTH = 80;

/**
 * A class id. It starts with a letter because JSON objects keep the written order of
 * their keys only for keys that are not integers ("5g" stays in place, "5" would move to
 * the front), and the order decides which class a post goes to.
 */
const CLASS_ID = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

const keyword = z
  .string()
  .trim()
  .min(1, "an empty keyword matches nothing; remove it")
  .max(
    MAX_CLASS_KEYWORD_LENGTH,
    `keep each keyword or phrase to at most ${MAX_CLASS_KEYWORD_LENGTH} characters`,
  );

/** One spelling of a keyword for spotting the same one in two classes. */
function sameKeyword(text: string): string {
  return text.trim().toLowerCase().split(/\s+/).join(" ");
}

/**
 * `classes`: class id → the words or phrases that put a post in it. A counted post goes
 * to the first class (in the order written) one of whose keywords it mentions (whole
 * words, any case, as `include` matches); a post that mentions none stays in the count
 * and in no class. Use the service category's problem kinds as ids (for a carrier:
 * `no-signal`, `mobile-data`, `calls`, `texts`, `total-outage`) so the classes add up
 * with the crowd reports of the same kind.
 * @example { "calls": ["call", "calls", "voice"], "mobile-data": ["data", "lte", "5g"] }
 */
export const keywordClassesSchema = z
  .record(
    z.string().regex(CLASS_ID),
    z
      .array(keyword)
      .min(1, "a class with no keywords takes no post; give at least one, or remove the class")
      .max(
        MAX_CLASS_KEYWORDS,
        `list at most ${MAX_CLASS_KEYWORDS} keywords in a class; fold similar ones into phrases`,
      ),
    {
      error: (issue) =>
        issue.code === "invalid_key"
          ? `the class id ${JSON.stringify(issue.input)} is not valid: use 1-32 lower-case letters, digits and inner hyphens, starting with a letter, e.g. '${PROBLEM_KINDS.carrier[1]}'`
          : undefined,
    },
  )
  .superRefine((classes, context) => {
    const ids = Object.keys(classes);
    if (ids.length === 0) {
      context.addIssue({
        code: "custom",
        message:
          'give at least one class, e.g. { "calls": ["call", "voice"] }, or leave out `classes`',
      });
    }
    if (ids.length > MAX_CLASSES) {
      context.addIssue({
        code: "custom",
        message: `give at most ${MAX_CLASSES} classes; a source with more splits its count too thinly to read`,
      });
    }
    // A keyword listed in two classes only ever takes posts to the first: say so.
    const owner = new Map<string, string>();
    for (const [id, keywords] of Object.entries(classes)) {
      for (const [i, word] of keywords.entries()) {
        const first = owner.get(sameKeyword(word));
        if (first === undefined) owner.set(sameKeyword(word), id);
        else if (first !== id) {
          context.addIssue({
            code: "custom",
            path: [id, i],
            message: `'${word}' is already a keyword of the class '${first}', which comes first and takes every post that mentions it; remove it here`,
          });
        }
      }
    }
  })
  // What the checks above refuse, stated for editors in the JSON Schema too.
  .meta({ minProperties: 1, maxProperties: MAX_CLASSES })
  .describe(
    "split the count by what posts say: class id → keywords; a post goes to the first class it mentions a keyword of (use the category's problem kinds as ids, e.g. 'calls', 'mobile-data')",
  );

/** Validated `classes`: class id → keywords, in the order they decide in. */
export type KeywordClasses = z.infer<typeof keywordClassesSchema>;
