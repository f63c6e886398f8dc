/**
 * Routes inside the page live in the URL's hash, so `GET /` stays the only HTML route
 * the API serves and a link to an incident is still a plain URL.
 */

/** A page of the dashboard, from the URL's hash; `notFound` for an id that cannot be one. */
export type Route =
  | { kind: "overview" }
  | { kind: "service"; id: string }
  | { kind: "incident"; id: string }
  | { kind: "notFound" };

/**
 * What service and incident ids look like. Anything else (such as "..", which would
 * climb out of `/services/` once the browser normalises the path) is never requested.
 */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The route a hash names, or null for a hash that is not a route (such as the skip
 * link's `#main`), which leaves the current page as it is.
 * @example parseRoute("#/incident/t-mobile-20230214T0150Z")
 */
export function parseRoute(hash: string): Route | null {
  if (hash === "" || hash === "#" || hash === "#/") return { kind: "overview" };
  const match = /^#\/(service|incident)\/([^/]+)$/.exec(hash);
  if (!match?.[1] || !match[2]) return hash.startsWith("#/") ? { kind: "overview" } : null;
  let id: string;
  try {
    id = decodeURIComponent(match[2]);
  } catch {
    return { kind: "notFound" };
  }
  if (!ID.test(id)) return { kind: "notFound" };
  return match[1] === "service" ? { kind: "service", id } : { kind: "incident", id };
}
