/**
 * The path a request is routed by: the raw path without trailing slashes, so that
 * `/reports/` is `/reports` for the router and for CORS alike.
 */
import { withoutTrailingSlashes } from "../domain/trailing-slashes";

/**
 * `rawPath` without its trailing slashes; `/` for the root.
 * @example routedPath("/reports//") // "/reports"
 */
export function routedPath(rawPath: string): string {
  return withoutTrailingSlashes(rawPath) || "/";
}
