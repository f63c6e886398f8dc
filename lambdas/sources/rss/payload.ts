/**
 * Reading an RSS 2.0, RSS 1.0 (RDF) or Atom document into items, safely: entity
 * declarations are refused and only XML's predefined entities are expanded.
 */
import { XMLParser } from "fast-xml-parser";
import { invalidBody } from "../../http/fetch-with-policy";
import { htmlToText } from "../html-text";

/** One feed item, reduced to what counting needs. */
export interface FeedItem {
  /** guid / id / link: stable across reads. */
  id: string;
  /** Epoch ms; null when the item carries no readable date. */
  at: number | null;
  /** Title and body as plain text (tags stripped, entities decoded). */
  text: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  // Entity declarations are refused before parsing (see parseFeed), so only XML's five
  // predefined entities and character references are ever replaced.
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === "item" || name === "entry" || name === "link",
  // Atom bodies may be inline XHTML with mixed content ("No <em>signal</em> here"), which
  // an object tree would reorder; keep them raw and reduce them to text in `htmlToText`.
  stopNodes: ["feed.entry.content", "feed.entry.summary"],
});

type XmlNode = Record<string, unknown>;

function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The text of an element whether it parsed as a string, `{#text, @_attr}`, or a list. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(textOf).join(" ");
  if (isNode(value)) {
    // `#text` plus any nested elements (Atom's type="xhtml" content), never attributes.
    return Object.entries(value)
      .filter(([key]) => !key.startsWith("@_"))
      .map(([, child]) => textOf(child))
      .join(" ");
  }
  return "";
}

/**
 * Epoch ms of a feed date: RFC 822 (`Tue, 14 Feb 2023 03:21:00 GMT`, `+0000`, `EST`) or
 * ISO-8601. A date without a zone is read as UTC, so the result never depends on the
 * machine's time zone. Null when unreadable.
 * @example parseFeedDate("Tue, 14 Feb 2023 03:21:00 +0000") // 1676344860000
 */
export function parseFeedDate(text: string): number | null {
  let value = text.trim();
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) {
    value = `${value.replace(" ", "T")}Z`;
  } else if (/^(\w{3},?\s+)?\d{1,2}\s+\w{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(:\d{2})?$/.test(value)) {
    value = `${value} GMT`;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

function dateOf(...candidates: unknown[]): number | null {
  for (const candidate of candidates) {
    const at = parseFeedDate(textOf(candidate));
    if (at !== null) return at;
  }
  return null;
}

/** The href of an Atom entry's alternate link (or its first link). */
function atomLink(links: unknown): string {
  const list = Array.isArray(links) ? links : [links];
  const nodes = list.filter(isNode);
  const alternate =
    nodes.find((l) => l["@_rel"] === undefined || l["@_rel"] === "alternate") ?? nodes[0];
  return alternate ? textOf(alternate["@_href"]) : "";
}

function rssItem(item: XmlNode): FeedItem {
  const link = textOf(item.link).trim();
  const title = textOf(item.title);
  // RSS 2.0 dates are RFC 822 (`pubDate`); many feeds add Dublin Core's ISO `dc:date`.
  const at = dateOf(item.pubDate, item["dc:date"]);
  const body = [textOf(item.description), textOf(item["content:encoded"])].join(" ");
  const id = textOf(item.guid).trim() || link || `${title}#${at ?? ""}`;
  return { id, at, text: htmlToText(`${title} ${body}`) };
}

function atomEntry(entry: XmlNode): FeedItem {
  const link = atomLink(entry.link).trim();
  const title = textOf(entry.title);
  const at = dateOf(entry.published, entry.updated);
  // Raw (see `stopNodes`): XHTML as markup, type="html" as escaped markup, or CDATA. One
  // pass strips real tags and decodes the escaping, the next strips the escaped tags.
  const raw = [textOf(entry.summary), textOf(entry.content)]
    .join(" ")
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1");
  const id = textOf(entry.id).trim() || link || `${title}#${at ?? ""}`;
  return { id, at, text: htmlToText(`${htmlToText(title)} ${htmlToText(htmlToText(raw))}`) };
}

/** fast-xml-parser reports unclosed elements as a JSON list; say what that means. */
function readableParseError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const unclosed = /^Invalid '\[([^\]]*)\]' found/.exec(message);
  if (!unclosed?.[1]) return new Error(message);
  const names = [...unclosed[1].matchAll(/"([^"]+)"/g)].map((m) => `<${m[1]}>`);
  return new Error(
    `the document ends before ${names.join(", ")} ${names.length > 1 ? "are" : "is"} closed`,
  );
}

/**
 * Parses an RSS 2.0 (or RSS 1.0/RDF) or Atom document into items.
 * @throws naming `url` when the document is malformed, truncated or not a feed
 * @example parseFeed(result.body, result.url).length
 */
export function parseFeed(xml: string, url: string): FeedItem[] {
  if (/<!ENTITY/i.test(xml)) {
    throw invalidBody(
      url,
      "RSS or Atom",
      new Error("it declares XML entities, which feeds never need and outcry refuses to expand"),
    );
  }
  let document: unknown;
  try {
    document = parser.parse(xml, true);
  } catch (error) {
    throw invalidBody(url, "RSS or Atom", readableParseError(error));
  }
  const root = isNode(document) ? document : {};
  const rss = root.rss;
  if (isNode(rss)) {
    const channel = Array.isArray(rss.channel) ? rss.channel[0] : rss.channel;
    const items = isNode(channel) && Array.isArray(channel.item) ? channel.item : [];
    return items.filter(isNode).map(rssItem);
  }
  const rdf = root["rdf:RDF"];
  if (isNode(rdf)) {
    const items = Array.isArray(rdf.item) ? rdf.item : [];
    return items.filter(isNode).map(rssItem);
  }
  const feed = root.feed;
  if (isNode(feed) || feed === "") {
    const entries = isNode(feed) && Array.isArray(feed.entry) ? feed.entry : [];
    return entries.filter(isNode).map(atomEntry);
  }
  const found = Object.keys(root).filter((k) => !k.startsWith("?") && !k.startsWith("#"));
  throw invalidBody(
    url,
    "RSS or Atom",
    new Error(`the root element is <${found[0] ?? "none"}>, not <rss> or <feed>`),
  );
}
