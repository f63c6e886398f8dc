/**
 * Small text steps every status reader shares: a provider's title as one bounded line,
 * the path of a payload check's first failure as a reader writes it, the error for a
 * feed that does not match its format, and the lower-case scopes of a stated incident.
 */
import { SourceHttpError } from "../http/fetch-with-policy";

/**
 * `text` on one line, at most `max` characters (an ellipsis marks the cut).
 * @example oneLine("Elevated\n  errors") // "Elevated errors"
 */
export function oneLine(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A validation issue's path as a field name, e.g. `included[3].attributes.public_name`.
 * @example fieldPath([3, "affected_products", 0, "title"]) // "[3].affected_products[0].title"
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

/**
 * The error for a feed that does not match its format: not retried (the same document
 * would fail again), its message naming the URL, the field and what to check.
 */
export function feedPayloadError(url: string, what: string, hint: string): SourceHttpError {
  return new SourceHttpError(`GET ${url} ${what}; ${hint}`, {
    url,
    retryable: false,
    reason: "invalid-payload",
  });
}

/**
 * Scopes as a stated incident carries them: trimmed, lower-case, each once, empty ones
 * left out, in the order given.
 * @example scopesOf(["us-central1", "Google BigQuery", "US-CENTRAL1"]) // ["us-central1", "google bigquery"]
 */
export function scopesOf(names: readonly (string | null | undefined)[]): string[] {
  const scopes = new Set<string>();
  for (const name of names) {
    const scope = name?.trim().toLowerCase();
    if (scope) scopes.add(scope);
  }
  return [...scopes];
}
