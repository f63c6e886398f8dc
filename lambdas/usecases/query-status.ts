/**
 * Use cases behind the read API: what each service looks like now, its series, and its
 * incidents. Reads only; one detector-state read and one series read per service.
 */

import { expectedCount } from "../domain/baseline";
import { lastClosedBucket, MINUTE_MS, toIso } from "../domain/buckets";
import { combinedCount, sourceWeights } from "../domain/combine";
import type { Config, Service } from "../domain/config";
import { isQuiet } from "../domain/detector";
import { incidentToJson } from "../domain/incident";
import type {
  AnnotationStore,
  DetectorStateStore,
  IncidentStore,
  SeriesStore,
  SourceHealthStore,
  StoredIncident,
} from "../domain/ports";

/** What the read API needs. */
export interface QueryDependencies {
  config: Config;
  series: SeriesStore;
  states: DetectorStateStore;
  incidents: IncidentStore;
  health: SourceHealthStore;
  annotations: AnnotationStore;
}

/**
 * normal: as expected; elevated: above what counts as quiet for the detector (the level
 * that keeps an incident open); outage: an incident is open.
 */
export type ServiceStatus = "normal" | "elevated" | "outage";

/** The summary of one service. */
export async function serviceStatus(deps: QueryDependencies, service: Service, nowMs: number) {
  const { config } = deps;
  const latestBucket = lastClosedBucket(nowMs, config.bucketMinutes);
  const [{ state }, points] = await Promise.all([
    deps.states.load(service.id),
    deps.series.range(
      service.id,
      latestBucket - 2 * config.bucketMinutes * MINUTE_MS,
      latestBucket,
    ),
  ]);
  const weights = sourceWeights(service);
  const newest = points[points.length - 1];
  const latestCount = combinedCount(newest, weights);
  const baseline = state ? expectedCount(state.baseline, latestBucket, config) : null;
  let status: ServiceStatus = "normal";
  if (state?.incident) status = "outage";
  else if (
    latestCount !== null &&
    baseline !== null &&
    !isQuiet(latestCount, baseline, config.detector)
  ) {
    // The detector's own rule: a bucket that would keep an incident open.
    status = "elevated";
  }
  return {
    id: service.id,
    name: service.name,
    category: service.category,
    timeZone: service.timeZone,
    status,
    latest: newest ? { at: toIso(newest.bucketStart), count: latestCount } : null,
    baseline: baseline === null ? null : Math.round(baseline * 10) / 10,
    openIncident: state?.incident?.id ?? null,
  };
}

/** Every service with its status, in config order. */
export async function listServices(deps: QueryDependencies, nowMs: number) {
  return Promise.all(deps.config.services.map((service) => serviceStatus(deps, service, nowMs)));
}

/** One service with its status and its sources' health. */
export async function describeService(deps: QueryDependencies, service: Service, nowMs: number) {
  const [status, health] = await Promise.all([
    serviceStatus(deps, service, nowMs),
    deps.health.list(service.id),
  ]);
  return {
    ...status,
    sources: health.map((h) => ({
      source: h.source,
      lastSuccessAt: h.lastSuccessAt === null ? null : new Date(h.lastSuccessAt).toISOString(),
      lastErrorAt: h.lastErrorAt === null ? null : new Date(h.lastErrorAt).toISOString(),
      lastError: h.lastError,
      consecutiveFailures: h.consecutiveFailures,
    })),
  };
}

/** Bucketed counts of one service, gaps as nulls, with each source's counts. */
export async function serviceSeries(
  deps: QueryDependencies,
  service: Service,
  fromMs: number,
  toMs: number,
) {
  const { bucketMinutes } = deps.config;
  const width = bucketMinutes * MINUTE_MS;
  const from = Math.floor(fromMs / width) * width;
  const to = Math.floor(toMs / width) * width;
  const points = new Map(
    (await deps.series.range(service.id, from, to)).map((p) => [p.bucketStart, p]),
  );
  const weights = sourceWeights(service);
  const buckets: {
    at: string;
    count: number | null;
    sources: Record<string, number>;
    breakdowns?: Record<string, Record<string, number>>;
  }[] = [];
  for (let t = from; t <= to; t += width) {
    const point = points.get(t);
    buckets.push({
      at: toIso(t),
      count: combinedCount(point, weights),
      sources: point?.counts ?? {},
      ...(point?.breakdowns ? { breakdowns: point.breakdowns } : {}),
    });
  }
  return { service: service.id, bucketMinutes, from: toIso(from), to: toIso(to), points: buckets };
}

/** Annotations this long before an incident started still belong to its timeline. */
const ANNOTATION_LEAD_MS = 60 * MINUTE_MS;

/**
 * One incident with what the service's sources said during it (e.g. "T-Mobile
 * acknowledged an incident"), from an hour before it started to its resolution.
 */
export async function describeIncident(
  deps: QueryDependencies,
  stored: StoredIncident,
  nowMs: number,
) {
  const { incident } = stored;
  const annotations = await deps.annotations.range(
    incident.service,
    incident.startedAt - ANNOTATION_LEAD_MS,
    incident.resolvedAt ?? nowMs,
  );
  return {
    ...incidentView(stored),
    annotations: annotations.map((a) => ({ at: toIso(a.at), source: a.source, text: a.text })),
  };
}

/** An incident as the API shows it. */
export function incidentView(stored: StoredIncident) {
  return {
    ...incidentToJson(stored.incident),
    status: stored.incident.resolvedAt === null ? "open" : "resolved",
    summary: stored.summary,
  };
}
