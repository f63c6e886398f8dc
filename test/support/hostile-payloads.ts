/**
 * Hostile third-party payloads, by shape, for the tests that show the parsers run in
 * linear time: HTML that a feed item or a post may carry, the ways a feed wraps it, floods
 * at the XML level, and hostile `Link` headers. Each shape makes an input of about `size`
 * characters.
 */

/** A hostile input of one shape. */
export interface HostileShape {
  name: string;
  make: (size: number) => string;
}

/** `unit` repeated to about `size` characters (at least once). */
export function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.max(1, Math.floor(size / unit.length)));
}

/** Distinct attributes, `a0="1" a1="1" …`, to about `size` characters (a repeated one is refused). */
function distinctAttributes(size: number): string {
  const parts: string[] = [];
  for (let i = 0, length = 0; length < size; i++) {
    const attribute = `a${i}="1" `;
    parts.push(attribute);
    length += attribute.length;
  }
  return parts.join("");
}

/** HTML bodies that made the regex-based reading quadratic, and their neighbours. */
export const HTML_SHAPES: readonly HostileShape[] = [
  { name: "'<' flood", make: (size) => repeatTo("<", size) },
  { name: "'<a' flood", make: (size) => repeatTo("<a", size) },
  { name: "unclosed <div><b>", make: (size) => repeatTo("<div><b>", size) },
  { name: "unclosed comments", make: (size) => repeatTo("<!--", size) },
  { name: "unclosed CDATA", make: (size) => repeatTo("<![CDATA[", size) },
  { name: "closing-tag flood '</'", make: (size) => repeatTo("</", size) },
  { name: "attribute flood, unclosed", make: (size) => `<b ${repeatTo('a="1" ', size)}` },
  { name: "open quote", make: (size) => `<a href="${repeatTo("x", size)}` },
  { name: "entity run &amp;", make: (size) => repeatTo("&amp;", size) },
  { name: "bare '&' run", make: (size) => repeatTo("&", size) },
  { name: "long numeric reference", make: (size) => `&#${repeatTo("9", size)};` },
  { name: "unclosed <script>", make: (size) => `<script>${repeatTo("<b>", size)}` },
  { name: "deep nesting, closed", make: (size) => nested("div", size) },
  {
    name: "words and tags",
    make: (size) => repeatTo("No <b>signal</b> in <a href='x'>Dallas</a><br>", size),
  },
];

/** `<name>` nested around one word, deep enough for about `size` characters, every one closed. */
function nested(name: string, size: number): string {
  const depth = Math.max(1, Math.floor(size / (2 * name.length + 5)));
  return `${`<${name}>`.repeat(depth)}x${`</${name}>`.repeat(depth)}`;
}

/** Text escaped for XML character data: the one level of escaping XML adds. */
export function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Text in one CDATA section (an inner `]]>` split across two sections, as XML requires). */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
}

/** An RSS 2.0 document with one item holding `inner`. */
export function rssWith(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><item><title>Outage</title><guid>1</guid><pubDate>Tue, 14 Feb 2023 03:21:00 GMT</pubDate>${inner}</item></channel></rss>`;
}

/** An Atom document with one entry holding `inner`. */
export function atomWith(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><updated>2023-02-14T03:21:00Z</updated>${inner}</entry></feed>`;
}

/** How a feed carries an HTML body: each escaping its format allows. */
export interface FeedWrapping {
  name: string;
  /** The name in a table column. */
  short: string;
  wrap: (html: string) => string;
}

/** Every way RSS and Atom carry a body, each with the escaping it uses. */
export const FEED_WRAPPINGS: readonly FeedWrapping[] = [
  {
    name: "RSS description, escaped",
    short: "RSS escaped",
    wrap: (html) => rssWith(`<description>${escapeXml(html)}</description>`),
  },
  {
    name: "RSS description, CDATA",
    short: "RSS CDATA",
    wrap: (html) => rssWith(`<description>${cdata(html)}</description>`),
  },
  {
    name: "Atom type=html, escaped",
    short: "html escaped",
    wrap: (html) => atomWith(`<content type="html">${escapeXml(html)}</content>`),
  },
  {
    name: "Atom type=html, CDATA",
    short: "html CDATA",
    wrap: (html) => atomWith(`<content type="html">${cdata(html)}</content>`),
  },
  {
    name: "Atom type=xhtml",
    short: "xhtml",
    wrap: (html) =>
      atomWith(
        `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${escapeXml(html)}</div></content>`,
      ),
  },
  {
    name: "Atom type=text",
    short: "text",
    wrap: (html) => atomWith(`<title>${escapeXml(html)}</title>`),
  },
];

/** Floods at the XML level, each a whole document (some well-formed, some refused). */
export const XML_FLOODS: readonly HostileShape[] = [
  {
    name: "attributes on one element",
    make: (size) => rssWith(`<description ${distinctAttributes(size)}>x</description>`),
  },
  {
    name: "attributes on every element",
    make: (size) =>
      rssWith(repeatTo('<category a="1" b="2" c="3" d="4" e="5" f="6" g="7">x</category>', size)),
  },
  {
    name: "entity run in text",
    make: (size) => rssWith(`<description>${repeatTo("&amp;", size)}</description>`),
  },
  {
    name: "character references in text",
    make: (size) => rssWith(`<description>${repeatTo("&#60;&#x3c;", size)}</description>`),
  },
  {
    name: "entity run in an attribute",
    make: (size) => rssWith(`<source url="${repeatTo("&quot;", size)}">x</source>`),
  },
  { name: "deep nesting, closed (refused)", make: (size) => rssWith(nested("b", size)) },
  { name: "deep nesting, unclosed (refused)", make: (size) => rssWith(repeatTo("<b>", size)) },
  { name: "many empty elements", make: (size) => rssWith(repeatTo("<x/>", size)) },
  {
    name: "many items",
    make: (size) =>
      `<rss version="2.0"><channel>${repeatTo("<item><title>outage</title><guid>1</guid></item>", size)}</channel></rss>`,
  },
  {
    name: "many CDATA sections",
    make: (size) => rssWith(`<description>${repeatTo("<![CDATA[a]]>", size)}</description>`),
  },
  { name: "many comments", make: (size) => rssWith(repeatTo("<!--a-->", size)) },
  { name: "many processing instructions", make: (size) => rssWith(repeatTo("<?a b?>", size)) },
  {
    name: "long text",
    make: (size) => rssWith(`<description>${repeatTo("a ", size)}</description>`),
  },
  { name: "long tag name", make: (size) => rssWith(`<${repeatTo("a", size)}/>`) },
  {
    name: "'<' flood in text (refused)",
    make: (size) => rssWith(`<description>${repeatTo("<", size)}</description>`),
  },
  { name: "open quote (refused)", make: (size) => rssWith(`<source url="${repeatTo("x", size)}`) },
  {
    name: "deep inline XHTML (refused)",
    make: (size) => atomWith(`<content type="xhtml">${repeatTo("<span>", size)}</content>`),
  },
  {
    name: "many inline XHTML elements",
    make: (size) =>
      atomWith(
        `<content type="xhtml"><div>${repeatTo("<p>No <em>signal</em></p>", size)}</div></content>`,
      ),
  },
];

/** `Link` headers a hostile server may send with a timeline page. */
export const LINK_HEADER_SHAPES: readonly HostileShape[] = [
  {
    name: "spaces before an open quote",
    make: (size) => `<https://m.example/x>; rel=next${repeatTo(" ", size)}"x`,
  },
  {
    name: "spaces inside a quoted rel",
    make: (size) => `<https://m.example/x>; rel="a next${repeatTo(" ", size)}"x`,
  },
  { name: "parameter flood", make: (size) => `<https://m.example/x>${repeatTo("; rel=", size)}` },
  {
    name: "link-value flood",
    make: (size) => repeatTo('<https://m.example/x>; rel="prev", ', size),
  },
  { name: "'<' flood", make: (size) => repeatTo("<", size) },
  { name: "open quote", make: (size) => `<https://m.example/x>; title="${repeatTo("\\,", size)}` },
];
