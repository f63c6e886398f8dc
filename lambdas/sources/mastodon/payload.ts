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

/**
 * The `rel="next"` URL of an RFC 8288 `Link` header, if it stays on `origin` (a page
 * link to another host is not followed).
 * @example nextLink('<https://m.example/api/v1/timelines/tag/x?max_id=9>; rel="next"', "https://m.example")
 */
export function nextLink(header: string | null, origin: string): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (
      !match?.[1] ||
      !/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? "")
    ) {
      continue;
    }
    try {
      const url = new URL(match[1], origin);
      return url.origin === origin ? url.toString() : null;
    } catch {
      return null;
    }
  }
  return null;
}
