/**
 * Small text steps the Better Stack and Cachet readers share: a provider's title as one
 * bounded line, and the path of a payload check's first failure as a reader writes it.
 */

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
 * @example fieldPath(["data", 2, "name"]) // "data[2].name"
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}
