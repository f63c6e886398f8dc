/**
 * Text of feed items and posts, reduced for keyword matching: one implementation for every
 * source that filters items by words (RSS/Atom, Mastodon).
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/**
 * Plain text of HTML: tags dropped (block tags and line breaks become spaces), entities
 * decoded, white space folded. Feed bodies and posts are usually HTML or escaped HTML.
 * @example htmlToText("<p>No signal &amp; no data</p>") // "No signal & no data"
 */
export function htmlToText(html: string): string {
  return (
    html
      .replace(/<!--[\s\S]*?-->/g, " ")
      // Tags that end a line or a block separate words; inline ones (links, spans) do not.
      .replace(/<\/?(br|p|div|li|ul|ol|h\d|tr|td|th|table|blockquote|pre|hr)\b[^>]*>/gi, " ")
      .replace(/<[^>]*>/g, "")
      .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
        if (name.startsWith("#")) {
          const code =
            name[1] === "x" || name[1] === "X"
              ? Number.parseInt(name.slice(2), 16)
              : Number(name.slice(1));
          return Number.isInteger(code) && code > 0 && code <= 0x10ffff
            ? String.fromCodePoint(code)
            : " ";
        }
        return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
      })
      .replace(/\s+/g, " ")
      .trim()
      .normalize("NFC")
  );
}

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

/** Escapes `text` for use inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
