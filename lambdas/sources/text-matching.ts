/**
 * Keyword matching on the text of feed items and posts: one implementation for every
 * source that filters items by words (RSS/Atom, Mastodon) or sorts them into keyword
 * classes (RSS/Atom, Mastodon, Bluesky). The text arrives plain (`html-text.ts` reads the
 * markup).
 */

/**
 * One spelling for matching: NFC ("ó" may arrive as one code point or as "o" plus a
 * combining accent), and typographic hyphens and apostrophes as ASCII ("T‑Mobile" with
 * a non-breaking hyphen is "T-Mobile", "Verizon’s" is "Verizon's").
 */
function fold(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[\u2018\u2019\u02bc]/g, "'");
}

/**
 * The keyword as a pattern. It runs in time linear in the text: its words are literals
 * (split at white space, so none starts with white space), so `\s+` between two of them
 * can only end where the spaces do and a failed try gives back only the spaces it read;
 * a place in the text is read at most once per word of the keyword.
 */
function keywordPattern(keyword: string): RegExp {
  const words = fold(keyword).trim().split(/\s+/).map(escapeRegExp);
  return new RegExp(
    `(?<![\\p{L}\\p{N}\\p{M}_])${words.join("\\s+")}(?![\\p{L}\\p{N}\\p{M}_])`,
    "iu",
  );
}

/**
 * A case-insensitive, whole-word test for a keyword or phrase. A word edge is any
 * character that is not a letter, digit or mark (in any script), so "AT&T", "T-Mobile"
 * and "Telefónica" match as written, and "at" does not match inside "Batman".
 * @example keywordMatcher("AT&T")("AT&T down again") // true
 */
export function keywordMatcher(keyword: string): (text: string) => boolean {
  const pattern = keywordPattern(keyword);
  return (text) => pattern.test(fold(text));
}

/**
 * Whether an item counts: it mentions an include keyword (or there are none) and no
 * exclude keyword (an exclude always wins).
 * @example itemFilter(["outage"], ["T-Mobile Tuesdays"])("T-Mobile outage") // true
 */
export function itemFilter(
  include: readonly string[],
  exclude: readonly string[],
): (text: string) => boolean {
  const includes = include.map(keywordPattern);
  const excludes = exclude.map(keywordPattern);
  return (text) => {
    const folded = fold(text);
    return (
      (includes.length === 0 || includes.some((p) => p.test(folded))) &&
      !excludes.some((p) => p.test(folded))
    );
  };
}

/**
 * The class of an item: the first class, in the order given, that has a keyword the text
 * mentions (matched as {@link itemFilter} matches), or null when it mentions none. Each
 * keyword is tried once on the text, so the time is linear in the text for a given set of
 * classes.
 * @example
 * itemClassifier({ calls: ["call"], "mobile-data": ["data"] })("no data, no call") // "calls"
 */
export function itemClassifier(
  classes: Readonly<Record<string, readonly string[]>>,
): (text: string) => string | null {
  const patterns = Object.entries(classes).map(
    ([id, keywords]) => [id, keywords.map(keywordPattern)] as const,
  );
  return (text) => {
    const folded = fold(text);
    for (const [id, keywords] of patterns) {
      if (keywords.some((p) => p.test(folded))) return id;
    }
    return null;
  };
}

/** Escapes `text` for use inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
