/**
 * Use case: run the detector over the buckets that closed since the last tick, record
 * incident transitions exactly once, and hand them to the notifiers. Steps:
 * 0. Read the shard's checkpoint: when every one of its services was saved through the
 *    tick's bucket already (most ticks: a bucket closes every few ticks), there is nothing
 *    to step, so no state is read and the shard goes straight to step 6 with what the
 *    checkpoint noted.
 * 1. For each service, load the detector state and the buckets after its last one, up to
 *    the newest bucket collect has finished (or, if collect lags, one that closed a
 *    schedule period ago), with the `LOOK_BACK_BUCKETS` up to its last one, which collect
 *    counts again.
 * 2. Step the detector through them in time order (a missing bucket is a gap, a bucket a
 *    weighted source failed for is flagged partial): the look-back buckets as revisions
 *    of what it judged already, which tell nothing themselves and count from the next new
 *    bucket on, then the new ones.
 * 3. Correlate the changed incidents with recent ones, summarize, and write them.
 * 4. Record each transition in the outbox (a conditional put: once): opened, resolved,
 *    an update when a peak first passes one of `notifications.peakMultiples`, and a
 *    "still elevated" reminder when one falls due (`domain/reminders.ts`).
 * 5. Record the statuses that changed (`record-service-status.ts`), then save each state
 *    on the revision it was read at: a concurrent tick cannot apply the same buckets
 *    twice, and because steps 3-5 are keyed deterministically, re-running any of them
 *    changes nothing. When every save succeeded, write the shard's checkpoint; a save
 *    that lost or failed, or a tick cut short, leaves the older one, so the next tick
 *    reads every state again and advances whichever is behind.
 * 6. Mark the shard done. The last shard of the tick to finish correlates across shards
 *    (an incident of one shard gains the peers other shards opened beside it) and
 *    delivers what the outbox holds (grouped, held back in maintenance; see
 *    `deliver-notifications.ts`).
 *
 * A tick's services are split into shards (`domain/shards.ts`), each detected by its own
 * invocation working through the same bucket (`through`, fixed when the tick was handed
 * out); `detectIncidents` runs the whole as one shard. A shard writes only its own
 * services' incidents, so two shards never write the same item; an opening's summary
 * names the peers its shard could see, and the incident records every peer once the
 * tick has finished.
 */
import { LOOK_BACK_BUCKETS, lastClosedBucket, MINUTE_MS } from "../domain/buckets";
import { combinedBucket, type SourceWeights, sourceWeights } from "../domain/combine";
import type { Config, Service } from "../domain/config";
import { overlappingPeers } from "../domain/correlation";
import {
  type DetectorState,
  initialDetectorState,
  type Observation,
  stepDetector,
} from "../domain/detector";
import { foldKey } from "../domain/grouping";
import type { Incident, IncidentTransition } from "../domain/incident";
import type {
  DetectCheckpointStore,
  DetectorStateStore,
  IncidentStore,
  OpenIncident,
  OutboxStore,
  ProgressStore,
  SeriesPoint,
  SeriesStore,
  ServiceStatusStore,
  ShardProgressStore,
  StatedIncidentStore,
} from "../domain/ports";
import { reminderDue, reminderKey } from "../domain/reminders";
import type { ReportMix } from "../domain/report-mix";
import { type ShardRef, servicesOf, shardFingerprint, WHOLE } from "../domain/shards";
import { likelyUpstream, type StatedRecord, upstreamServices } from "../domain/upstream";
import { growthSummary, summarizeIncident } from "../domain/wording/incident-summary";
import { reminderSummary } from "../domain/wording/reminder-summary";
import { type Deliverer, type DeliveryResult, deliverPending } from "./deliver-notifications";
import { incidentMix } from "./incident-mix";
import { recordServiceStatus } from "./record-service-status";
import { runBounded } from "./run-bounded";

/** What detecting needs. */
export interface DetectDependencies {
  config: Config;
  series: SeriesStore;
  states: DetectorStateStore;
  incidents: IncidentStore;
  outbox: OutboxStore;
  progress: ProgressStore;
  /** Which shards of a tick are done. */
  shards: ShardProgressStore;
  /** How far each shard has advanced all of its services. */
  checkpoints: DetectCheckpointStore;
  /** Each service's listed status, written when it changes. */
  statuses: ServiceStatusStore;
  /** What providers' sources state, for the likely upstream; without it none is named. */
  stated?: StatedIncidentStore;
  deliverer: Deliverer;
  /**
   * The wall clock for delivery leases and retry times. A tick's own time comes from its
   * event and may be minutes old when the event was delayed; a lease taken in the past
   * would protect nothing.
   */
  now: () => number;
}

/** What one detect shard did (and, when it finished the tick, the tick's delivery). */
export interface DetectResult {
  /** Newest bucket processed. */
  through: number;
  /** The shard detected. */
  shard: ShardRef;
  /** True when this shard was the last of its tick to finish, and delivered. */
  tickComplete: boolean;
  /**
   * True when the shard's checkpoint showed every service advanced through `through`
   * already: no state was read, and `open` is the checkpoint's.
   */
  skipped: boolean;
  /** New buckets stepped through, summed over the shard's services (revisions left out). */
  buckets: number;
  transitions: {
    incidentId: string;
    transition: IncidentTransition;
    multiple?: number;
    /** A reminder: its number and the newest level, at `through`. */
    reminder?: { n: number; count: number; at: number };
  }[];
  /** Services whose state another, concurrent tick saved first. */
  conflicts: string[];
  /** The open incidents of the shard's services. */
  open: OpenIncident[];
  /** What the tick delivered; empty unless this shard finished the tick. */
  delivery: DeliveryResult;
}

/** One shard of a detect tick: which services, through which bucket. */
export interface DetectShardJob {
  /** The tick's scheduled time. */
  at: number;
  /** The newest bucket to work through (the same for every shard of the tick). */
  through: number;
  shard: ShardRef;
}

/** At most this much history is processed in one tick after a long pause. */
const MAX_CATCH_UP_MS = 24 * 60 * MINUTE_MS;
/** Incidents this recent take part in correlation. */
const CORRELATION_LOOK_BACK_MS = 2 * 24 * 60 * MINUTE_MS;
/** At most this many recent incidents take part (a mass outage of every service fits). */
const CORRELATION_LIMIT = 20_000;
/** Services stepped at once: their reads and writes wait on the store. */
const CONCURRENCY = 32;
/** Nothing delivered (a shard that does not finish its tick). */
const NO_DELIVERY: DeliveryResult = { sent: [], failed: [], dead: [], heldBack: [] };

/**
 * The newest bucket detect may read at `nowMs`: the newest closed bucket collect has
 * finished, or in any case one that closed a schedule period ago (so a stalled collect
 * never stalls detection: its buckets are then gaps).
 */
export function settledBucket(
  config: Config,
  nowMs: number,
  collectedThrough: number | null,
): number {
  const waited = lastClosedBucket(nowMs - config.scheduleMinutes * MINUTE_MS, config.bucketMinutes);
  if (collectedThrough === null) return waited;
  return Math.max(
    waited,
    Math.min(collectedThrough, lastClosedBucket(nowMs, config.bucketMinutes)),
  );
}

interface ServiceRun {
  service: Service;
  /** The state as loaded. */
  before: DetectorState | null;
  state: DetectorState;
  revision: number;
  changed: boolean;
}

/**
 * What the detector is fed for one bucket: its combined count and, when a weighted source
 * failed for it, `partial` (a partial bucket that is not abnormal is read as a gap, never
 * as a fall). The flag is left out of a whole bucket, so a whole series is fed exactly as
 * the backtest feeds it.
 */
function observationOf(
  bucketStart: number,
  point: SeriesPoint | undefined,
  weights: SourceWeights,
): Observation & { partial?: true } {
  const { count, partial } = combinedBucket(point, weights);
  return partial ? { bucketStart, count, partial } : { bucketStart, count };
}

async function advanceService(
  deps: DetectDependencies,
  service: Service,
  through: number,
  touched: Map<string, Incident>,
  transitions: DetectResult["transitions"],
): Promise<ServiceRun & { buckets: number }> {
  const { config } = deps;
  const width = config.bucketMinutes * MINUTE_MS;
  const loaded = await deps.states.load(service.id);
  let state = loaded.state ?? initialDetectorState();
  // A service seen for the first time learns from whatever history the table already
  // holds (up to the catch-up limit), so a restored or re-created state starts warm.
  const oldest = through - MAX_CATCH_UP_MS;
  const next = Math.max(state.lastBucket === null ? oldest : state.lastBucket + width, oldest);
  // The buckets collect counts again are fed again too, as revisions: what arrived late,
  // and a partial bucket its failed source has counted since, reach the detector. Only
  // with a new bucket: a tick with none leaves the state as it is (and the checkpoint
  // spares it the read), so revisions are taken with the next new bucket.
  const from = Math.max(
    state.lastBucket === null ? oldest : state.lastBucket - LOOK_BACK_BUCKETS * width,
    oldest,
  );
  if (next > through)
    return {
      service,
      before: loaded.state,
      state,
      revision: loaded.revision,
      changed: false,
      buckets: 0,
    };
  const points = new Map(
    (await deps.series.range(service.id, from, through)).map((p) => [p.bucketStart, p]),
  );
  const weights = sourceWeights(service);
  const context = {
    service: service.id,
    timeZone: service.timeZone,
    bucketMinutes: config.bucketMinutes,
    settings: config.detector,
  };
  let buckets = 0;
  let latest: { count: number; at: number } | null = null;
  for (let bucket = from; bucket <= through; bucket += width) {
    const peakBefore = state.incident?.peak.count ?? 0;
    const observation = observationOf(bucket, points.get(bucket), weights);
    if (observation.count !== null) latest = { count: observation.count, at: bucket };
    const step = stepDetector(state, observation, context);
    state = step.state;
    if (bucket >= next) buckets++;
    for (const event of step.events) {
      touched.set(event.incident.id, event.incident);
      if (event.type === "opened" || event.type === "resolved") {
        transitions.push({ incidentId: event.incident.id, transition: event.type });
      }
      if (event.type === "peak") {
        // An update each time the peak first passes a multiple of the count at opening.
        const { peak, countAtOpen } = event.incident;
        for (const multiple of config.notifications.peakMultiples) {
          const threshold = multiple * countAtOpen;
          if (peakBefore < threshold && peak.count >= threshold) {
            transitions.push({ incidentId: event.incident.id, transition: "update", multiple });
          }
        }
      }
    }
  }
  const reminder = dueReminder(config, state, latest, loaded.state?.lastBucket ?? null);
  if (reminder && state.incident) {
    touched.set(state.incident.id, state.incident);
    transitions.push({ incidentId: state.incident.id, transition: "update", reminder });
  }
  return {
    service,
    before: loaded.state,
    state,
    revision: loaded.revision,
    changed: true,
    buckets,
  };
}

/**
 * The reminder an open incident fell due in this tick's buckets (`domain/reminders.ts`),
 * with the newest level it states: only the tick whose buckets reach a new one
 * (`lastBucket` was the state's newest before), so the ticks between two reminders write
 * nothing. The state is saved after the outbox took it, so a tick cut short finds it due
 * again. None while the counts are back to usual and it waits to be resolved
 * (`quietSince`): "still elevated" would be wrong then.
 */
function dueReminder(
  config: Config,
  state: DetectorState,
  latest: { count: number; at: number } | null,
  lastBucket: number | null,
): { n: number; count: number; at: number } | null {
  const { incident } = state;
  if (!incident || incident.resolvedAt !== null || state.quietSince !== null || !latest) {
    return null;
  }
  const { reminders } = config.notifications;
  const n = reminderDue(incident.openedAt, latest.at, reminders);
  const before = lastBucket === null ? 0 : reminderDue(incident.openedAt, lastBucket, reminders);
  return n > before ? { n, ...latest } : null;
}

/** Incidents that started within the correlation look-back, newest first, page by page. */
async function recentIncidents(deps: DetectDependencies, through: number): Promise<Incident[]> {
  const found: Incident[] = [];
  let after: string | undefined;
  do {
    const page = await deps.incidents.list({
      fromMs: through - CORRELATION_LOOK_BACK_MS,
      limit: 500,
      ...(after ? { after } : {}),
    });
    for (const { incident } of page.items) found.push(incident);
    after = page.next ?? undefined;
  } while (after && found.length < CORRELATION_LIMIT);
  return found;
}

/** What providers stated over the correlation look-back (none without a store). */
async function recentStated(deps: DetectDependencies, through: number): Promise<StatedRecord[]> {
  if (!deps.stated) return [];
  const configured = new Set(
    deps.config.services.flatMap((s) => s.sources.map((source) => `${s.id}#${source.id}`)),
  );
  // A source since removed from the configuration states nothing any more.
  return (await deps.stated.recent(through - CORRELATION_LOOK_BACK_MS)).filter((record) =>
    configured.has(`${record.service}#${record.source}`),
  );
}

/**
 * Incidents with their correlation as of `through`: each gains the services of
 * `overlappingPeers`, and, once one is known, its likely upstream (`domain/upstream.ts`),
 * which it keeps. An open incident already in its quiet run ends, for correlation,
 * where that run began (`quietSince`): the backtest, which sees the resolution, dates it
 * the same.
 */
function correlate(
  deps: DetectDependencies,
  incidents: Iterable<Incident>,
  quietSince: ReadonlyMap<string, number>,
  through: number,
  stated: readonly StatedRecord[],
) {
  const everything = [...incidents];
  const spans = everything.map((incident) => {
    const end = quietSince.get(incident.id);
    return end === undefined || incident.resolvedAt !== null
      ? incident
      : { ...incident, resolvedAt: end };
  });
  const peers = overlappingPeers(spans, deps.config.detector.correlationWindowMinutes, through);
  const services = new Map(deps.config.services.map((s) => [s.id, s]));
  const upstreams = upstreamServices(deps.config.services);
  const slackMs = deps.config.detector.correlationWindowMinutes * MINUTE_MS;
  /**
   * The incident with every overlapping peer recorded and its likely upstream, and
   * whether that added something.
   */
  const withPeers = (incident: Incident) => {
    const overlapping = (peers.get(incident.id) ?? []).map((peer) => peer.service);
    let grew = overlapping.some((s) => !incident.correlatedWith.includes(s));
    const correlatedWith = [...new Set([...incident.correlatedWith, ...overlapping])].sort();
    const correlated: Incident = { ...incident, correlatedWith };
    if (!incident.likelyUpstream) {
      const upstream = likelyUpstream(incident, spans, stated, upstreams, slackMs, through);
      if (upstream) {
        correlated.likelyUpstream = upstream;
        grew = true;
      }
    }
    return { incident: correlated, grew };
  };
  const summaryOf = (incident: Incident, mix?: ReportMix) => {
    const service = services.get(incident.service);
    const correlated = (peers.get(incident.id) ?? []).map((peer) => ({
      name: services.get(peer.service)?.name ?? peer.service,
      peak: peer.peak,
    }));
    return summarizeIncident(incident, {
      service: {
        id: incident.service,
        name: service?.name ?? incident.service,
        timeZone: service?.timeZone ?? "UTC",
      },
      correlated,
      now: through,
      ...(incident.likelyUpstream ? { likelyUpstream: incident.likelyUpstream.text } : {}),
      ...(mix ? { mix } : {}),
    });
  };
  return { everything, withPeers, summaryOf, services };
}

/**
 * The mix of each of `incidents`' reports (`incident-mix.ts`), for their summaries: one
 * bounded series read each, and only for the incidents a tick writes.
 */
async function mixesOf(
  deps: DetectDependencies,
  services: ReadonlyMap<string, Service>,
  incidents: Iterable<Incident>,
  through: number,
): Promise<Map<string, ReportMix>> {
  const mixes = new Map<string, ReportMix>();
  await runBounded(
    [...incidents].map((incident) => async () => {
      const service = services.get(incident.service);
      if (service)
        mixes.set(incident.id, await incidentMix(deps.series, service, incident, through));
    }),
    CONCURRENCY,
  );
  return mixes;
}

/**
 * Whether an opening goes out with its upstream's (`domain/grouping.ts`): an opening
 * ascribed to a provider's stated incident goes with the others ascribed to it, whatever
 * their category; one inside the incident of a service it declared it depends on goes
 * with that service's opening.
 */
function foldsInto(
  incident: Incident,
): incident is Incident & { likelyUpstream: NonNullable<Incident["likelyUpstream"]> } {
  const upstream = incident.likelyUpstream;
  return upstream !== undefined && (upstream.kind === "stated" || upstream.declared);
}

/** What steps 1-5 did for a shard, or what its checkpoint noted when there was nothing to do. */
interface ShardWork {
  buckets: number;
  transitions: DetectResult["transitions"];
  conflicts: string[];
  open: OpenIncident[];
  /** The open incidents' quiet runs (incident id → since), for the tick's finisher. */
  quietSince: Record<string, number>;
}

/**
 * Steps 1-5 for the shard's services `own` (whose `shardFingerprint` is `fingerprint`),
 * and the checkpoint once every state is saved.
 */
async function advanceShard(
  deps: DetectDependencies,
  job: DetectShardJob,
  own: readonly Service[],
  fingerprint: string,
): Promise<ShardWork> {
  const { config } = deps;
  const { through, shard } = job;
  const ownIds = new Set(own.map((s) => s.id));
  const touched = new Map<string, Incident>();
  const transitions: DetectResult["transitions"] = [];

  // 1-2. Step every service's detector.
  const runs: (ServiceRun & { buckets: number })[] = [];
  await runBounded(
    own.map((service) => async () => {
      runs.push(await advanceService(deps, service, through, touched, transitions));
    }),
    CONCURRENCY,
  );
  const quietSince = new Map(
    runs.flatMap((run) =>
      run.state.incident && run.state.quietSince !== null
        ? [[run.state.incident.id, run.state.quietSince] as const]
        : [],
    ),
  );

  // 3. Correlate and write what changed: only this shard's incidents, and only when one
  // changed (an older one gains peers from other shards when the tick finishes).
  const toWrite = new Map<string, Incident>();
  let summaryOf: ReturnType<typeof correlate>["summaryOf"] | undefined;
  let mixes = new Map<string, ReportMix>();
  let services = new Map(config.services.map((s) => [s.id, s]));
  if (touched.size > 0) {
    const [recent, stated] = await Promise.all([
      recentIncidents(deps, through),
      recentStated(deps, through),
    ]);
    const all = new Map(recent.map((i) => [i.id, i]));
    for (const [id, incident] of touched) {
      // The detector's copy carries no upstream; the record keeps the one it was given.
      const upstream = all.get(id)?.likelyUpstream;
      all.set(id, upstream ? { ...incident, likelyUpstream: upstream } : incident);
    }
    const correlation = correlate(deps, all.values(), quietSince, through, stated);
    summaryOf = correlation.summaryOf;
    services = correlation.services;
    for (const incident of correlation.everything) {
      if (!ownIds.has(incident.service)) continue;
      const { incident: correlated, grew } = correlation.withPeers(incident);
      if (touched.has(incident.id) || grew) toWrite.set(incident.id, correlated);
    }
    mixes = await mixesOf(deps, services, toWrite.values(), through);
    for (const incident of toWrite.values())
      await deps.incidents.put(
        incident,
        correlation.summaryOf(incident, mixes.get(incident.id)),
        through,
      );
  }

  // 4. Record transitions once.
  for (const { incidentId, transition, multiple, reminder } of transitions) {
    const incident = toWrite.get(incidentId);
    if (!incident || !summaryOf) continue;
    const service = services.get(incident.service);
    const serviceName = service?.name ?? incident.service;
    const summary = summaryOf(incident, mixes.get(incidentId));
    const facts = reminder && {
      ...reminder,
      openedAt: incident.openedAt,
      timeZone: service?.timeZone ?? "UTC",
    };
    await deps.outbox.add({
      key: facts
        ? reminderKey(incidentId, facts.n)
        : multiple
          ? `${incidentId}#update-${multiple}x`
          : `${incidentId}#${transition}`,
      incidentId,
      transition,
      service: incident.service,
      serviceName,
      category: service?.category ?? "other",
      summary: facts
        ? reminderSummary(serviceName, facts)
        : multiple
          ? growthSummary(summary, serviceName, incident.peak.count, multiple)
          : summary,
      createdAt: job.at,
      ...(facts ? { reminder: facts } : {}),
      ...(transition === "opened" && foldsInto(incident)
        ? { foldInto: foldKey(incident.likelyUpstream) }
        : {}),
    });
  }

  // 5. Record the statuses that changed, then save each state on the revision it was read
  // at; the checkpoint once all are saved.
  await recordServiceStatus(
    deps,
    runs.flatMap((r) =>
      r.changed ? [{ service: r.service.id, before: r.before, after: r.state }] : [],
    ),
  );
  const conflicts: string[] = [];
  for (const run of runs) {
    if (run.changed && !(await deps.states.save(run.service.id, run.state, run.revision))) {
      // Another tick saved first; it computed the same buckets, and everything written
      // above is keyed so that its writes and ours are the same. It may have worked
      // through an older bucket, though: no checkpoint, so the next tick looks again.
      conflicts.push(run.service.id);
    }
  }
  const open = runs.flatMap((run) =>
    run.state.incident ? [toWrite.get(run.state.incident.id) ?? run.state.incident] : [],
  );
  const work: ShardWork = {
    buckets: runs.reduce((sum, run) => sum + run.buckets, 0),
    transitions,
    conflicts,
    open,
    quietSince: Object.fromEntries(quietSince),
  };
  if (conflicts.length === 0) {
    const checkpoint = { services: fingerprint, through, quietSince: work.quietSince, open };
    // Only a saving: a checkpoint that cannot be written (or is too large to be) leaves
    // the next tick to read every state, and must not fail a shard whose work is saved.
    await deps.checkpoints.write(shard, checkpoint).catch(() => undefined);
  }
  return work;
}

/**
 * Detects incidents in one shard of a tick's services, through the job's bucket.
 * @example const result = await detectShard(deps, { at, through, shard: { index: 3, count: 50 } });
 */
export async function detectShard(
  deps: DetectDependencies,
  job: DetectShardJob,
): Promise<DetectResult> {
  const { through, shard } = job;
  const own = servicesOf(deps.config.services, shard);
  const fingerprint = shardFingerprint(own.map((s) => s.id));

  // 0. Nothing to step when every service was saved through this bucket already.
  const checkpoint = await deps.checkpoints.read(shard).catch(() => null);
  const skipped =
    checkpoint !== null && checkpoint.services === fingerprint && checkpoint.through >= through;
  const work: ShardWork = skipped
    ? {
        buckets: 0,
        transitions: [],
        conflicts: [],
        open: checkpoint.open,
        quietSince: checkpoint.quietSince,
      }
    : await advanceShard(deps, job, own, fingerprint);

  // 6. Mark the shard done, leaving its quiet runs for the correlation across shards.
  const quiet = Object.keys(work.quietSince).length > 0 ? work.quietSince : undefined;
  const tally = await deps.shards.markDone("detect", job.at, shard, quiet);
  const delivery = tally.complete
    ? await finishDetectTick(
        deps,
        through,
        new Map(tally.notes.flatMap((note) => Object.entries(note))),
        shard.count > 1,
      )
    : NO_DELIVERY;
  return {
    through,
    shard,
    tickComplete: tally.complete,
    skipped,
    buckets: work.buckets,
    transitions: work.transitions,
    conflicts: work.conflicts,
    open: work.open,
    delivery,
  };
}

/**
 * The tick's last step, once every shard is done: incidents gain the peers other shards
 * opened beside them (`acrossShards`; one shard has correlated everything already), and
 * the outbox is delivered. Re-running it changes nothing: it writes only peers not yet
 * recorded, and delivery claims each message.
 */
export async function finishDetectTick(
  deps: DetectDependencies,
  through: number,
  quietSince: ReadonlyMap<string, number>,
  acrossShards = true,
): Promise<DeliveryResult> {
  if (acrossShards) {
    const [recent, stated] = await Promise.all([
      recentIncidents(deps, through),
      recentStated(deps, through),
    ]);
    const correlation = correlate(deps, recent, quietSince, through, stated);
    const grown = correlation.everything.flatMap((incident) => {
      const { incident: correlated, grew } = correlation.withPeers(incident);
      return grew ? [correlated] : [];
    });
    const mixes = await mixesOf(deps, correlation.services, grown, through);
    for (const incident of grown) {
      await deps.incidents.put(
        incident,
        correlation.summaryOf(incident, mixes.get(incident.id)),
        through,
      );
    }
  }
  // States and incidents are written by now, and deliveries may change records: cached
  // API answers start afresh even when delivery fails.
  try {
    return await deliverPending(deps.outbox, deps.deliverer, deps.now());
  } finally {
    await deps.progress.markChanged();
  }
}

/**
 * The bucket every shard of a detect tick at `nowMs` works through.
 * @example const through = await tickThrough(deps, Date.parse(event.time));
 */
export async function tickThrough(deps: DetectDependencies, nowMs: number): Promise<number> {
  return settledBucket(deps.config, nowMs, await deps.progress.collectedThrough());
}

/**
 * Detects incidents in the buckets settled at `nowMs`, every service as one shard.
 * @example const result = await detectIncidents(deps, Date.parse(event.time));
 */
export async function detectIncidents(
  deps: DetectDependencies,
  nowMs: number,
): Promise<DetectResult> {
  return detectShard(deps, { at: nowMs, through: await tickThrough(deps, nowMs), shard: WHOLE });
}
