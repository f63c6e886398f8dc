/**
 * Where a feed and its entries point: the dashboard's views (`#/service/<id>`,
 * `#/incident/<id>`, as `dashboard/src/router.ts` reads them) and the feed's own address.
 */
import type { IncidentFeed } from "../usecases/incident-feed";

/** The links of one feed, absolute on `origin`. */
export interface FeedLinks {
  /** The page a reader opens for the feed. */
  home: string;
  /** The feed itself, in the format asked for. */
  self: string;
  /** The page of one incident. */
  incident(id: string): string;
}

/**
 * The links of `feed` in the format whose file name ends in `extension`.
 * @example feedLinks(feed, "https://example.com", "atom").self // "https://example.com/feed.atom"
 */
export function feedLinks(feed: IncidentFeed, origin: string, extension: string): FeedLinks {
  const service = feed.service && encodeURIComponent(feed.service.id);
  return {
    home: service ? `${origin}/#/service/${service}` : `${origin}/`,
    self: service
      ? `${origin}/services/${service}/feed.${extension}`
      : `${origin}/feed.${extension}`,
    incident: (id) => `${origin}/#/incident/${encodeURIComponent(id)}`,
  };
}
