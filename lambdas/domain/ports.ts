/**
 * The small interfaces the use cases depend on. DynamoDB implements them in
 * `lambdas/store`, the notifiers in `lambdas/notify`; tests and the backtest can supply
 * their own. Times are epoch milliseconds.
 */
import type { SourceFailure } from "../../contract/source-failure";
import type { StatedIncident } from "./count-source";
import type { DetectorState } from "./detector";
import type { Incident, IncidentSummary, IncidentTransition } from "./incident";
import { OutcryError } from "./outcry-error";
import type { ServiceStatus, StatusRecord } from "./service-status";
import type { ShardJob, ShardJobKind, ShardRef } from "./shards";
import type { StatedRecord } from "./upstream";

/** Counts of one bucket of one service, per source; a missing source is a gap. */
export interface SeriesPoint {
  bucketStart: number;
  /** source id → count */
  counts: Record<string, number>;
  /** source id → how its count splits by kind (crowd reports by problem), where known */
  breakdowns?: Record<string, Record<string, number>>;
  /** source id → how its count splits by region (a US state or country code), where known */
  regions?: Record<string, Record<string, number>>;
  /**
   * Sources whose read failed for this bucket while they had no count in it, sorted
   * (absent when none): what makes a counted bucket partial (`domain/combine.ts`).
   */
  failed?: string[];
}

/** The per-service, per-bucket, per-source counts. */
export interface SeriesStore {
  /**
   * Sets (never adds) the count of one source in one bucket, and its splits by kind and
   * by region when given, and clears the source's failure mark there: re-running is
   * harmless.
   */
  putCount(
    service: string,
    source: string,
    bucketStart: number,
    count: number,
    breakdown?: Readonly<Record<string, number>>,
    regions?: Readonly<Record<string, number>>,
  ): Promise<void>;
  /**
   * Marks each of `bucketStarts` as failed for `source`, unless the source has a count in
   * it (then it is not missing from the bucket). Marking again changes nothing, and the
   * next `putCount` of the source in the bucket clears its mark.
   */
  markFailed(service: string, source: string, bucketStarts: readonly number[]): Promise<void>;
  /**
   * Points from `fromMs` to `toMs` inclusive, oldest first; buckets with no data are absent
   * (a bucket with only failure marks is present, with no counts).
   */
  range(service: string, fromMs: number, toMs: number): Promise<SeriesPoint[]>;
  /**
   * The points of each of `services` in each of `bucketStarts` (batched reads: a page of
   * services costs a few calls, not one each), oldest first; services with none are absent.
   */
  pointsAt(
    services: readonly string[],
    bucketStarts: readonly number[],
  ): Promise<Map<string, SeriesPoint[]>>;
}

/** The detector's memory of each service, written with optimistic concurrency. */
export interface DetectorStateStore {
  /**
   * The stored state, migrated to the current version, and its revision: a token to pass
   * back to `save`, 0 when none is stored.
   */
  load(service: string): Promise<{ state: DetectorState | null; revision: number }>;
  /** Saves when the stored revision is still `expected`; false when another tick won. */
  save(service: string, state: DetectorState, expected: number): Promise<boolean>;
  /**
   * The states of `services` for reading only (batched, eventually consistent: no
   * revision to save on); services with none are absent.
   */
  loadMany(services: readonly string[]): Promise<Map<string, DetectorState>>;
}

/** A service's status as stored, with the bucket it was derived after. */
export interface StoredServiceStatus extends StatusRecord {
  service: string;
  /** The newest bucket of the detector state it was derived from. */
  asOf: number;
}

/** The statuses a listing can ask the store for by status (the others are the rest). */
export type IndexedStatus = Exclude<ServiceStatus, "normal">;

/**
 * Each service's status as `GET /services` lists it, written by detect when it changes
 * and read by the API a page at a time.
 */
export interface ServiceStatusStore {
  /**
   * Records `next`, derived from the state after bucket `asOf`, in place of `previous`
   * (what was recorded before, so that it can leave the listing of its status). A write
   * older than the stored one changes nothing, so a late tick cannot roll a status back.
   */
  record(service: string, previous: StatusRecord, next: StatusRecord, asOf: number): Promise<void>;
  /** The records of `services` (batched); services never recorded are absent. */
  readMany(services: readonly string[]): Promise<Map<string, StoredServiceStatus>>;
  /**
   * Services recorded as `status`, in id order, from just after the id `after` on: at
   * most `limit`, and the id to go on after when there may be more.
   */
  listByStatus(
    status: IndexedStatus,
    options: { after?: string; limit: number },
  ): Promise<{ items: StoredServiceStatus[]; next: string | null }>;
}

/** A stored incident with its current summary. */
export interface StoredIncident {
  incident: Incident;
  summary: IncidentSummary;
}

/** Incidents, newest first. */
export interface IncidentStore {
  /**
   * Writes the incident as it stands after bucket `asOf` (idempotent: keyed by its
   * deterministic id). A write older than the stored one is ignored, so a late tick can
   * never roll an incident back.
   */
  put(incident: Incident, summary: IncidentSummary, asOf: number): Promise<void>;
  get(id: string): Promise<StoredIncident | null>;
  /** The cursor that continues a listing just after `incident`. */
  cursorAfter(incident: Incident): string;
  /** Incidents that started from `fromMs` on, newest first, at most `limit`. */
  list(options: { fromMs?: number; toMs?: number; limit: number; after?: string }): Promise<{
    items: StoredIncident[];
    next: string | null;
  }>;
}

/** A notification to deliver once per incident transition. */
export interface OutboxMessage {
  /** `<incident id>#<transition>`: the dedup key. */
  key: string;
  incidentId: string;
  transition: IncidentTransition;
  service: string;
  /** The service's display name, for messages that name several services. */
  serviceName: string;
  category: string;
  summary: IncidentSummary;
  createdAt: number;
  /**
   * For an opening ascribed to a provider's stated incident, or inside the incident of a
   * service it declared it depends on (`dependsOn`): what it goes out with (see
   * `domain/grouping.ts`, `foldKey`).
   */
  foldInto?: string;
  /**
   * Set on a "still elevated" reminder (an update, `domain/reminders.ts`): which one, and
   * the level it states, so reminders due together can be worded as one.
   */
  reminder?: ReminderFacts;
  /**
   * Set on a digest of held messages (`domain/held.ts`): the recipients it goes to, fixed
   * when it was made (quiet hours end per recipient, a maintenance window per service).
   */
  to?: string[];
}

/** What a reminder states: "T-Mobile still elevated after 4 h; about 2,100 reports at 3 p.m. ET". */
export interface ReminderFacts {
  /** Its number, from 1. */
  n: number;
  /** When the incident opened. */
  openedAt: number;
  /** The newest bucket's count and start. */
  count: number;
  at: number;
  /** The zone its times are told in (the service's). */
  timeZone: string;
}

/**
 * A message as it goes out to the channels: who may receive it, and the key it is
 * delivered once under.
 */
export interface OutgoingMessage extends OutboxMessage {
  /** Ids of the subscribers and webhooks that may receive it, sorted; empty: nobody. */
  audience: string[];
  /**
   * The message key, or, when a group goes out in two wordings, the key and the wording
   * (`…#opened/news`): what a webhook delivery is deduplicated by.
   */
  deliveryKey: string;
}

/** Where an outbox message stands. */
export type OutboxState = "pending" | "sent" | "suppressed" | "dead";

/** An outbox message's record: its state and who it went (or goes) to. */
/** One wording of a message and who gets it: a group may go out in two. */
export interface DeliveryPart {
  summary: IncidentSummary;
  audience: string[];
  /** Set on the second wording of a group ("news"), which channels note apart. */
  wording?: string;
}

export interface OutboxRecord {
  message: OutboxMessage;
  state: OutboxState;
  /** The audience recorded when it first went out; null before that. */
  audience: string[] | null;
  /** When every channel had it; null while pending, or when held back or dead. */
  sentAt: number | null;
  /** The parts its first attempt planned; null before that. */
  parts: DeliveryPart[] | null;
  /** When a failed attempt is tried again; null when none waits. */
  retryAt: number | null;
  /** Channels (notifier names) that have it. */
  channels: string[];
}

/** An outbox message with its delivery state. */
export interface OutboxEntry {
  message: OutboxMessage;
  /** Delivery rounds begun so far. */
  attempts: number;
  /** Channels (notifier names) that have it already. */
  sentTo: string[];
  /**
   * The key of the message it first went out with as one (a group's first member), once
   * a first attempt planned it: a retry of a group goes as one again.
   */
  group?: string;
}

/** Messages recorded before they are sent, so a crash between the two loses nothing. */
export interface OutboxStore {
  /** Records a message; false when one with the same key exists (already recorded). */
  add(message: OutboxMessage): Promise<boolean>;
  /** Messages not yet sent to every channel, oldest first. */
  pending(limit: number): Promise<OutboxMessage[]>;
  /** Pending messages whose next attempt is due at `nowMs`, oldest first. */
  due(nowMs: number, limit: number): Promise<OutboxEntry[]>;
  /**
   * Takes a due message for sending until `leaseUntil` and counts the attempt; false when
   * someone else holds it, it is not due yet, or it is no longer pending.
   */
  claim(key: string, nowMs: number, leaseUntil: number): Promise<boolean>;
  /** Notes that `channel` has the message, so a retry skips it. */
  markChannelSent(key: string, channel: string): Promise<void>;
  /** Every channel has it: no longer pending. `channels` are noted as having it too. */
  markSent(key: string, nowMs: number, channels?: readonly string[]): Promise<void>;
  /**
   * Releases the lease after a failure; the next attempt waits until `retryAt`.
   * `channels` (that did have it) are noted in the same write.
   */
  markFailed(
    key: string,
    error: string,
    retryAt?: number,
    channels?: readonly string[],
  ): Promise<void>;
  /** Gives up on the message (it went to the dead-letter queue): no longer pending. */
  markDead(key: string, error: string, nowMs: number): Promise<void>;
  /**
   * Holds a message back for good (a maintenance window, or a reminder its incident's
   * resolution overtook): no longer pending, never sent.
   */
  markSuppressed(key: string, nowMs: number): Promise<void>;
  /**
   * Records, once, what became of messages held for a digest (`domain/held.ts`): `sent`
   * when the digest told `audience` of it, `suppressed` when the incident was over first.
   * Never due, never sent itself; it is read with its incident's records. False when it
   * was recorded already.
   */
  note(
    message: OutboxMessage,
    outcome: { state: "sent" | "suppressed"; audience: readonly string[]; nowMs: number },
  ): Promise<boolean>;
  /**
   * Records who the message goes to, unless a first attempt already did (a retry keeps
   * the first audience); returns the recorded one.
   */
  recordAudience(key: string, audience: readonly string[]): Promise<string[]>;
  /**
   * Records the parts a message goes out as, unless a first attempt already did, and
   * returns the recorded ones: a retry sends what the first attempt planned, to the
   * channels it missed, however the grouping would come out now. `group` names the
   * message it went with (a group's first member), so the group retries as one;
   * `audience`, who it goes to, is recorded with them in the same write (unless recorded
   * before), as {@link recordAudience} would.
   */
  recordParts(
    key: string,
    parts: readonly DeliveryPart[],
    options?: { group?: string | undefined; audience?: readonly string[] | undefined },
  ): Promise<DeliveryPart[]>;
  /** The record of one message, or null. */
  record(key: string): Promise<OutboxRecord | null>;
  /** Every record of one incident's messages (opened, updates, resolved). */
  incidentRecords(incidentId: string): Promise<OutboxRecord[]>;
  /** Messages of `transition` sent from `sinceMs` on, for grouping. */
  sentSince(transition: IncidentTransition, sinceMs: number): Promise<OutboxMessage[]>;
}

/**
 * A message held back by quiet hours (for one recipient) or a maintenance window (for a
 * service's whole audience), waiting to go out in a digest when the window ends; one per
 * incident and whom it waits for (see `domain/held.ts`).
 */
export interface HeldMessage {
  /** `quiet`: `target` is a recipient id; `maintenance`: a service id. */
  kind: "quiet" | "maintenance";
  target: string;
  incidentId: string;
  service: string;
  serviceName: string;
  category: string;
  /** When it was first held. */
  heldAt: number;
  /** The newest held message's subject, said when the incident cannot be read. */
  subject: string;
  /** The newest level a held reminder stated. */
  level?: { count: number; at: number } | undefined;
}

/** The messages held for a digest (`store/held-store.ts`). */
export interface HeldStore {
  /** Holds one, or refreshes the one held for its incident and target (keeping `heldAt`). */
  hold(message: HeldMessage): Promise<void>;
  /** The held messages, oldest first, at most `limit`. */
  list(limit: number): Promise<HeldMessage[]>;
  /** Forgets one: its digest, or its record of being dropped, is in the outbox. */
  release(message: HeldMessage): Promise<void>;
}

/** Where one subscriber's texts of one category stand under the SMS cap (`sms-cap.ts`). */
export interface SmsCapState {
  subscriber: string;
  category: string;
  /** When the last text of this category went to them. */
  lastAt: number;
  /** Texts kept back since then, and from when. */
  folded: number;
  foldedSince: number | null;
  /** The last text kept back, for the one that says what they missed. */
  latest: FoldedText | null;
}

/** A text the SMS cap kept back: what it said, and what it was about. */
export interface FoldedText {
  sms: string;
  incidentId: string;
  service: string;
  serviceName: string;
  transition: IncidentTransition;
}

/** Where each subscriber's texts of each category stand under the SMS cap. */
export interface SmsCapStore {
  /** Every state (one per SMS subscriber and category that had a text: few). */
  all(): Promise<SmsCapState[]>;
  /** Adds a text kept back at `nowMs` (the cap's start and the first kept back stay). */
  fold(subscriber: string, category: string, nowMs: number, latest: FoldedText): Promise<void>;
  /**
   * Writes `state` (a text let through: the cap starts afresh) unless the stored state is
   * no longer `seen` (another round changed it first); false then, and nothing changes.
   */
  restart(state: SmsCapState, seen: SmsCapState | undefined): Promise<boolean>;
}

/** Where a message that keeps failing goes, so that someone looks at it. */
export interface DeadLetterQueue {
  send(message: OutboxMessage, error: string): Promise<void>;
}

/**
 * Delivers one message to people (SNS, a webhook, the console, the outbox file). A
 * channel that reaches people sends only to the message's audience, and sends nothing
 * when none of it is theirs.
 */
export interface Notifier {
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
}

/**
 * Webhook deliveries, each once: a delivery is claimed before the post (a conditional
 * write keyed by webhook and delivery key), noted when it succeeded, and released when it
 * failed, so a redelivered message posts nothing twice.
 */
export interface WebhookDeliveryStore {
  /** Takes the delivery until `leaseUntil`; false when it was made or someone holds it. */
  claim(webhook: string, deliveryKey: string, nowMs: number, leaseUntil: number): Promise<boolean>;
  markDelivered(webhook: string, deliveryKey: string, nowMs: number): Promise<void>;
  /** Gives a failed delivery back for the next try. */
  release(webhook: string, deliveryKey: string): Promise<void>;
}

/** A crowd report as stored: the reporter only as a salted hash. */
export interface CrowdReport {
  service: string;
  problem: string;
  /** Who reports (a salted hash of the address: never the address itself). */
  reporter: string;
  /** The network the reporter's address belongs to (also a salted hash). */
  network: string;
  /**
   * The region it came from, a code of `contract/regions.ts` (a US state or a country),
   * when the reporter picked one or a trusted edge told it; never anything finer.
   */
  region?: string;
  at: number;
}

/** The reports counted in one bucket, by problem kind and by region (where one was given). */
export interface ReportTally {
  problems: Record<string, number>;
  regions: Record<string, number>;
}

/**
 * What became of a report: counted, a duplicate of this reporter's earlier one, or kept
 * but not counted because its network already gave the most reports a window may count.
 */
export type ReportOutcome = "accepted" | "duplicate" | "capped";

/** Crowd reports, deduplicated per reporter and service. */
export interface ReportStore {
  /**
   * Records a report unless this reporter already reported this service in the same
   * dedup window (the `dedupMinutes` slot of the UTC day): "duplicate". A new report
   * counts ("accepted") while its network has given fewer than `perNetwork` counted
   * reports of this service in the window, and is kept uncounted ("capped") after.
   */
  record(report: CrowdReport): Promise<ReportOutcome>;
  /**
   * Reports per problem kind and per region in each of `bucketStarts` (one read of their
   * windows).
   */
  countBuckets(service: string, bucketStarts: readonly number[]): Promise<Map<number, ReportTally>>;
  /**
   * The services with reports in the dedup windows of `bucketStarts`, read once for all
   * of them; null when the store cannot tell (reports may predate what it keeps to
   * tell), and every service must be counted.
   */
  servicesWithReports(bucketStarts: readonly number[]): Promise<ReadonlySet<string> | null>;
  /**
   * How many reports of `service` counted in the dedup windows that overlap
   * [`fromMs`, `toMs`), and from how many distinct networks they came.
   */
  networkSummary(service: string, fromMs: number, toMs: number): Promise<ReportNetworks>;
}

/** Where the counted crowd reports of a span came from. */
export interface ReportNetworks {
  /** Reports counted (capped ones are not). */
  counted: number;
  /** Distinct networks (IPv4 /24, IPv6 /48 by default) they came from. */
  networks: number;
}

/** Challenges already redeemed, so each solution counts once. */
export interface SpentChallenges {
  /**
   * Marks the challenge with `signature` spent until `expiresAtMs` (after which it
   * cannot be redeemed anyway); false when it already was.
   */
  spend(signature: string, expiresAtMs: number): Promise<boolean>;
}

/** Counts requests per client to turn floods away, in one container's memory. */
export interface RateLimiter {
  /** Counts one request from `client` at `nowMs`; returns how many it made that minute. */
  hit(client: string, nowMs: number): number;
}

/** What a client's requests are counted for, each against its own limit. */
export type RateLimitPurpose = "report" | "challenge" | "subscribe" | "subscription-code";

/**
 * Requests per client and minute, counted in the store so that the limit holds across
 * every container of the function, not per container.
 */
export interface SharedRateLimit {
  /**
   * Takes one of the `limit` requests `client` (a salted hash, never an address) may make
   * for `purpose` in the UTC minute of `nowMs`; false when they were all taken.
   */
  take(purpose: RateLimitPurpose, client: string, limit: number, nowMs: number): Promise<boolean>;
}

/**
 * Health of one source of one service. A failure is kept as its public class only: its
 * message names URLs and what servers said, so it goes to the logs, not to the store the
 * API reads.
 */
export interface SourceHealth {
  service: string;
  source: string;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  /** The class of the failure at `lastErrorAt`; null when the source never failed. */
  lastFailure: SourceFailure | null;
  consecutiveFailures: number;
  /**
   * When the current run began: the first success since the last failure, or the first
   * failure since the last success. Null when not known: a run already under way when
   * the record was written by a release that did not time runs.
   */
  since: number | null;
  /** What the source asked to remember after its last success (HTTP validators…). */
  memory: Readonly<Record<string, string | number>> | null;
  /**
   * What collect wrote of this source at its last success: bucket start (epoch ms, as
   * text) → a mark of the count and its split, so a bucket read again unchanged is not
   * written again. Absent before the first such success.
   */
  written?: Readonly<Record<string, string>>;
  /**
   * The buckets (epoch ms, as text) collect marked failed for this source since its last
   * success, so a failure that goes on does not mark them again each tick. Absent when
   * none.
   */
  marked?: readonly string[];
}

/** Remembers how each source fared. */
export interface SourceHealthStore {
  /**
   * Records a success and, when given, replaces what the source remembers and what
   * collect wrote of it.
   */
  recordSuccess(
    service: string,
    source: string,
    atMs: number,
    memory?: Readonly<Record<string, string | number>>,
    written?: Readonly<Record<string, string>>,
  ): Promise<void>;
  /**
   * Records a failure of the given class and, when given, replaces the buckets marked
   * failed for the source (a success forgets them).
   */
  recordFailure(
    service: string,
    source: string,
    atMs: number,
    failure: SourceFailure,
    marked?: readonly string[],
  ): Promise<void>;
  list(service: string): Promise<SourceHealth[]>;
}

/** A statement for a service's timeline, from a source (e.g. an official status page). */
export interface Annotation {
  service: string;
  source: string;
  at: number;
  key: string;
  text: string;
}

/**
 * The incidents providers' sources stated and have not resolved, and those they stopped
 * stating lately: what the likely-upstream inference reads (see `domain/upstream.ts`).
 */
export interface StatedIncidentStore {
  /**
   * Records one fresh read of `source` of `service`: each of `started` as stated from
   * its `startedAt` (stating one again changes nothing but clears its end), and the keys
   * of `ended` as no longer stated from `nowMs`.
   */
  record(
    service: string,
    source: string,
    started: readonly StatedIncident[],
    ended: readonly string[],
    nowMs: number,
  ): Promise<void>;
  /** What is stated now, and what stopped being stated since `sinceMs`. */
  recent(sinceMs: number): Promise<StatedRecord[]>;
}

/** Timeline annotations, stored once each. */
export interface AnnotationStore {
  /** Stores an annotation; storing the same (service, source, key) again changes nothing. */
  put(annotation: Annotation): Promise<void>;
  /** Annotations of a service from `fromMs` to `toMs`, oldest first. */
  range(service: string, fromMs: number, toMs: number): Promise<Annotation[]>;
}

/** Item ids seen per service, source and bucket: deduplication across pages and ticks. */
export interface SeenItemsStore {
  /**
   * Adds ids to the bucket's set (adding one already there changes nothing) and returns
   * how many distinct ids the bucket holds.
   */
  add(
    service: string,
    source: string,
    bucketStart: number,
    ids: readonly string[],
  ): Promise<number>;
  /**
   * Adds each bucket's ids, except ids that one of these buckets already holds: an item
   * whose date moved (an Atom entry dated only by `<updated>`, edited later) stays
   * counted once, in the bucket where it was first seen. Returns each bucket's count.
   */
  addOnce(
    service: string,
    source: string,
    idsByBucket: ReadonlyMap<number, readonly string[]>,
  ): Promise<Map<number, number>>;
}

/**
 * Reads a secret a source needs (an app password) by the name the config gives: from
 * Secrets Manager in AWS, from an environment variable on a laptop.
 */
export interface SecretReader {
  /** The secret's value, or null when it is not set (not created, or empty). */
  read(name: string): Promise<string | null>;
  /**
   * How to set the secret `name` where this reader looks, as a sentence an error message
   * can end with, e.g. "set the environment variable OUTCRY_SECRET_OUTCRY_BLUESKY".
   */
  howToSet(name: string): string;
}

/** How far collect has got, so detect can follow it closely. */
export interface ProgressStore {
  /** Notes that every source has been read for the buckets up to `bucketStart`. */
  markCollected(bucketStart: number): Promise<void>;
  /** The newest bucket collect has finished, or null before its first run. */
  collectedThrough(): Promise<number | null>;
  /** Notes that a tick changed stored data, so answers cached by version start afresh. */
  markChanged(): Promise<void>;
  /** A number that changes whenever a tick has changed stored data (0 before any). */
  dataVersion(): Promise<number>;
}

/**
 * Hands out a tick's shard jobs to the workers: an SQS queue in AWS, in-process tasks
 * locally. A job may be delivered more than once; workers make that harmless.
 */
export interface ShardQueue {
  send(jobs: readonly ShardJob[]): Promise<void>;
}

/** What {@link ShardProgressStore.markDone} found. */
export interface ShardTally {
  /** True when every shard of the tick has now been marked done (also on a repeat). */
  complete: boolean;
  /** What each shard marked done so far left for the one that finishes the tick. */
  notes: Record<string, number>[];
}

/**
 * Which shards of a tick are done, so that the last one to finish does the tick's
 * cross-shard work (collect: mark the bucket collected; detect: correlate and deliver).
 */
export interface ShardProgressStore {
  /**
   * Marks `shard` of the `kind` tick keyed `tick` done (idempotent), leaving `note`
   * (e.g. detect's quiet runs of open incidents: incident id → since).
   */
  markDone(
    kind: ShardJobKind,
    tick: number,
    shard: ShardRef,
    note?: Record<string, number>,
  ): Promise<ShardTally>;
}

/** An open incident as a detect shard reports it: enough to name it and its peak. */
export type OpenIncident = Pick<Incident, "id" | "service" | "peak">;

/**
 * What a detect shard noted once every one of its services had a saved state through
 * `through`: a later tick of the same services through no newer bucket has nothing to
 * step, so it reads no state and reports what is noted here instead.
 */
export interface DetectCheckpoint {
  /** The fingerprint of the shard's services then (`shardFingerprint` in `shards.ts`). */
  services: string;
  /** The newest bucket every one of those services' saved states had stepped through. */
  through: number;
  /** Their open incidents' quiet runs (incident id → since), left for the tick's finisher. */
  quietSince: Record<string, number>;
  /** Their open incidents. */
  open: OpenIncident[];
}

/**
 * Each detect shard's {@link DetectCheckpoint}. A checkpoint may be stale (older than the
 * states), never ahead of them: states only move forward, and one is written only after
 * every state it speaks for was saved.
 */
export interface DetectCheckpointStore {
  /** The checkpoint last written for `shard` (the `index`-th of `count`), or null. */
  read(shard: ShardRef): Promise<DetectCheckpoint | null>;
  write(shard: ShardRef, checkpoint: DetectCheckpoint): Promise<void>;
}

/**
 * Leases that keep two ticks of one kind (collect, detect) from working at once: a late
 * or retried invocation that finds the lease held skips its tick, and a crashed holder's
 * lease simply runs out.
 */
export interface TickLeaseStore {
  /** Takes the lease `name` for `holder` until `untilMs`, unless another holds it at `nowMs`. */
  acquire(name: string, holder: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** Gives the lease back, if `holder` still holds it. */
  release(name: string, holder: string): Promise<void>;
}

/**
 * Raised when a listing cursor was not made by outcry, or was made for another listing
 * (other filters, a position outside the range asked for): a client sent it wrong.
 */
export class InvalidCursorError extends OutcryError {
  constructor(why = "it is not one outcry made") {
    super(
      `cursor is not valid: ${why}; pass the 'next' value of a previous response, with the same filters`,
    );
    this.name = "InvalidCursorError";
  }
}

/** Why a crowd report was not taken. */
export type ReportRejection =
  /** The client address is not an IPv4 or IPv6 address (a forged forwarding header). */
  | "invalid-address"
  | "unknown-service"
  | "unknown-problem"
  /** A region that is not one of the service's area. */
  | "unknown-region"
  | "rate-limited"
  /** No solved challenge, a forged or expired one, or one already used. */
  | "challenge-failed";

/** Raised when a crowd report is not taken; the caller decides how to answer. */
export class ReportRejected extends OutcryError {
  constructor(
    readonly reason: ReportRejection,
    message: string,
    /** For "rate-limited": seconds until the client may report again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ReportRejected";
  }
}
