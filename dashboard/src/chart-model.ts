/**
 * What a chart shows, computed from the API's answers with no DOM: the columns uPlot
 * draws, the incident spans to shade, the peak to annotate, and the sentence that
 * describes the chart to someone who cannot see it. Kept apart from the drawing so it can
 * be tested without a browser.
 */
import type { Incident, Series } from "./api";
import { formatCount, reports, viewerClock, viewerDateTime } from "./format";

/** A span of time to shade, in uPlot's x unit (seconds). */
export interface Span {
  from: number;
  to: number;
  open: boolean;
}

/** The highest bucket in view. */
export interface Peak {
  /** Seconds. */
  at: number;
  count: number;
  baseline: number | null;
}

/** Everything a chart draws and says. */
export interface ChartModel {
  /** uPlot columns: x (seconds), counts, baselines, thresholds (null = gap / unknown). */
  data: [number[], (number | null)[], (number | null)[], (number | null)[]];
  bucketSeconds: number;
  spans: Span[];
  peak: Peak | null;
  /** Annotate the peak: it is part of an incident or above the elevated threshold. */
  peakNotable: boolean;
  latest: { at: number; count: number } | null;
  /** One or two sentences for `aria-label`/figcaption. */
  summary: string;
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** A peak this many times the elevated threshold is labelled even outside incidents. */
const NOTABLE_MULTIPLE = 2;

/**
 * Builds the chart of one service's series with its incidents shaded.
 * @param fallbackBaseline - the service's current baseline, used when the series has no
 *   per-bucket baseline (APIs before it was added)
 * @example chartModel("T-Mobile", series, incidents, service.baseline)
 */
export function chartModel(
  name: string,
  series: Series,
  incidents: readonly Incident[],
  fallbackBaseline: number | null = null,
): ChartModel {
  const xs: number[] = [];
  const counts: (number | null)[] = [];
  const baselines: (number | null)[] = [];
  const thresholds: (number | null)[] = [];
  let peakIndex = -1;
  let latestIndex = -1;
  series.points.forEach((point, i) => {
    xs.push(seconds(point.at));
    counts.push(point.count);
    baselines.push(point.baseline ?? null);
    thresholds.push(point.threshold ?? null);
    if (point.count === null) return;
    latestIndex = i;
    if (peakIndex < 0 || point.count > (counts[peakIndex] ?? 0)) peakIndex = i;
  });
  const bucketSeconds = series.bucketMinutes * 60;
  const first = xs[0] ?? 0;
  const end = (xs[xs.length - 1] ?? first) + bucketSeconds;

  const spans: Span[] = [];
  for (const incident of incidents) {
    const from = seconds(incident.startedAt);
    const to = incident.resolvedAt === null ? end : seconds(incident.resolvedAt);
    if (to <= first || from >= end) continue;
    spans.push({ from: Math.max(from, first), to: Math.min(to, end), open: !incident.resolvedAt });
  }

  const peakCount = counts[peakIndex];
  const peak: Peak | null =
    peakCount === null || peakCount === undefined
      ? null
      : {
          at: xs[peakIndex] ?? 0,
          count: peakCount,
          baseline: baselines[peakIndex] ?? fallbackBaseline,
        };
  const threshold = thresholds[peakIndex] ?? null;
  // Labelled only when it matters: during an incident, or far above the band (a label
  // on every day's noisiest bucket would teach readers to ignore labels).
  const peakNotable =
    peak !== null &&
    peak.count > 0 &&
    (spans.some((s) => peak.at >= s.from && peak.at < s.to) ||
      (threshold !== null && peak.count > NOTABLE_MULTIPLE * threshold));
  const latestCount = counts[latestIndex];
  const latest =
    latestCount === null || latestCount === undefined
      ? null
      : { at: xs[latestIndex] ?? 0, count: latestCount };

  return {
    data: [xs, counts, baselines, thresholds],
    bucketSeconds,
    spans,
    peak,
    peakNotable,
    latest,
    summary: describe(name, series, peak, latest, spans),
  };
}

function describe(
  name: string,
  series: Series,
  peak: Peak | null,
  latest: { at: number; count: number } | null,
  spans: readonly Span[],
): string {
  const hours = (Date.parse(series.to) - Date.parse(series.from)) / 3_600_000;
  const period =
    hours > 23 && hours <= 24
      ? "last 24 hours"
      : `${viewerDateTime(Date.parse(series.from))} to ${viewerDateTime(Date.parse(series.to))}`;
  if (!peak || !latest) return `${name}, ${period}: no data.`;
  const at = (s: number) => viewerClock(s * 1000);
  const baseline = peak.baseline === null ? "" : `, baseline ${formatCount(peak.baseline)}`;
  const parts = [`peak ${reports(peak.count)} at ${at(peak.at)}${baseline}`];
  if (latest.at !== peak.at) parts.push(`latest ${formatCount(latest.count)} at ${at(latest.at)}`);
  if (spans.length > 0) {
    parts.push(`${spans.length} ${spans.length === 1 ? "incident" : "incidents"} shaded`);
  }
  return `${name}, ${period}: ${parts.join("; ")}.`;
}
