/**
 * Which pages may post a crowd report. A browser lets any page POST JSON to any address
 * (POST is a CORS-safelisted method, so no `Access-Control-Allow-Methods` answer stops
 * it), and every visitor of such a page is a distinct reporter: a free botnet. So the
 * API refuses a report a browser sends on behalf of another site, by what the browser
 * itself declares and a page cannot forge:
 * - `Sec-Fetch-Site` (sent by every current browser): only `same-origin` (the API's own
 *   dashboard) or `none` (typed or bookmarked) pass, unless the page's origin is listed;
 * - `Origin` (sent with every cross-origin and most same-origin POSTs): it must be the
 *   API's own origin (the `Host` the request was sent to) or one of
 *   `reports.embedOrigins`; `null` (sandboxed frames, local files) never passes.
 * A request with neither header is not from a browser page (curl, `outcry report`, a
 * server): nothing here stops it, and the challenge, the dedup window and the
 * per-network cap are what hold such clients back.
 */
import { echoed } from "../domain/echoed";
import { HttpError } from "./http-error";

/** The origin of the API itself as the client addressed it, lower-cased. */
function ownHost(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  return headers.host?.trim().toLowerCase();
}

/** `host[:port]` of an origin such as `https://status.example.com`; undefined when malformed. */
function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a report a browser page of another site is sending.
 * @param headers the request's headers, names lower-cased (as API Gateway gives them)
 * @param embedOrigins origins allowed to embed a report form (`reports.embedOrigins`)
 * @throws HttpError 403 naming the refused origin (truncated) and the setting that would allow it
 */
export function refuseForeignReportOrigin(
  headers: Readonly<Record<string, string | undefined>>,
  embedOrigins: readonly string[],
  taken = "reports are taken",
): void {
  const origin = headers.origin?.trim().toLowerCase();
  const listed = origin !== undefined && embedOrigins.some((o) => o.toLowerCase() === origin);
  if (listed) return;
  const site = headers["sec-fetch-site"]?.trim().toLowerCase();
  const sameOrigin =
    origin === undefined ||
    (origin !== "null" && hostOf(origin) !== undefined && hostOf(origin) === ownHost(headers));
  if ((site === undefined || site === "same-origin" || site === "none") && sameOrigin) return;
  const shown = origin ? echoed(origin) : `a ${echoed(site ?? "")} page`;
  throw new HttpError(
    403,
    "Forbidden",
    `${taken} from this API's own dashboard, scripts and servers, not from pages of other sites (${shown}); to embed a form on a site of yours, list its origin in reports.embedOrigins`,
  );
}
