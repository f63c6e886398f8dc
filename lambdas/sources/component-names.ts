/**
 * A status page's components picked by name, as the status-page sources' `components`
 * settings list them.
 */

/**
 * The components named in `only` (trimmed, case-insensitive), in the page's order.
 * @throws Error naming the listed components the page does not have, and what it lists
 * @example namedComponents([{ name: "API" }, { name: "Website" }], ["api"]) // [{ name: "API" }]
 */
export function namedComponents<T extends { name: string }>(
  components: readonly T[],
  only: readonly string[],
): T[] {
  const key = (name: string) => name.trim().toLowerCase();
  const wanted = new Set(only.map(key));
  const listed = components.filter((c) => wanted.has(key(c.name)));
  const missing = only.filter((name) => !listed.some((c) => key(c.name) === key(name)));
  if (missing.length > 0) {
    const names = components.map((c) => c.name);
    throw new Error(
      `the status page has no component named ${missing.map((m) => `'${m}'`).join(", ")}; it lists ${names.slice(0, 30).join(", ") || "no components"}`,
    );
  }
  return listed;
}
