/**
 * Plain text of HTML, for keyword matching: feed bodies and Mastodon posts are HTML, and a
 * hostile one must not stall collect. The text is read by htmlparser2's tokenizer, one
 * pass over the input whatever it holds (unclosed tags, comments or CDATA, runs of `<`);
 * its tree-building parser is not used, since its stack of open elements makes deeply
 * nested unclosed input quadratic.
 */
import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";

/** Elements that end a line or a block: they separate words, inline ones (links, spans) do not. */
const BLOCK_ELEMENTS = new Set([
  "br",
  "p",
  "div",
  "li",
  "ul",
  "ol",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "tr",
  "td",
  "th",
  "table",
  "blockquote",
  "pre",
  "hr",
]);

/**
 * Elements whose content is not markup: the tokenizer reads it as raw text up to the
 * matching end tag. Scripts and styles are not text at all, and the others (`xmp`,
 * `textarea`…) have no place in a post or a feed body; keeping their content would let a
 * stray one turn the rest of a body into literal tags, so it is dropped.
 */
const RAW_TEXT_ELEMENTS = new Set([
  "script",
  "style",
  "title",
  "textarea",
  "xmp",
  "iframe",
  "noembed",
  "noframes",
  "plaintext",
]);

/** The longest name in the two sets above; longer tag names need not be looked at. */
const LONGEST_NAME = 10;

/** U+FFFD, what the entity decoder gives for a numeric reference to no character. */
const REPLACEMENT = 0xfffd;

/** Whether an element of this (local, any case) name separates the words around it. */
export function separatesWords(name: string): boolean {
  return name.length <= LONGEST_NAME && BLOCK_ELEMENTS.has(name.toLowerCase());
}

/** Whether the content of an element of this (local, any case) name is left out of the text. */
export function isUnreadContent(name: string): boolean {
  return name.length <= LONGEST_NAME && RAW_TEXT_ELEMENTS.has(name.toLowerCase());
}

/**
 * Text as one line: white space folded to single spaces and trimmed, in NFC. Text that
 * is already plain (an Atom `type="text"` title) only needs this.
 * @example foldWhitespace("  No\n signal ") // "No signal"
 */
export function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim().normalize("NFC");
}

/**
 * The numeric value of the character reference that ends at `end` in `html`, or NaN for a
 * named one. It starts at the last `&` before `end`, since no character of a reference is one.
 */
function referencedCodePoint(html: string, end: number): number {
  const start = html.lastIndexOf("&", end - 1);
  if (html[start + 1] !== "#") return Number.NaN;
  const hex = html[start + 2] === "x" || html[start + 2] === "X";
  return Number.parseInt(html.slice(start + (hex ? 3 : 2), end), hex ? 16 : 10);
}

/**
 * Plain text of HTML: tags dropped (block tags and line breaks become spaces), comments
 * and the content of script-like elements dropped, entities decoded once (named and
 * numeric; a reference to no character becomes a space), white space folded, NFC. Linear
 * in the length of `html`.
 * @example htmlToText("<p>No signal &amp; no data</p>") // "No signal & no data"
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let openName = "";
  let unread = false;
  const callbacks: TokenizerCallbacks = {
    ontext(start, end) {
      if (!unread) parts.push(html.slice(start, end));
    },
    ontextentity(codePoint, end) {
      if (unread) return;
      const invalid = codePoint === REPLACEMENT && referencedCodePoint(html, end) !== REPLACEMENT;
      parts.push(invalid ? " " : String.fromCodePoint(codePoint));
    },
    onopentagname(start, end) {
      openName = end - start <= LONGEST_NAME ? html.slice(start, end) : "";
      if (separatesWords(openName)) parts.push(" ");
    },
    // The tokenizer reads raw text only once the start tag is complete.
    onopentagend() {
      unread = isUnreadContent(openName);
    },
    onselfclosingtag() {
      unread = isUnreadContent(openName);
    },
    onclosetag(start, end) {
      // Inside raw text the only end tag the tokenizer reports is the matching one.
      unread = false;
      if (end - start <= LONGEST_NAME && separatesWords(html.slice(start, end))) parts.push(" ");
    },
    oncomment() {
      parts.push(" ");
    },
    // CDATA has no meaning in HTML: browsers read it as a comment.
    oncdata() {
      parts.push(" ");
    },
    onattribname() {},
    onattribdata() {},
    onattribentity() {},
    onattribend() {},
    ondeclaration() {},
    onprocessinginstruction() {},
    onend() {},
  };
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
  return foldWhitespace(parts.join(""));
}
