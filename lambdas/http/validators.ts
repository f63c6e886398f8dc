/**
 * HTTP validators (ETag, Last-Modified): read from a fresh response, kept in the source's
 * memory between ticks, and sent back so an unchanged feed costs a 304.
 */

/** HTTP validators of the last fresh response, sent back on the next request. */
export interface HttpValidators {
  etag?: string;
  lastModified?: string;
}

/** Validators as `SourceReading.memory` entries. */
export function validatorsToMemory(v: HttpValidators): Record<string, string> {
  const memory: Record<string, string> = {};
  if (v.etag) memory.etag = v.etag;
  if (v.lastModified) memory.lastModified = v.lastModified;
  return memory;
}

/** Validators back from a source's memory; null when there are none. */
export function validatorsFromMemory(
  m: Readonly<Record<string, string | number>> | null,
): HttpValidators | null {
  if (!m) return null;
  const v: HttpValidators = {};
  if (typeof m.etag === "string" && m.etag) v.etag = m.etag;
  if (typeof m.lastModified === "string" && m.lastModified) v.lastModified = m.lastModified;
  return v.etag || v.lastModified ? v : null;
}

/** The validators of a response, keeping the previous ones the server did not repeat. */
export function validatorsOf(
  headers: Headers,
  fallback: HttpValidators | null | undefined,
): HttpValidators {
  const v: HttpValidators = {};
  const etag = headers.get("etag") ?? fallback?.etag;
  const lastModified = headers.get("last-modified") ?? fallback?.lastModified;
  if (etag) v.etag = etag;
  if (lastModified) v.lastModified = lastModified;
  return v;
}
