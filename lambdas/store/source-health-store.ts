/**
 * Source health in DynamoDB (`pk = H#<service>`, `sk = <source>`): when each source last
 * worked and last failed, the class of that failure, how many times in a row it failed,
 * and when its current run of successes (`okSince`) or failures (`failingSince`) began.
 *
 * A failure's message is not stored: it names URLs (with the tokens in their queries)
 * and what servers said, and the api function reads these items. Collect logs it.
 *
 * Items written before this layout carry the message in `lastError` and no class, and
 * time no run. Each write removes `lastError`; a failure read without a class reads as
 * `internal`. A run under way when such an item is first written again began at an
 * unknown time, marked {@link UNKNOWN_SINCE} (read as null); a run that write starts is
 * timed from it.
 */
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  SOURCE_FAILURE_REASONS,
  type SourceFailure,
  type SourceFailureReason,
} from "../../contract/source-failure";
import type { SourceHealth, SourceHealthStore } from "../domain/ports";
import { isConditionFailure, type TableRef } from "./client";

/** `okSince` or `failingSince` of a run that began before runs were timed. */
const UNKNOWN_SINCE = 0;
/** An item whose run this write may time: a new one, or one that times its run already. */
const TIMED =
  "attribute_not_exists(pk) OR attribute_exists(okSince) OR attribute_exists(failingSince)";
const REASONS: ReadonlySet<string> = new Set(SOURCE_FAILURE_REASONS);

/** The class a stored item gives its last failure. */
function failureOf(item: Record<string, unknown>): SourceFailure | null {
  if (item.lastErrorAt === undefined) return null;
  const reason = item.lastErrorReason;
  if (typeof reason !== "string" || !REASONS.has(reason)) return { reason: "internal" };
  const status = item.lastErrorHttpStatus;
  return typeof status === "number"
    ? { reason: reason as SourceFailureReason, httpStatus: status }
    : { reason: reason as SourceFailureReason };
}

/** A stored run start, or null when it is unknown. */
function sinceOf(value: unknown): number | null {
  return typeof value === "number" && value !== UNKNOWN_SINCE ? value : null;
}

/** One update of an item: its expression and the values it names. */
interface Write {
  expression: string;
  values: Record<string, unknown>;
}

/** {@link SourceHealthStore} on the outcry table. */
export class DynamoSourceHealthStore implements SourceHealthStore {
  constructor(private readonly table: TableRef) {}

  async recordSuccess(
    service: string,
    source: string,
    atMs: number,
    memory?: Readonly<Record<string, string | number>>,
    written?: Readonly<Record<string, string>>,
  ): Promise<void> {
    const set = `SET lastSuccessAt = :at, consecutiveFailures = :zero${memory ? ", memory = :memory" : ""}${written ? ", written = :written" : ""}`;
    const values = {
      ":at": atMs,
      ":zero": 0,
      ...(memory ? { ":memory": memory } : {}),
      ...(written ? { ":written": written } : {}),
    };
    await this.update(
      service,
      source,
      // A success after failures starts a run of successes; one after a success goes on.
      {
        expression: `${set}, okSince = if_not_exists(okSince, :at) REMOVE failingSince, lastError, marked`,
        values,
      },
      `${TIMED} OR consecutiveFailures > :zero`,
      {
        expression: `${set}, okSince = :unknown REMOVE failingSince, lastError, marked`,
        values: { ...values, ":unknown": UNKNOWN_SINCE },
      },
    );
  }

  async recordFailure(
    service: string,
    source: string,
    atMs: number,
    failure: SourceFailure,
    marked?: readonly string[],
  ): Promise<void> {
    const status = failure.httpStatus;
    const set = `SET lastErrorAt = :at, lastErrorReason = :reason${status === undefined ? "" : ", lastErrorHttpStatus = :status"}${marked ? ", marked = :marked" : ""}`;
    const rest = `REMOVE okSince, lastError${status === undefined ? ", lastErrorHttpStatus" : ""} ADD consecutiveFailures :one`;
    const values = {
      ":at": atMs,
      ":reason": failure.reason,
      ":one": 1,
      ...(status === undefined ? {} : { ":status": status }),
      ...(marked ? { ":marked": [...marked] } : {}),
    };
    await this.update(
      service,
      source,
      // A failure after successes starts a run of failures; one after a failure goes on.
      {
        expression: `${set}, failingSince = if_not_exists(failingSince, :at) ${rest}`,
        values: { ...values, ":zero": 0 },
      },
      `${TIMED} OR consecutiveFailures = :zero`,
      {
        expression: `${set}, failingSince = :unknown ${rest}`,
        values: { ...values, ":unknown": UNKNOWN_SINCE },
      },
    );
  }

  async list(service: string): Promise<SourceHealth[]> {
    const { Items } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `H#${service}` },
      }),
    );
    return (Items ?? []).map((item) => {
      const consecutiveFailures = (item.consecutiveFailures as number | undefined) ?? 0;
      return {
        service,
        source: item.sk as string,
        lastSuccessAt: (item.lastSuccessAt as number | undefined) ?? null,
        lastErrorAt: (item.lastErrorAt as number | undefined) ?? null,
        lastFailure: failureOf(item),
        consecutiveFailures,
        since: sinceOf(consecutiveFailures > 0 ? item.failingSince : item.okSince),
        memory: (item.memory as Record<string, string | number> | undefined) ?? null,
        ...(item.written ? { written: item.written as Record<string, string> } : {}),
        ...(Array.isArray(item.marked) ? { marked: item.marked as string[] } : {}),
      };
    });
  }

  /**
   * Writes `timed` when `condition` holds: the item is new, times its run already, or
   * this outcome ends its run. Otherwise the item is from before runs were timed and its
   * run goes on, so when that run began is not known: `untimed` marks it so. That second
   * write happens once per such item, since the mark makes the condition hold after it.
   */
  private async update(
    service: string,
    source: string,
    timed: Write,
    condition: string,
    untimed: Write,
  ): Promise<void> {
    const write = (update: Write, conditionExpression?: string) =>
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: `H#${service}`, sk: source },
          UpdateExpression: update.expression,
          ExpressionAttributeValues: update.values,
          ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
        }),
      );
    try {
      await write(timed, condition);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await write(untimed);
    }
  }
}
