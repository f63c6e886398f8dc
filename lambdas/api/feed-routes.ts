/**
 * The followers' routes: incidents as Atom and JSON Feed (all services, or one), and a
 * service's status as a badge (SVG, or shields.io's endpoint JSON). Reads like the other
 * status routes, behind `api.auth`; cached and validated (ETag, 304) the same way.
 */
import { JsonFeedSchema, ShieldsEndpointSchema } from "../../contract/api-schemas";
import type { Service } from "../domain/config";
import { incidentFeed } from "../usecases/incident-feed";
import { serviceStatus } from "../usecases/query-status";
import { ATOM_TYPE, atomFeed } from "./atom-feed";
import { badgeSvg, SVG_TYPE } from "./badge-svg";
import { feedLinks } from "./feed-links";
import { JSON_FEED_TYPE, jsonFeed } from "./json-feed";
import { publicOrigin } from "./public-origin";
import { json, typed } from "./responses";
import {
  type ApiDependencies,
  knownService,
  LIVE_CACHE,
  type RouteRequest,
  type RouteSpec,
} from "./route-spec";
import { statusBadge } from "./status-badge";

/** shields.io keeps an endpoint's answer at least this long (its documented minimum). */
const SHIELDS_CACHE_SECONDS = 300;

const ATOM_SUCCESS = {
  status: 200,
  description: "an Atom 1.0 feed (RFC 4287)",
  mediaType: "application/atom+xml",
};
const JSON_FEED_SUCCESS = {
  status: 200,
  schema: JsonFeedSchema,
  description: "a JSON Feed 1.1",
  mediaType: "application/feed+json",
};

const FEED_DESCRIPTION =
  "The newest 50 incidents, newest first; an entry's id is permanent and its updated time moves when the incident changes (opens, peaks, falls off, resolves). Links point at the dashboard.";

/** The answer of a feed route, as Atom or as JSON Feed. */
async function feedAnswer(
  deps: ApiDependencies,
  { event }: RouteRequest,
  service: Service | undefined,
  format: "atom" | "json",
) {
  const feed = await incidentFeed(deps, service);
  const links = feedLinks(feed, publicOrigin(event), format);
  return format === "atom"
    ? typed(200, ATOM_TYPE, atomFeed(feed, links))
    : typed(200, JSON_FEED_TYPE, JSON.stringify(jsonFeed(feed, links)));
}

async function badgeOf(deps: ApiDependencies, { params, now }: RouteRequest) {
  const service = knownService(deps, params.id);
  const { status } = await serviceStatus(deps, service, now);
  return statusBadge(service.name, status);
}

/** The followers' routes, in the order the OpenAPI document lists them. */
export const FEED_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    path: "/feed.atom",
    operationId: "getFeedAtom",
    tag: "feeds",
    summary: "Every service's incidents as an Atom feed",
    description: FEED_DESCRIPTION,
    success: ATOM_SUCCESS,
    errors: [],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, request) => feedAnswer(deps, request, undefined, "atom"),
  },
  {
    method: "GET",
    path: "/feed.json",
    operationId: "getFeedJson",
    tag: "feeds",
    summary: "Every service's incidents as a JSON Feed",
    description: FEED_DESCRIPTION,
    success: JSON_FEED_SUCCESS,
    errors: [],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, request) => feedAnswer(deps, request, undefined, "json"),
  },
  {
    method: "GET",
    path: "/services/{id}/feed.atom",
    operationId: "getServiceFeedAtom",
    tag: "feeds",
    summary: "One service's incidents as an Atom feed",
    description: FEED_DESCRIPTION,
    success: ATOM_SUCCESS,
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, request) =>
      feedAnswer(deps, request, knownService(deps, request.params.id), "atom"),
  },
  {
    method: "GET",
    path: "/services/{id}/feed.json",
    operationId: "getServiceFeedJson",
    tag: "feeds",
    summary: "One service's incidents as a JSON Feed",
    description: FEED_DESCRIPTION,
    success: JSON_FEED_SUCCESS,
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, request) =>
      feedAnswer(deps, request, knownService(deps, request.params.id), "json"),
  },
  {
    method: "GET",
    path: "/badge/{id}.svg",
    operationId: "getBadgeSvg",
    tag: "feeds",
    summary: "A service's status now as a badge image",
    description:
      "A shields.io-style flat badge: the service's name, its status in words (normal, elevated reports, outage) on green, yellow or red.",
    success: { status: 200, description: "an SVG image", mediaType: "image/svg+xml" },
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, request) => typed(200, SVG_TYPE, badgeSvg(await badgeOf(deps, request))),
  },
  {
    method: "GET",
    path: "/badge/{id}.json",
    operationId: "getBadgeJson",
    tag: "feeds",
    summary: "A service's status now for shields.io's endpoint badge",
    description:
      "For https://img.shields.io/endpoint?url=<this address>: the same label, message and colour as the SVG badge.",
    success: { status: 200, schema: ShieldsEndpointSchema, description: "a shields.io endpoint" },
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, request) => {
      const badge = await badgeOf(deps, request);
      return json(200, {
        schemaVersion: 1,
        label: badge.label,
        message: badge.message,
        color: badge.colorName,
        cacheSeconds: SHIELDS_CACHE_SECONDS,
      });
    },
  },
];
