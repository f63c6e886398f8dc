/**
 * The plain text of a feed element, decoded once per level of escaping its format has.
 * The XML parser has already decoded XML's escaping (and unwrapped CDATA); what is left is
 * HTML in RSS and in Atom's `type="html"` (decoded once more, as HTML), inline markup in
 * Atom's `type="xhtml"` (its text taken as it is), or plain text in Atom's default
 * `type="text"` (`&amp;lt;` there is the text `&lt;`).
 */
import { foldWhitespace, htmlToText, isUnreadContent, separatesWords } from "../html-text";
import { attribute, type XmlContent, type XmlElement } from "./xml-document";

/** An element name without its namespace prefix (`xhtml:p` is `p`). */
function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

/**
 * The HTML an element holds: its character data is HTML source, and child elements (raw
 * markup some RSS feeds put in a description unescaped) are written back as the tags they
 * were, without attributes, so that the HTML is read in one pass.
 */
function htmlSource(element: XmlElement): string {
  const parts: string[] = [];
  const write = (content: readonly XmlContent[]) => {
    for (const child of content) {
      if (typeof child === "string") {
        parts.push(child);
      } else {
        parts.push(`<${localName(child.name)}>`);
        write(child.children);
        parts.push(`</${localName(child.name)}>`);
      }
    }
  };
  write(element.children);
  return parts.join("");
}

/** The text of inline markup: block elements separate words, script-like ones are left out. */
function markupText(element: XmlElement): string {
  const parts: string[] = [];
  const read = (content: readonly XmlContent[]) => {
    for (const child of content) {
      if (typeof child === "string") {
        parts.push(child);
        continue;
      }
      const name = localName(child.name);
      if (isUnreadContent(name)) continue;
      const separate = separatesWords(name);
      if (separate) parts.push(" ");
      read(child.children);
      if (separate) parts.push(" ");
    }
  };
  read(element.children);
  return foldWhitespace(parts.join(""));
}

/**
 * Plain text of an element whose content is HTML (RSS's `title`, `description`,
 * `content:encoded`); "" without one.
 * @example htmlText(description) // "A & B" for <description>&lt;p&gt;A &amp;amp; B</description>
 */
export function htmlText(element: XmlElement | undefined): string {
  return element ? htmlToText(htmlSource(element)) : "";
}

/**
 * Plain text of an Atom text construct or content (`title`, `summary`, `content`) by its
 * `type` (RFC 4287 §3.1, §4.1.3): `html` (or `text/html`) is escaped HTML; anything else,
 * `text` (the default), `xhtml` or an XML media type, holds its text as character data,
 * around elements in the markup ones; "" without one.
 * @example atomText(title) // "A &lt; B" for <title>A &amp;lt; B</title>
 */
export function atomText(element: XmlElement | undefined): string {
  if (!element) return "";
  const type = (attribute(element, "type") ?? "text").trim().toLowerCase();
  return type === "html" || type === "text/html" ? htmlText(element) : markupText(element);
}
