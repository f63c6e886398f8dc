/**
 * The path a request is routed by: the raw path without trailing slashes, so that
 * `/reports/` is `/reports` for the router and for CORS alike. Trimmed by a loop, not a
 * regular expression: `/\/+$/` backtracks over every run of slashes and takes quadratic
 * time on a path of thousands of them.
 */

/**
 * `rawPath` without its trailing slashes; `/` for the root.
 * @example routedPath("/reports//") // "/reports"
 */
export function routedPath(rawPath: string): string {
  let end = rawPath.length;
  while (end > 0 && rawPath.charCodeAt(end - 1) === 0x2f) end--;
  return end === 0 ? "/" : rawPath.slice(0, end);
}
