/**
 * What a chart shows, computed from the API's answers with no DOM: the columns uPlot
 * draws, the incident spans to shade, the partial points to hatch, the peak to annotate,
 * and the sentence that describes the chart to someone who cannot see it. Kept apart from the drawing so it can
 * be tested without a browser.
 */
import { DAY_MS, HOUR_MS } from "../../lambdas/domain/buckets";
import type { Incident, IncidentDetail, Series } from "./api";
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
  /**
   * Per point (as `data[0]`), true where a source failed for it: its count lacks that
   * source, so a dip there may be the failure rather than fewer reports.
   */
  partial: boolean[];
  peak: Peak | null;
  /** Annotate the peak: it is part of an incident or above the elevated threshold. */
  peakNotable: boolean;
  latest: { at: number; count: number } | null;
  /** The chart spans more than a day: its times need their dates. */
  long: boolean;
  /**
   * " per 10 min" when the API rolled the points up (or they are wider than 5 minutes),
   * so that a point's count is not read as a bucket's; "" otherwise.
   */
  per: string;
  /** One or two sentences for `aria-label`/figcaption. */
  summary: string;
}

/** Options of {@link chartModel}. */
export interface ChartModelOptions {
  /** The chart is the default "last 24 hours" view (cards, the service page). */
  lastDay?: boolean;
}

/** The incident chart shows this much before the start and after the resolution. */
const MARGIN_MS = 2 * HOUR_MS;
/** The API serves at most 7 days at once. */
const MAX_RANGE_MS = 7 * DAY_MS;
/** The narrowest buckets outcry stores; wider points are sums of several. */
const FINEST_BUCKET_MINUTES = 5;

/**
 * The range of an incident's chart: its span with a margin on each side, ending at
 * `nowMs` (the server's clock) at the latest, and at most the 7 days the API serves
 * (the newest 7 days of a longer incident).
 * @example api.series(incident.service, incidentRange(incident, Date.parse(health.time)))
 */
export function incidentRange(
  incident: Pick<IncidentDetail, "startedAt" | "resolvedAt">,
  nowMs: number,
): { from: string; to: string } {
  const started = Date.parse(incident.startedAt);
  const end = incident.resolvedAt === null ? nowMs : Date.parse(incident.resolvedAt) + MARGIN_MS;
  const to = Math.max(Math.min(end, nowMs), started);
  const from = Math.max(started - MARGIN_MS, to - MAX_RANGE_MS);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** A moment of the chart as its labels say it: with the date on charts over a day. */
export const chartTime = (model: ChartModel, seconds: number): string =>
  model.long ? viewerDateTime(seconds * 1000) : viewerClock(seconds * 1000);

/** The label drawn at the peak: "83,412" on cards, with its time on large charts. */
export function peakLabel(model: ChartModel, small: boolean): string {
  const peak = model.peak;
  if (!peak) return "";
  const count = `${formatCount(peak.count)}${model.per}`;
  return small ? count : `${count} at ${chartTime(model, peak.at)}`;
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** What a hatched point means, in the caption and where the cursor reads a point. */
export const PARTIAL_WORDS = "partial, a source failed";

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
  options: ChartModelOptions = {},
): ChartModel {
  const xs: number[] = [];
  const counts: (number | null)[] = [];
  const baselines: (number | null)[] = [];
  const thresholds: (number | null)[] = [];
  const partial: boolean[] = [];
  let peakIndex = -1;
  let latestIndex = -1;
  series.points.forEach((point, i) => {
    xs.push(seconds(point.at));
    counts.push(point.count);
    baselines.push(point.baseline ?? null);
    thresholds.push(point.threshold ?? null);
    partial.push(point.partial === true);
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

  const model: ChartModel = {
    data: [xs, counts, baselines, thresholds],
    bucketSeconds,
    spans,
    partial,
    peak,
    peakNotable,
    latest,
    long: Date.parse(series.to) - Date.parse(series.from) > DAY_MS,
    per: series.bucketMinutes > FINEST_BUCKET_MINUTES ? ` per ${series.bucketMinutes} min` : "",
    summary: "",
  };
  model.summary = describe(name, series, model, options.lastDay === true);
  return model;
}

function describe(name: string, series: Series, model: ChartModel, lastDay: boolean): string {
  const { peak, latest, spans } = model;
  const period = lastDay
    ? "last 24 hours"
    : `${viewerDateTime(Date.parse(series.from))} to ${viewerDateTime(Date.parse(series.to))}`;
  const per = model.per ? ` (reports${model.per})` : "";
  if (!peak || !latest) return `${name}, ${period}: no data.`;
  const at = (s: number) => chartTime(model, s);
  const baseline = peak.baseline === null ? "" : `, baseline ${formatCount(peak.baseline)}`;
  const parts = [`peak ${reports(peak.count)} at ${at(peak.at)}${baseline}`];
  if (latest.at !== peak.at) parts.push(`latest ${formatCount(latest.count)} at ${at(latest.at)}`);
  if (spans.length > 0) {
    parts.push(`${spans.length} ${spans.length === 1 ? "incident" : "incidents"} shaded`);
  }
  const partial = model.partial.filter(Boolean).length;
  if (partial > 0) {
    parts.push(`${partial} ${partial === 1 ? "point" : "points"} hatched: ${PARTIAL_WORDS}`);
  }
  return `${name}, ${period}${per}: ${parts.join("; ")}.`;
}
