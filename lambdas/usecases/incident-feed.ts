/**
 * Use case: the incidents a feed follows (all services, or one), as entries a feed
 * reader keeps. Steps:
 * 1. Read the newest {@link FEED_ENTRIES} incidents, of the one service when it names one.
 * 2. Make each an entry: a permanent id, its subject and timeline, when it started and
 *    when it last changed, and where to read it.
 * 3. Date the feed by its latest change; an empty feed by a fixed time, so that the same
 *    nothing always reads the same (and keeps its ETag).
 * The renderings are `lambdas/api/atom-feed.ts` and `lambdas/api/json-feed.ts`.
 */
import { toIso } from "../domain/buckets";
import type { Service } from "../domain/config";
import { lastChangedAt } from "../domain/incident";
import { type ListIncidentsDependencies, listStoredIncidents } from "./list-incidents";

/** Entries a feed holds: the newest incidents (readers keep the older ones they saw). */
export const FEED_ENTRIES = 50;

/** `updated` of a feed with no entries: a fixed time, never "now". */
export const EMPTY_FEED_UPDATED = "1970-01-01T00:00:00Z";

/** One incident as a feed entry; times ISO-8601 UTC. */
export interface FeedEntry {
  /** Permanent: `urn:outcry:incident:<incident id>`. */
  id: string;
  incidentId: string;
  title: string;
  text: string;
  published: string;
  updated: string;
}

/** A feed, before it is written as Atom or JSON Feed. */
export interface IncidentFeed {
  /** Permanent: `urn:outcry:feed` or `urn:outcry:feed:service:<service id>`. */
  id: string;
  title: string;
  updated: string;
  /** The service it follows; undefined for the feed of every service. */
  service: Service | undefined;
  entries: FeedEntry[];
}

/**
 * The feed of every service's incidents, or of `service`'s.
 * @example const feed = await incidentFeed(deps, serviceById(config, "t-mobile"));
 */
export async function incidentFeed(
  deps: ListIncidentsDependencies,
  service: Service | undefined,
): Promise<IncidentFeed> {
  // 1. The newest incidents.
  const { items } = await listStoredIncidents(deps, { service: service?.id, limit: FEED_ENTRIES });
  // 2. One entry each.
  const entries = items.map(({ incident, summary }) => ({
    id: `urn:outcry:incident:${incident.id}`,
    incidentId: incident.id,
    title: summary.subject,
    text: summary.text,
    published: toIso(incident.startedAt),
    updated: toIso(lastChangedAt(incident)),
  }));
  // 3. Dated by its latest change (ISO-8601 UTC strings of one form sort as times).
  const updated =
    entries
      .map((entry) => entry.updated)
      .sort()
      .at(-1) ?? EMPTY_FEED_UPDATED;
  return {
    id: service ? `urn:outcry:feed:service:${service.id}` : "urn:outcry:feed",
    title: service ? `outcry: ${service.name} incidents` : "outcry: incidents",
    updated,
    service,
    entries,
  };
}
