/**
 * Reading a Mastodon timeline response: the statuses of one page, and the next page's
 * address from its `Link` header.
 */
import { parseIso } from "../../domain/buckets";
import { SourceHttpError } from "../../http/fetch-with-policy";
import { htmlToText } from "../html-text";

/** The fields of a Mastodon status this source reads. */
export interface MastodonStatus {
  id: string;
  createdAt: number;
  /** Plain text of the post: content without HTML, plus the content warning. */
  text: string;
  isReblog: boolean;
}

/**
 * Reads one page of the timeline (a JSON array of statuses). A status without an id or
 * a readable `created_at` is skipped rather than failing the page.
 * @throws Error when the body is not an array (an error object, a web page…)
 */
export function parseStatuses(document: unknown, url: string): MastodonStatus[] {
  if (!Array.isArray(document)) {
    const error =
      document && typeof document === "object" && "error" in document
        ? `: ${String((document as { error: unknown }).error)}`
        : "";
    throw new SourceHttpError(
      `GET ${url} did not return a list of statuses${error}; check the instance address and that its hashtag timelines are public`,
      { url, retryable: false },
    );
  }
  const statuses: MastodonStatus[] = [];
  for (const raw of document) {
    if (!raw || typeof raw !== "object") continue;
    const status = raw as Record<string, unknown>;
    // Some servers send microseconds; parseIso reads up to milliseconds.
    const createdAt =
      typeof status.created_at === "string"
        ? parseIso(status.created_at.replace(/(\.\d{3})\d+/, "$1"))
        : Number.NaN;
    if (typeof status.id !== "string" || Number.isNaN(createdAt)) continue;
    const content = typeof status.content === "string" ? htmlToText(status.content) : "";
    const warning = typeof status.spoiler_text === "string" ? status.spoiler_text : "";
    statuses.push({
      id: status.id,
      createdAt,
      text: warning ? `${warning} ${content}` : content,
      isReblog: status.reblog !== null && status.reblog !== undefined,
    });
  }
  return statuses;
}

/** One link-value of a `Link` header: its target as written and its first `rel`, lowercase. */
interface LinkValue {
  target: string;
  rel: string;
}

/** Where the quoted-string that opens at `from` (a `"`) ends: after its closing quote. */
function quotedStringEnd(header: string, from: number): number {
  let i = from + 1;
  while (i < header.length && header[i] !== '"') i += header[i] === "\\" ? 2 : 1;
  return i + 1;
}

/**
 * The link-values of an RFC 8288 `Link` header, read left to right once: `<target>` then
 * `; name=value` parameters (a value a token or a quoted-string) up to a comma outside
 * quotes. A pattern over the parameters would backtrack on a long hostile header.
 */
function linkValues(header: string): LinkValue[] {
  const links: LinkValue[] = [];
  let i = 0;
  while (i < header.length) {
    const open = header.indexOf("<", i);
    const close = open === -1 ? -1 : header.indexOf(">", open + 1);
    if (close === -1) break;
    const link: LinkValue = { target: header.slice(open + 1, close), rel: "" };
    let sawRel = false;
    i = close + 1;
    while (i < header.length && header[i] !== ",") {
      if (header[i] !== ";") {
        i += header[i] === '"' ? quotedStringEnd(header, i) - i : 1;
        continue;
      }
      const nameStart = i + 1;
      i = nameStart;
      while (i < header.length && header[i] !== "=" && header[i] !== ";" && header[i] !== ",") i++;
      const name = header.slice(nameStart, i).trim().toLowerCase();
      let value = "";
      if (header[i] === "=") {
        i++;
        while (header[i] === " " || header[i] === "\t") i++;
        const valueStart = i;
        if (header[i] === '"') {
          i = quotedStringEnd(header, i);
          value = header.slice(valueStart + 1, i - 1).replace(/\\(.)/g, "$1");
        } else {
          while (i < header.length && header[i] !== ";" && header[i] !== ",") i++;
          value = header.slice(valueStart, i).trim();
        }
      }
      // RFC 8288 §3.3: a second `rel` parameter is ignored.
      if (name === "rel" && !sawRel) {
        link.rel = value.toLowerCase();
        sawRel = true;
      }
    }
    links.push(link);
    i++;
  }
  return links;
}

/**
 * The `rel="next"` URL of an RFC 8288 `Link` header, if it stays on `origin` (a page
 * link to another host is not followed).
 * @example nextLink('<https://m.example/api/v1/timelines/tag/x?max_id=9>; rel="next"', "https://m.example")
 */
export function nextLink(header: string | null, origin: string): string | null {
  if (!header) return null;
  const next = linkValues(header).find(
    (link) => link.target !== "" && link.rel.split(/[ \t]+/).includes("next"),
  );
  if (!next) return null;
  try {
    const url = new URL(next.target, origin);
    return url.origin === origin ? url.toString() : null;
  } catch {
    return null;
  }
}
