/**
 * Correlation: services whose incidents overlap in time name each other, as the seed
 * story's "Verizon and AT&T spiked at the same time".
 */
import { MINUTE_MS } from "./buckets";
import type { Incident } from "./incident";

/**
 * For each incident, the incidents of other services that overlap it or lie within
 * `windowMinutes` of it (an open incident extends to `nowMs`); one per other service,
 * the one with the highest peak, sorted by service id.
 *
 * @returns incident id → overlapping incidents of other services
 * @example overlappingPeers([tmobile, verizon], 30, now).get(tmobile.id) // [verizon]
 */
export function overlappingPeers(
  incidents: readonly Incident[],
  windowMinutes: number,
  nowMs: number,
): Map<string, Incident[]> {
  const slack = windowMinutes * MINUTE_MS;
  const span = (incident: Incident) => ({
    from: incident.startedAt,
    to: incident.resolvedAt ?? nowMs,
  });
  const result = new Map<string, Incident[]>();
  for (const incident of incidents) {
    const own = span(incident);
    const best = new Map<string, Incident>();
    for (const other of incidents) {
      if (other.service === incident.service) continue;
      const theirs = span(other);
      // Apart by more than the window, in either order: not related.
      if (theirs.from > own.to + slack || own.from > theirs.to + slack) continue;
      const known = best.get(other.service);
      if (!known || known.peak.count < other.peak.count) best.set(other.service, other);
    }
    result.set(
      incident.id,
      [...best.values()].sort((a, b) => a.service.localeCompare(b.service)),
    );
  }
  return result;
}

/**
 * For each incident, the other services whose incidents overlap it.
 * @returns incident id → sorted service ids
 * @example correlate([tmobile, verizon], 30, now).get(tmobile.id) // ["verizon"]
 */
export function correlate(
  incidents: readonly Incident[],
  windowMinutes: number,
  nowMs: number,
): Map<string, string[]> {
  const peers = overlappingPeers(incidents, windowMinutes, nowMs);
  return new Map([...peers].map(([id, list]) => [id, list.map((peer) => peer.service)]));
}
