/**
 * Times as they cross the edges (store keys, the API, CSV): ISO-8601, UTC, whole seconds.
 */

const MINUTE_MS = 60_000;

/** ISO-8601 UTC without milliseconds, the form used in keys, CSV and the API. */
export function toIso(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(".000Z", "Z");
}

/**
 * Parses an ISO-8601 timestamp with an explicit zone; NaN when it is not one, including
 * dates that do not exist (`Date.parse` would roll 2023-02-30 over to 2 March).
 */
export function parseIso(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    return Number.NaN;
  }
  const time = Date.parse(text);
  if (Number.isNaN(time)) return time;
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const offsetMinutes = zone
    ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]))
    : 0;
  const wall = new Date(time + offsetMinutes * MINUTE_MS).toISOString().slice(0, 16);
  return wall === text.slice(0, 16) ? time : Number.NaN;
}
