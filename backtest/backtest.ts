/**
 * The backtest: replays counts through the very detector, correlation and summary code
 * the detect Lambda runs, one bucket at a time on a virtual clock, with no look-ahead.
 * Memory grows with the number of services and incidents, not with the history.
 */
import { MINUTE_MS, toIso } from "../lambdas/domain/buckets";
import type { DetectorSettings } from "../lambdas/domain/config";
import { overlappingPeers } from "../lambdas/domain/correlation";
import type { ServiceCounts } from "../lambdas/domain/counts-csv";
import { type DetectorState, initialDetectorState, stepDetector } from "../lambdas/domain/detector";
import type { Incident, IncidentSummary } from "../lambdas/domain/incident";
import { summarizeIncident } from "../lambdas/domain/wording/incident-summary";

/** How to run a backtest. */
export interface BacktestOptions {
  timeZone: string;
  settings: DetectorSettings;
  /** Display names by service id; the id stands in for a missing one. */
  names?: Readonly<Record<string, string>>;
}

/** One incident in the backtest contract's shape (times ISO-8601 UTC, bucket starts). */
export interface BacktestIncident {
  service: string;
  startedAt: string;
  resolvedAt: string | null;
  peak: { count: number; at: string };
  falloffs: { at: string; count: number }[];
  correlatedWith: string[];
  summary: IncidentSummary;
}

/** The backtest's result; `opened` keeps each incident's opening bucket for scoring. */
export interface BacktestResult {
  incidents: BacktestIncident[];
  /** Incident id → the bucket at which it opened (when the detector raised it). */
  openedAt: Map<string, number>;
  /** Bucket-rows processed (gaps inside a service's span included). */
  buckets: number;
}

/**
 * Runs every service's detector over its counts; rows missing inside a service's span
 * are gaps.
 * @example const { incidents } = runBacktest(parseCountsCsv(text), { timeZone: "America/New_York", settings });
 */
export function runBacktest(
  series: readonly ServiceCounts[],
  options: BacktestOptions,
): BacktestResult {
  const incidents: Incident[] = [];
  let lastBucket = Number.NEGATIVE_INFINITY;
  let buckets = 0;
  for (const service of series) {
    const context = {
      service: service.service,
      timeZone: options.timeZone,
      bucketMinutes: service.bucketMinutes,
      settings: options.settings,
    };
    const width = service.bucketMinutes * MINUTE_MS;
    let state: DetectorState = initialDetectorState();
    let row = 0;
    const first = service.times[0];
    const last = service.times[service.times.length - 1];
    if (first === undefined || last === undefined) continue;
    for (let bucket = first; bucket <= last; bucket += width) {
      let count: number | null = null;
      if (service.times[row] === bucket) {
        count = service.counts[row] ?? null;
        row++;
      }
      const step = stepDetector(state, { bucketStart: bucket, count }, context);
      state = step.state;
      buckets++;
      for (const event of step.events) {
        if (event.type === "resolved") incidents.push(event.incident);
      }
    }
    if (state.incident) incidents.push(state.incident);
    lastBucket = Math.max(lastBucket, last);
  }

  const peers = overlappingPeers(incidents, options.settings.correlationWindowMinutes, lastBucket);
  const name = (id: string) => options.names?.[id] ?? id;
  const result: BacktestIncident[] = incidents
    .map((incident) => ({
      ...incident,
      correlatedWith: (peers.get(incident.id) ?? []).map((peer) => peer.service),
    }))
    .sort((a, b) => a.startedAt - b.startedAt || a.service.localeCompare(b.service))
    .map((incident) => {
      const correlated = (peers.get(incident.id) ?? []).map((peer) => ({
        name: name(peer.service),
        peak: peer.peak,
      }));
      const summary = summarizeIncident(incident, {
        service: { id: incident.service, name: name(incident.service), timeZone: options.timeZone },
        correlated,
        now: lastBucket,
      });
      return {
        service: incident.service,
        startedAt: toIso(incident.startedAt),
        resolvedAt: incident.resolvedAt === null ? null : toIso(incident.resolvedAt),
        peak: { count: incident.peak.count, at: toIso(incident.peak.at) },
        falloffs: incident.falloffs.map((f) => ({ at: toIso(f.at), count: f.count })),
        correlatedWith: incident.correlatedWith,
        summary,
      };
    });
  return {
    incidents: result,
    openedAt: new Map(incidents.map((i) => [i.id, i.openedAt])),
    buckets,
  };
}
