/**
 * Text put into XML (Atom feeds, SVG badges). Service names come from the config and
 * incident texts from third parties, so any of them may hold markup or characters XML
 * 1.0 cannot carry at all; a document that holds one is not well-formed, and a reader
 * drops the whole feed.
 */

/**
 * Characters XML 1.0 forbids (§2.2: C0 controls but tab, LF and CR; lone surrogates;
 * U+FFFE and U+FFFF), which no escape can carry.
 */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` as XML character data or an attribute value (quotes escaped too), without the
 * characters XML 1.0 forbids.
 * @example xmlText('AT&T <"]]>') // "AT&amp;T &lt;&quot;]]&gt;"
 */
export function xmlText(text: string): string {
  return text
    .replace(FORBIDDEN, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
