/**
 * An incident feed as Atom 1.0 (RFC 4287): the feed's id, title, updated, author and
 * self link (§4.1.1), and per entry its id, title, updated, published, an alternate link
 * and its timeline as text content (§4.1.2). Every text goes through `xmlText`.
 */
import { xmlText } from "../domain/xml-text";
import type { FeedEntry, IncidentFeed } from "../usecases/incident-feed";
import type { FeedLinks } from "./feed-links";

/** Atom's media type (RFC 4287 §7). */
export const ATOM_TYPE = "application/atom+xml; charset=utf-8";

const element = (name: string, text: string) => `<${name}>${xmlText(text)}</${name}>`;
const link = (rel: string, type: string, href: string) =>
  `<link rel="${rel}" type="${type}" href="${xmlText(href)}"/>`;

function entry(item: FeedEntry, links: FeedLinks): string {
  return [
    "<entry>",
    element("id", item.id),
    element("title", item.title),
    element("updated", item.updated),
    element("published", item.published),
    link("alternate", "text/html", links.incident(item.incidentId)),
    `<content type="text">${xmlText(item.text)}</content>`,
    "</entry>",
  ].join("\n");
}

/**
 * The feed as an Atom document.
 * @example atomFeed(feed, feedLinks(feed, origin, "atom")) // '<?xml version="1.0" ...'
 */
export function atomFeed(feed: IncidentFeed, links: FeedLinks): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    element("id", feed.id),
    element("title", feed.title),
    element("updated", feed.updated),
    link("self", "application/atom+xml", links.self),
    link("alternate", "text/html", links.home),
    "<author><name>outcry</name></author>",
    element("generator", "outcry"),
    ...feed.entries.map((item) => entry(item, links)),
    "</feed>",
    "",
  ].join("\n");
}
