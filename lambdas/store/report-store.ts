/**
 * Crowd reports in DynamoDB, one conditional write per report. A report is an item keyed
 * by service, dedup window, shard and reporter
 * (`pk = R#<service>#<window start ISO>#<shard>`, `sk = <reporter hash>`):
 * - the window is the `dedupMinutes` slot of the UTC day the report falls in, so the
 *   put's `attribute_not_exists` condition alone makes one reporter count once per
 *   service per window, even when identical submissions race, with no read before it;
 * - the shard comes from the reporter hash, so a flood for one service spreads over
 *   `shards` partitions (DynamoDB takes about 1,000 writes/s per partition) while the key
 *   of any reporter's report stays computable;
 * - counts are derived by reading the buckets' windows, each partition once per tick
 *   (tallied by bucket), so re-running a tick gives the same numbers; the read grows with
 *   the window's reports, and more shards spread it over more partitions;
 * - each network (an IPv4 /24 or IPv6 /48, hashed by the caller) counts at most
 *   `perNetwork` reports per service and window. A report is put `uncounted`; a
 *   conditional counter per network (`pk = N#<service>#<window start ISO>#<shard>`,
 *   `sk = <network>`) then takes it or refuses it, and only a taken one loses the mark.
 *   A capped report stays a duplicate for its reporter but never counts, costs no
 *   second write, and a failure between the steps leaves a report uncounted rather than
 *   counted past the cap. One address's repeats never spend its network's share, since
 *   only a reporter's first report reaches the counter.
 * - before its report, each report makes sure a marker says its service has reports in
 *   its window (`pk = RW#<window start ISO>#<k>`, `sk = <service>`, k a hash of the
 *   service over a few partitions so a mass outage spreads them). A container writes
 *   each marker once. collect reads a window's markers once a shard
 *   ({@link DynamoReportStore.servicesWithReports}) and queries the report partitions of
 *   marked services only: a service nobody reported costs no query.
 * - markers are believed from the second window after the first one marked
 *   (`RW#SINCE`, put once): a table that holds reports from before markers existed, or
 *   from a container of the release before that was still running, has them counted by
 *   full reads until then. A rollback to a release without markers writes unmarked
 *   reports: delete `RW#SINCE` before rolling forward again, so they are counted.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { bucketStart as alignBucket, MINUTE_MS, toIso } from "../domain/buckets";
import type {
  CrowdReport,
  ReportNetworks,
  ReportOutcome,
  ReportStore,
  ReportTally,
} from "../domain/ports";
import { expiresAt, isConditionFailure, queryAll, type TableRef } from "./client";

/** The mark of a report that does not count: capped, or not yet taken by its network. */
const UNCOUNTED = "uncounted";
/** Partitions a window's markers spread over. */
const MARK_PARTITIONS = 4;
/** The item that says from which window markers are believed. */
const MARKS_SINCE = { pk: "RW#SINCE", sk: "since" };
/** Markers a container remembers having written before it forgets them all. */
const MARKS_REMEMBERED = 10_000;
/** Markers outlive the look-back collect re-counts by far; the reports keep their own. */
const MARK_KEEP_DAYS = 2;

/** A stable hash of any string (FNV-1a). */
function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash;
}

/** Options of the report store (from the config's `bucketMinutes` and `reports`). */
export interface ReportStoreOptions {
  bucketMinutes: number;
  /** A whole multiple of `bucketMinutes`, so each bucket lies inside one window. */
  dedupMinutes: number;
  shards: number;
  retentionDays: number;
  /** Counted reports one network may give per service and dedup window. */
  perNetwork: number;
}

/** {@link ReportStore} on the outcry table. */
export class DynamoReportStore implements ReportStore {
  constructor(
    private readonly table: TableRef,
    private readonly options: ReportStoreOptions,
  ) {
    if (options.dedupMinutes % options.bucketMinutes !== 0) {
      throw new Error("dedupMinutes must be a whole multiple of bucketMinutes");
    }
  }

  /** Markers this container wrote (`<service>#<window>`), so a flood writes each once. */
  private readonly marked = new Set<string>();
  /** True once this container saw `RW#SINCE` written. */
  private sinceWritten = false;
  /** The window markers are believed from, once read (it never moves once written). */
  private since: number | undefined;

  /** A stable shard for any reporter id, hex hash or not. */
  private shardOf(reporter: string): number {
    return fnv(reporter) % this.options.shards;
  }

  private markPartition(window: number, service: string): string {
    return `RW#${toIso(window)}#${fnv(service) % MARK_PARTITIONS}`;
  }

  /**
   * Makes sure a marker says `service` has reports in the window of `atMs`, and, the first
   * time, that markers are believed from the next window.
   */
  private async mark(service: string, atMs: number): Promise<void> {
    const window = alignBucket(atMs, this.options.dedupMinutes);
    const memo = `${service}#${window}`;
    if (this.marked.has(memo)) return;
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          pk: this.markPartition(window, service),
          sk: service,
          expiresAt: expiresAt(atMs, MARK_KEEP_DAYS),
        },
      }),
    );
    if (!this.sinceWritten) {
      // Two windows on: the first marked one, and the start of the next, may still hold
      // reports of the release before, from a container that was finishing its request.
      const next = window + 2 * this.options.dedupMinutes * MINUTE_MS;
      try {
        await this.table.client.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: { ...MARKS_SINCE, window: next },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      this.sinceWritten = true;
    }
    if (this.marked.size >= MARKS_REMEMBERED) this.marked.clear();
    this.marked.add(memo);
  }

  private partition(service: string, timeMs: number, shard: number, kind = "R"): string {
    const window = alignBucket(timeMs, this.options.dedupMinutes);
    return `${kind}#${service}#${toIso(window)}#${shard}`;
  }

  async record(report: CrowdReport): Promise<ReportOutcome> {
    // The marker first: a report collect can read always has one.
    await this.mark(report.service, report.at);
    const key = {
      pk: this.partition(report.service, report.at, this.shardOf(report.reporter)),
      sk: report.reporter,
    };
    const expires = expiresAt(report.at, this.options.retentionDays);
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...key,
            bucket: toIso(alignBucket(report.at, this.options.bucketMinutes)),
            problem: report.problem,
            ...(report.region ? { region: report.region } : {}),
            network: report.network,
            reportedAt: report.at,
            expiresAt: expires,
            [UNCOUNTED]: true,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return "duplicate";
      throw error;
    }
    if (!(await this.networkTakes(report, expires))) return "capped";
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: key,
        UpdateExpression: `REMOVE ${UNCOUNTED}`,
      }),
    );
    return "accepted";
  }

  /** Counts the report against its network's share of the window; false when it is spent. */
  private async networkTakes(report: CrowdReport, expires: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: {
            pk: this.partition(report.service, report.at, this.shardOf(report.network), "N"),
            sk: report.network,
          },
          UpdateExpression: "ADD counted :one SET expiresAt = :expires",
          ConditionExpression: "attribute_not_exists(counted) OR counted < :cap",
          ExpressionAttributeValues: {
            ":one": 1,
            ":cap": this.options.perNetwork,
            ":expires": expires,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Reports per problem kind in one bucket (a convenience over {@link countBuckets}). */
  async countBucket(service: string, bucket: number): Promise<Record<string, number>> {
    return (await this.countBuckets(service, [bucket])).get(bucket)?.problems ?? {};
  }

  async countBuckets(
    service: string,
    buckets: readonly number[],
  ): Promise<Map<number, ReportTally>> {
    const counts = new Map<number, ReportTally>(
      buckets.map((b) => [b, { problems: {}, regions: {} }]),
    );
    const wanted = new Map(buckets.map((b) => [toIso(b), b]));
    // Buckets of one window share its partitions: each is read once, whatever it holds.
    const windows = [...new Set(buckets.map((b) => alignBucket(b, this.options.dedupMinutes)))];
    const shards = Array.from({ length: this.options.shards }, (_, shard) => shard);
    await Promise.all(
      windows.flatMap((window) =>
        shards.map(async (shard) => {
          let cursor: Record<string, unknown> | undefined;
          do {
            const page = await this.table.client.send(
              new QueryCommand({
                TableName: this.table.tableName,
                KeyConditionExpression: "pk = :pk",
                ExpressionAttributeNames: { "#bucket": "bucket", "#region": "region" },
                ExpressionAttributeValues: { ":pk": this.partition(service, window, shard) },
                ProjectionExpression: `#bucket, problem, #region, ${UNCOUNTED}`,
                ConsistentRead: true,
                ExclusiveStartKey: cursor,
              }),
            );
            for (const item of page.Items ?? []) {
              const bucket = wanted.get(item.bucket as string);
              const tally = bucket === undefined ? undefined : counts.get(bucket);
              if (!tally || item[UNCOUNTED] === true) continue;
              const problem = item.problem as string;
              tally.problems[problem] = (tally.problems[problem] ?? 0) + 1;
              if (typeof item.region === "string") {
                tally.regions[item.region] = (tally.regions[item.region] ?? 0) + 1;
              }
            }
            cursor = page.LastEvaluatedKey;
          } while (cursor);
        }),
      ),
    );
    return counts;
  }

  async servicesWithReports(bucketStarts: readonly number[]): Promise<ReadonlySet<string> | null> {
    const windows = [
      ...new Set(bucketStarts.map((b) => alignBucket(b, this.options.dedupMinutes))),
    ];
    if (this.since === undefined) {
      const { Item } = await this.table.client.send(
        new GetCommand({ TableName: this.table.tableName, Key: MARKS_SINCE, ConsistentRead: true }),
      );
      if (!Item) return null;
      this.since = Item.window as number;
    }
    const since = this.since;
    if (windows.some((window) => window < since)) return null;
    const pages = await Promise.all(
      windows.flatMap((window) =>
        Array.from({ length: MARK_PARTITIONS }, (_, k) =>
          queryAll(this.table, {
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": `RW#${toIso(window)}#${k}` },
            ProjectionExpression: "sk",
            ConsistentRead: true,
          }),
        ),
      ),
    );
    return new Set(pages.flat().map((item) => item.sk as string));
  }

  async networkSummary(service: string, fromMs: number, toMs: number): Promise<ReportNetworks> {
    const first = alignBucket(fromMs, this.options.dedupMinutes);
    const step = this.options.dedupMinutes * MINUTE_MS;
    const windows: number[] = [];
    for (let window = first; window < toMs; window += step) windows.push(window);
    const shards = Array.from({ length: this.options.shards }, (_, shard) => shard);
    const pages = await Promise.all(
      windows.flatMap((window) =>
        shards.map((shard) =>
          queryAll(this.table, {
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": this.partition(service, window, shard, "N") },
            ProjectionExpression: "sk, counted",
          }),
        ),
      ),
    );
    let counted = 0;
    const networks = new Set<string>();
    for (const item of pages.flat()) {
      counted += Number(item.counted ?? 0);
      networks.add(item.sk as string);
    }
    return { counted, networks: networks.size };
  }
}
