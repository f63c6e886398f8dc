/**
 * An incident feed as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): `version`,
 * `title` and `items` are required, each item an `id` and `content_text` or
 * `content_html`; the rest says where the feed lives and when each item changed.
 */
import type { z } from "zod/mini";
import type { JsonFeedSchema } from "../../contract/api-schemas";
import type { IncidentFeed } from "../usecases/incident-feed";
import type { FeedLinks } from "./feed-links";

/** JSON Feed's media type (its spec, "Suggestions for Publishers"). */
export const JSON_FEED_TYPE = "application/feed+json; charset=utf-8";

/**
 * The feed as a JSON Feed 1.1 document.
 * @example jsonFeed(feed, feedLinks(feed, origin, "json")).version // "https://jsonfeed.org/version/1.1"
 */
export function jsonFeed(feed: IncidentFeed, links: FeedLinks): z.infer<typeof JsonFeedSchema> {
  return {
    version: "https://jsonfeed.org/version/1.1",
    title: feed.title,
    home_page_url: links.home,
    feed_url: links.self,
    authors: [{ name: "outcry" }],
    items: feed.entries.map((item) => ({
      id: item.id,
      url: links.incident(item.incidentId),
      title: item.title,
      content_text: item.text,
      date_published: item.published,
      date_modified: item.updated,
    })),
  };
}
