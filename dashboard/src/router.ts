/**
 * Routes inside the page live in the URL's hash, so `GET /` stays the only HTML route
 * the API serves and a link to an incident is still a plain URL.
 */

/** A page of the dashboard, from the URL's hash. */
export type Route =
  | { kind: "overview" }
  | { kind: "service"; id: string }
  | { kind: "incident"; id: string };

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
    return { kind: "overview" };
  }
  return match[1] === "service" ? { kind: "service", id } : { kind: "incident", id };
}
