/**
 * Reading an RSS 2.0, RSS 1.0 (RDF) or Atom document into items. The XML is read by
 * `xml-document.ts` (safely, in linear time) and each item's text by `feed-text.ts`
 * (decoded once per level of escaping).
 */
import { invalidBody } from "../../http/fetch-with-policy";
import { atomText, htmlText } from "./feed-text";
import {
  attribute,
  childElement,
  childElements,
  readXml,
  textContent,
  type XmlElement,
} from "./xml-document";

/** One feed item, reduced to what counting needs. */
export interface FeedItem {
  /** guid / id / link: stable across reads. */
  id: string;
  /** Epoch ms; null when the item carries no readable date. */
  at: number | null;
  /** Title and body as plain text (tags stripped, entities decoded). */
  text: string;
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

function dateOf(...candidates: (XmlElement | undefined)[]): number | null {
  for (const candidate of candidates) {
    const at = parseFeedDate(textContent(candidate));
    if (at !== null) return at;
  }
  return null;
}

/** The href of an Atom entry's alternate link (or its first link). */
function atomLink(entry: XmlElement): string {
  const links = childElements(entry, "link");
  const rel = (link: XmlElement) => attribute(link, "rel");
  const alternate = links.find((l) => rel(l) === undefined || rel(l) === "alternate") ?? links[0];
  return alternate ? (attribute(alternate, "href") ?? "") : "";
}

/** Title and bodies as one text; the parts are plain already, so nothing is decoded again. */
function joinText(...parts: string[]): string {
  return parts.filter((part) => part !== "").join(" ");
}

function rssItem(item: XmlElement): FeedItem {
  const link = textContent(childElement(item, "link")).trim();
  const title = childElement(item, "title");
  // RSS 2.0 dates are RFC 822 (`pubDate`); many feeds add Dublin Core's ISO `dc:date`.
  const at = dateOf(childElement(item, "pubDate"), childElement(item, "dc:date"));
  const id =
    textContent(childElement(item, "guid")).trim() ||
    link ||
    `${textContent(title).trim()}#${at ?? ""}`;
  const text = joinText(
    htmlText(title),
    htmlText(childElement(item, "description")),
    htmlText(childElement(item, "content:encoded")),
  );
  return { id, at, text };
}

function atomEntry(entry: XmlElement): FeedItem {
  const link = atomLink(entry).trim();
  const title = childElement(entry, "title");
  const at = dateOf(childElement(entry, "published"), childElement(entry, "updated"));
  const id =
    textContent(childElement(entry, "id")).trim() ||
    link ||
    `${textContent(title).trim()}#${at ?? ""}`;
  const text = joinText(
    atomText(title),
    atomText(childElement(entry, "summary")),
    atomText(childElement(entry, "content")),
  );
  return { id, at, text };
}

/**
 * Parses an RSS 2.0 (or RSS 1.0/RDF) or Atom document into items.
 * @throws naming `url` when the document is malformed, truncated, declares entities or is
 *   not a feed
 * @example parseFeed(result.body, result.url).length
 */
export function parseFeed(xml: string, url: string): FeedItem[] {
  let document: ReturnType<typeof readXml>;
  try {
    document = readXml(xml);
  } catch (error) {
    throw invalidBody(
      url,
      "RSS or Atom",
      error instanceof Error ? error : new Error(String(error)),
    );
  }
  const root = document.find((node): node is XmlElement => typeof node !== "string");
  if (root?.name === "rss") {
    const channel = childElement(root, "channel");
    return channel ? childElements(channel, "item").map(rssItem) : [];
  }
  // RSS 1.0 puts its items beside the channel, not in it.
  if (root?.name === "rdf:RDF") return childElements(root, "item").map(rssItem);
  if (root?.name === "feed") return childElements(root, "entry").map(atomEntry);
  throw invalidBody(
    url,
    "RSS or Atom",
    new Error(`the root element is <${root?.name ?? "none"}>, not <rss> or <feed>`),
  );
}
