/**
 * The backtest's text format: each incident's timeline as a person reads it, with a
 * sparkline of the service's counts around it.
 */
import { MINUTE_MS, parseIso } from "../lambdas/domain/buckets";
import type { ServiceCounts } from "../lambdas/domain/counts-csv";
import type { BacktestIncident } from "./backtest";

const BARS = "▁▂▃▄▅▆▇█";
const WIDTH = 60;

/**
 * A sparkline of `values` in at most `width` characters (each the maximum of its slice);
 * a slice with no data is a space.
 * @example sparkline([1, 5, 9, null], 4) // "▁▄█ "
 */
export function sparkline(values: readonly (number | null)[], width = WIDTH): string {
  const slices = Math.min(width, values.length);
  const maxima: (number | null)[] = [];
  for (let i = 0; i < slices; i++) {
    const part = values.slice(
      Math.floor((i * values.length) / slices),
      Math.floor(((i + 1) * values.length) / slices),
    );
    const present = part.filter((v): v is number => v !== null);
    maxima.push(present.length === 0 ? null : Math.max(...present));
  }
  const top = Math.max(1, ...maxima.filter((v): v is number => v !== null));
  return maxima
    .map((v) =>
      v === null ? " " : BARS[Math.min(BARS.length - 1, Math.floor((v / top) * (BARS.length - 1)))],
    )
    .join("");
}

function window(series: ServiceCounts, from: number, to: number): (number | null)[] {
  const width = series.bucketMinutes * MINUTE_MS;
  const byTime = new Map(series.times.map((t, i) => [t, series.counts[i] ?? 0]));
  const out: (number | null)[] = [];
  for (let t = from - (from % width); t <= to; t += width) out.push(byTime.get(t) ?? null);
  return out;
}

/** The whole text report. */
export function renderBacktestText(
  incidents: readonly BacktestIncident[],
  series: readonly ServiceCounts[],
): string {
  if (incidents.length === 0) return "No incidents.\n";
  const blocks = incidents.map((incident) => {
    const counts = series.find((s) => s.service === incident.service);
    const start = parseIso(incident.startedAt);
    const end = incident.resolvedAt
      ? parseIso(incident.resolvedAt)
      : (counts?.times[counts.times.length - 1] ?? start);
    const margin = Math.max(60 * MINUTE_MS, (end - start) / 4);
    const line = counts ? sparkline(window(counts, start - margin, end + margin)) : "";
    return [
      `${incident.summary.subject}`,
      `  ${incident.summary.text}`,
      `  ${line}`,
      `  sms: ${incident.summary.sms}`,
    ].join("\n");
  });
  return `${incidents.length} incident${incidents.length === 1 ? "" : "s"}\n\n${blocks.join("\n\n")}\n`;
}
