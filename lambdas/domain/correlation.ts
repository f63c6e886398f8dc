/**
 * Correlation: services whose incidents overlap in time name each other, as the seed
 * story's "Verizon and AT&T spiked at the same time".
 */
import { MINUTE_MS } from "./buckets";
import type { Incident } from "./incident";

/**
 * For each incident, the other services whose incidents overlap it, allowing
 * `windowMinutes` of slack on both sides. An open incident extends to `nowMs`.
 *
 * @returns incident id → sorted service ids
 * @example correlate([tmobile, verizon], 30, now).get(tmobile.id) // ["verizon"]
 */
export function correlate(
  incidents: readonly Incident[],
  windowMinutes: number,
  nowMs: number,
): Map<string, string[]> {
  const slack = windowMinutes * MINUTE_MS;
  const span = (incident: Incident) => ({
    from: incident.startedAt - slack,
    to: (incident.resolvedAt ?? nowMs) + slack,
  });
  const result = new Map<string, string[]>();
  for (const incident of incidents) {
    const own = span(incident);
    const others = new Set<string>();
    for (const other of incidents) {
      if (other.service === incident.service) continue;
      const theirs = span(other);
      if (theirs.from <= own.to && own.from <= theirs.to) others.add(other.service);
    }
    result.set(incident.id, [...others].sort());
  }
  return result;
}
