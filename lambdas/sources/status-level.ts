/**
 * What the status-page sources (statuspage, statusio, instatus, betterstack, cachet) and
 * the provider feeds (gcp-status, aws-health) share: a page read as a level (0
 * operational ... 3 major outage) counted on the newest bucket, its documents fetched
 * conditionally against the validators the last read remembered (kept per document when
 * a page has two), the level remembered beside them, so a 304 repeats it, and the
 * stated incidents narrowed to the configured filter.
 */
import type { SourceReading, SourceRequest, StatedIncident } from "../domain/count-source";
import {
  type FetchOptions,
  type FetchResult,
  fetchWithPolicy,
  type HttpValidators,
  type OutboundPolicy,
  validatorsFromMemory,
  validatorsToMemory,
} from "../http/fetch-with-policy";

/** The level the last read remembered, or null when it remembered none. */
export function rememberedLevel(memory: SourceRequest["memory"]): number | null {
  return typeof memory?.level === "number" ? memory.level : null;
}

/**
 * Fetches one JSON document of a status page, conditionally when `validators` are given;
 * a 304 without them (nothing remembered to repeat) is refetched whole. `reading` sets
 * how the body is read where a feed needs it (a larger cap, its own decoding).
 */
export async function fetchStatusDocument(
  url: string,
  request: SourceRequest,
  outbound: OutboundPolicy,
  validators: HttpValidators | null,
  reading: Pick<FetchOptions, "maxBytes" | "decodeBody"> = {},
): Promise<FetchResult> {
  const options = {
    ...reading,
    signal: request.signal,
    outbound,
    deadlineAt: request.deadlineAt,
    expect: "json" as const,
  };
  const result = await fetchWithPolicy(url, { ...options, validators });
  if (result.status === "not-modified" && validators === null) {
    return fetchWithPolicy(url, options);
  }
  return result;
}

/** The counts of a read: `level` on the newest bucket asked for, the others left open. */
export function levelCounts(request: SourceRequest, level: number): SourceReading["counts"] {
  const counts: (number | null)[] = request.buckets.map(() => null);
  if (counts.length > 0) counts[counts.length - 1] = level;
  return counts;
}

/**
 * The stated incidents that concern the configured filter: all of them without one; with
 * one, those that name a listed scope (trimmed, case-insensitive) or name none (the whole
 * page). Scopes come back lower-case and trimmed.
 * @example inFilter([{ key: "a", title: "API down", startedAt, scopes: ["API"] }], ["api"])
 */
export function inFilter(
  stated: readonly StatedIncident[],
  only: readonly string[] | undefined,
): StatedIncident[] {
  const key = (name: string) => name.trim().toLowerCase();
  const wanted = only && only.length > 0 ? new Set(only.map(key)) : null;
  return stated
    .map((incident) => ({ ...incident, scopes: [...new Set(incident.scopes.map(key))] }))
    .filter(
      (incident) =>
        !wanted || incident.scopes.length === 0 || incident.scopes.some((s) => wanted.has(s)),
    );
}

/**
 * The validators of one of a page's documents, as `documentMemory` kept them: the keys
 * are prefixed per document, so a page read from two documents keeps both in one memory.
 * @example documentValidators("summary", { "summary.etag": '"s1"' }) // { etag: '"s1"' }
 */
export function documentValidators(
  document: string,
  memory: SourceRequest["memory"],
): HttpValidators | null {
  if (!memory) return null;
  const start = `${document}.`;
  return validatorsFromMemory(
    Object.fromEntries(
      Object.entries(memory)
        .filter(([key]) => key.startsWith(start))
        .map(([key, value]) => [key.slice(start.length), value]),
    ),
  );
}

/**
 * The memory entries that keep one document's validators (see {@link documentValidators}).
 * @example documentMemory("summary", { etag: '"s1"' }) // { "summary.etag": '"s1"' }
 */
export function documentMemory(
  document: string,
  validators: HttpValidators,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(validatorsToMemory(validators)).map(([key, value]) => [
      `${document}.${key}`,
      value,
    ]),
  );
}
