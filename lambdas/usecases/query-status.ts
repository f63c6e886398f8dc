/**
 * Use cases behind the read API: what each service looks like now, its series, and its
 * incidents. Reads only; the summaries of a page of services in a few batched reads
 * (the listing itself, its filters and cursors, is `list-services.ts`).
 */

import type { z } from "zod/mini";
import type {
  SeriesSchema,
  ServiceDetailSchema,
  SourceHealthSchema,
} from "../../contract/api-schemas";
import { CROWD_SOURCE_ID, type SourceKind } from "../../contract/catalog";
import { expectedCount } from "../domain/baseline";
import { lastClosedBucket, MINUTE_MS, toIso } from "../domain/buckets";
import { combinedBucket, combinedCount, failedSources, sourceWeights } from "../domain/combine";
import type { Config, Service } from "../domain/config";
import { elevatedFrom } from "../domain/detector";
import { incidentToJson } from "../domain/incident";
import type {
  AnnotationStore,
  DetectorStateStore,
  IncidentStore,
  OutboxStore,
  ReportStore,
  SeriesStore,
  ServiceStatusStore,
  SourceHealth,
  SourceHealthStore,
  StoredIncident,
} from "../domain/ports";
import {
  type FalloffPoint,
  FORECAST_LOOKBACK_MS,
  type RecoveryForecast,
  recoveryForecast,
} from "../domain/recovery-forecast";
import { addPoint, emptyMix, shownMix } from "../domain/report-mix";
import { serviceById } from "../domain/service-lookup";
import { type StatusRecord, UNKNOWN_STATUS } from "../domain/service-status";
import { incidentMix } from "./incident-mix";

type SeriesResponse = z.infer<typeof SeriesSchema>;
type SourceHealthView = z.infer<typeof SourceHealthSchema>;

/** What the read API needs. */
export interface QueryDependencies {
  config: Config;
  series: SeriesStore;
  states: DetectorStateStore;
  /** Each service's status as detect recorded it. */
  statuses: ServiceStatusStore;
  incidents: IncidentStore;
  health: SourceHealthStore;
  annotations: AnnotationStore;
  /** The notifications recorded for an incident. */
  outbox: Pick<OutboxStore, "incidentRecords">;
  /** Where an incident's crowd reports came from. */
  reports: ReportStore;
}

/** The span of an incident whose crowd reports its evidence describes: its first hour. */
export const CROWD_EVIDENCE_MS = 60 * MINUTE_MS;

/**
 * The summaries of `services`, in their order: the status as detect recorded it (`records`
 * when the caller has read them already), the newest of the last three buckets and the
 * baseline for the newest. Batched reads whatever the number of services: one
 * BatchGetItem per 100 status records, per 33 services' buckets and per 100 states.
 */
export async function serviceSummaries(
  deps: QueryDependencies,
  services: readonly Service[],
  nowMs: number,
  records?: ReadonlyMap<string, StatusRecord>,
) {
  const { config } = deps;
  const width = config.bucketMinutes * MINUTE_MS;
  const latestBucket = lastClosedBucket(nowMs, config.bucketMinutes);
  const ids = services.map((service) => service.id);
  const [recorded, points, states] = await Promise.all([
    records ?? deps.statuses.readMany(ids),
    deps.series.pointsAt(ids, [latestBucket - 2 * width, latestBucket - width, latestBucket]),
    deps.states.loadMany(ids),
  ]);
  return services.map((service) => {
    const state = states.get(service.id);
    // A bucket holding only failure marks has no data to show.
    const newest = points
      .get(service.id)
      ?.filter((point) => Object.keys(point.counts).length > 0)
      .at(-1);
    const latestCount = combinedCount(newest, sourceWeights(service));
    const baseline = state ? expectedCount(state.baseline, latestBucket, config) : null;
    const { status, openIncident } = recorded.get(service.id) ?? UNKNOWN_STATUS;
    return {
      id: service.id,
      name: service.name,
      category: service.category,
      timeZone: service.timeZone,
      area: service.area,
      status,
      latest: newest ? { at: toIso(newest.bucketStart), count: latestCount } : null,
      baseline: baseline === null ? null : Math.round(baseline * 10) / 10,
      openIncident,
    };
  });
}

/** The summary of one service (as `GET /services` lists it). */
export async function serviceStatus(deps: QueryDependencies, service: Service, nowMs: number) {
  const [summary] = await serviceSummaries(deps, [service], nowMs);
  if (!summary) throw new Error(`no summary of ${service.id}`);
  return summary;
}

/** The sources a service is configured with, crowd reports first, as collect reads them. */
function configuredSources(service: Service): { id: string; kind: SourceKind }[] {
  return [
    ...(service.reports.enabled ? [{ id: CROWD_SOURCE_ID, kind: "crowd-reports" as const }] : []),
    ...service.sources.map((source) => ({ id: source.id, kind: source.kind })),
  ];
}

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/**
 * A source's health for the public: its status, since when, and the class of its last
 * failure (`SourceHealth` holds no message to leak).
 */
function sourceHealthView(
  source: { id: string; kind: SourceKind },
  health: SourceHealth | undefined,
): SourceHealthView {
  if (!health) {
    return {
      source: source.id,
      kind: source.kind,
      status: "unknown",
      since: null,
      lastSuccessAt: null,
      lastErrorAt: null,
      lastFailure: null,
      consecutiveFailures: 0,
    };
  }
  return {
    source: source.id,
    kind: source.kind,
    status:
      health.consecutiveFailures > 0 ? "failing" : health.lastSuccessAt !== null ? "ok" : "unknown",
    since: isoOrNull(health.since),
    lastSuccessAt: isoOrNull(health.lastSuccessAt),
    lastErrorAt: isoOrNull(health.lastErrorAt),
    lastFailure: health.lastFailure,
    consecutiveFailures: health.consecutiveFailures,
  };
}

/**
 * One service with its status and the health of each source it is configured with (a
 * record of a source since removed from the configuration is left out).
 */
export async function describeService(
  deps: QueryDependencies,
  service: Service,
  nowMs: number,
): Promise<z.infer<typeof ServiceDetailSchema>> {
  const [status, health] = await Promise.all([
    serviceStatus(deps, service, nowMs),
    deps.health.list(service.id),
  ]);
  const bySource = new Map(health.map((h) => [h.source, h]));
  return {
    ...status,
    sources: configuredSources(service).map((source) =>
      sourceHealthView(source, bySource.get(source.id)),
    ),
  };
}

/** Most points one series answer holds; longer ranges are rolled up to coarser buckets. */
export const MAX_SERIES_POINTS = 1500;
/** Widths a series may be rolled up to, in minutes. */
const ROLLUP_MINUTES = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/**
 * The point width for a range: the stored width, or the narrowest wider one that keeps
 * the answer within {@link MAX_SERIES_POINTS} (a whole multiple of the stored width, so
 * every stored bucket falls in exactly one point).
 * @example seriesBucketMinutes(1, 7 * 24 * 60 * 60_000) // 10
 */
export function seriesBucketMinutes(bucketMinutes: number, rangeMs: number): number {
  const fits = (minutes: number) => rangeMs / (minutes * MINUTE_MS) + 1 <= MAX_SERIES_POINTS;
  if (fits(bucketMinutes)) return bucketMinutes;
  return (
    ROLLUP_MINUTES.find((m) => m > bucketMinutes && m % bucketMinutes === 0 && fits(m)) ??
    ROLLUP_MINUTES[ROLLUP_MINUTES.length - 1] ??
    bucketMinutes
  );
}

type SeriesPoint = SeriesResponse["points"][number];

/** Adds a bucket's per-kind counts into a point's. */
function addBreakdowns(
  into: NonNullable<SeriesPoint["breakdowns"]>,
  add: Record<string, Record<string, number>>,
) {
  for (const [source, kinds] of Object.entries(add)) {
    into[source] ??= {};
    const target = into[source];
    for (const [kind, n] of Object.entries(kinds)) target[kind] = (target[kind] ?? 0) + n;
  }
}

const tenths = (value: number) => Math.round(value * 10) / 10;

/**
 * Bucketed counts of one service with the baseline band (the count expected for that
 * time of day, and the level above which a bucket is elevated), each source's counts,
 * and gaps as nulls, with the mix of the range's reports by kind and region (regions
 * with fewer than five reports only as a sum). Points wider than the stored buckets sum them: a rolled-up point is
 * null only when every bucket in it is a gap, and partial (with the sources that failed)
 * when any counted bucket in it is.
 */
export async function serviceSeries(
  deps: QueryDependencies,
  service: Service,
  fromMs: number,
  toMs: number,
): Promise<SeriesResponse> {
  const { bucketMinutes, detector } = deps.config;
  const width = bucketMinutes * MINUTE_MS;
  const to = Math.floor(toMs / width) * width;
  const pointMinutes = seriesBucketMinutes(bucketMinutes, to - Math.floor(fromMs / width) * width);
  const pointWidth = pointMinutes * MINUTE_MS;
  // Whole points only: the first starts on a boundary of the point width.
  const from = Math.floor(fromMs / pointWidth) * pointWidth;
  const [stored, { state }] = await Promise.all([
    deps.series.range(service.id, from, to),
    deps.states.load(service.id),
  ]);
  const byBucket = new Map(stored.map((p) => [p.bucketStart, p]));
  const weights = sourceWeights(service);
  const points: SeriesPoint[] = [];
  let current: SeriesPoint | undefined;
  const bands = new Map<SeriesPoint, { all: [number, number]; counted: [number, number] }>();
  const mix = emptyMix();
  let currentStart = Number.NaN;
  for (let t = from; t <= to; t += width) {
    const pointStart = Math.floor(t / pointWidth) * pointWidth;
    if (pointStart !== currentStart) {
      current = {
        at: toIso(pointStart),
        count: null,
        baseline: null,
        threshold: null,
        sources: {},
      };
      currentStart = pointStart;
      points.push(current);
    }
    if (!current) continue;
    const bucket = byBucket.get(t);
    const { count, partial } = combinedBucket(bucket, weights);
    if (count !== null) current.count = (current.count ?? 0) + count;
    if (partial && bucket) {
      // A rolled-up point is partial when any bucket in it is.
      current.partial = true;
      const failed = new Set([...(current.failedSources ?? []), ...failedSources(bucket, weights)]);
      current.failedSources = [...failed].sort();
    }
    for (const [source, n] of Object.entries(bucket?.counts ?? {})) {
      current.sources[source] = (current.sources[source] ?? 0) + n;
    }
    if (bucket?.breakdowns) {
      current.breakdowns ??= {};
      addBreakdowns(current.breakdowns, bucket.breakdowns);
    }
    if (bucket) addPoint(mix, bucket);
    if (state) {
      const expected = expectedCount(state.baseline, t, deps.config);
      const band = bands.get(current) ?? { all: [0, 0], counted: [0, 0] };
      band.all[0] += expected;
      band.all[1] += elevatedFrom(expected, detector);
      if (count !== null) {
        band.counted[0] += expected;
        band.counted[1] += elevatedFrom(expected, detector);
      }
      bands.set(current, band);
    }
  }
  // A point compares with the band of the buckets it counted, so a gap inside a rolled-up
  // point does not read as a dip; a point that is all gap keeps the whole band.
  for (const [point, band] of bands) {
    const [baseline, threshold] = point.count === null ? band.all : band.counted;
    point.baseline = baseline;
    point.threshold = threshold;
  }
  for (const point of points) {
    if (point.count !== null) point.count = tenths(point.count);
    if (point.baseline !== null) point.baseline = tenths(point.baseline);
    if (point.threshold !== null) point.threshold = tenths(point.threshold);
  }
  return {
    service: service.id,
    bucketMinutes: pointMinutes,
    from: toIso(from),
    to: toIso(to),
    points,
    mix: shownMix(service.area, mix),
  };
}

/** Annotations this long before an incident started still belong to its timeline. */
const ANNOTATION_LEAD_MS = 60 * MINUTE_MS;

/**
 * One incident with what the service's sources said during it (e.g. "T-Mobile
 * acknowledged an incident"), from an hour before it started to its resolution, and the
 * mix of its reports by kind and region.
 */
export async function describeIncident(
  deps: QueryDependencies,
  stored: StoredIncident,
  nowMs: number,
) {
  const { incident } = stored;
  const service = serviceById(deps.config, incident.service);
  const [annotations, records, crowdReports, recovery, mix] = await Promise.all([
    deps.annotations.range(
      incident.service,
      incident.startedAt - ANNOTATION_LEAD_MS,
      incident.resolvedAt ?? nowMs,
    ),
    deps.outbox.incidentRecords(incident.id),
    service?.reports.enabled
      ? deps.reports.networkSummary(
          incident.service,
          incident.startedAt,
          incident.startedAt + CROWD_EVIDENCE_MS,
        )
      : null,
    service && incident.resolvedAt === null
      ? forecastRecovery(deps, service, incident, nowMs)
      : null,
    incidentMix(
      deps.series,
      { id: incident.service, area: service?.area ?? "world" },
      incident,
      nowMs,
    ),
  ]);
  return {
    ...incidentView(stored),
    mix,
    crowdReports,
    recovery: recovery && {
      at: toIso(recovery.at),
      earliest: toIso(recovery.earliest),
      latest: toIso(recovery.latest),
    },
    annotations: annotations.map((a) => ({ at: toIso(a.at), source: a.source, text: a.text })),
    // Who got them is left out: the audience names subscribers, which is not public.
    notifications: records
      .sort((a, b) => a.message.createdAt - b.message.createdAt)
      .map((r) => ({
        transition: r.message.transition,
        subject: r.message.summary.subject,
        state: r.state,
        recordedAt: toIso(r.message.createdAt),
        sentAt: r.sentAt === null ? null : toIso(r.sentAt),
        channels: r.channels,
        recipients: r.audience?.length ?? null,
      })),
  };
}

/**
 * The recovery forecast of an open incident (`domain/recovery-forecast.ts`), from the
 * buckets since its peak up to the newest closed one and what is normal for each.
 */
async function forecastRecovery(
  deps: QueryDependencies,
  service: Service,
  incident: StoredIncident["incident"],
  nowMs: number,
): Promise<RecoveryForecast | null> {
  const { bucketMinutes, detector } = deps.config;
  const newest = lastClosedBucket(nowMs, bucketMinutes);
  if (newest <= incident.peak.at) return null;
  const [stored, { state }] = await Promise.all([
    // Bounded: an incident open for days is read for its last two hours only.
    deps.series.range(
      service.id,
      Math.max(incident.peak.at, newest - FORECAST_LOOKBACK_MS),
      newest,
    ),
    deps.states.load(service.id),
  ]);
  if (!state) return null;
  const weights = sourceWeights(service);
  const points: FalloffPoint[] = [];
  for (const bucket of stored) {
    const count = combinedCount(bucket, weights);
    if (count === null) continue;
    const expected = expectedCount(state.baseline, bucket.bucketStart, deps.config);
    points.push({
      at: bucket.bucketStart,
      count,
      expected,
      resolveLevel: elevatedFrom(expected, detector),
    });
  }
  return recoveryForecast(incident.peak, points);
}

/** An incident as the API shows it. */
export function incidentView(stored: StoredIncident) {
  return {
    ...incidentToJson(stored.incident),
    status: stored.incident.resolvedAt === null ? "open" : "resolved",
    summary: stored.summary,
  };
}
