/**
 * Detector state in DynamoDB, one item per release that changed how it is stored
 * (`pk = D#<service>`):
 * - `sk = packed-v3`: the version-3 state packed (`detector-state-codec.ts`, format 2)
 *   and a revision number, all this release writes. A save only succeeds on the revision
 *   it read, so two concurrent detect ticks cannot both advance a service.
 * - `sk = packed` (a version-2 state, format 1) and `sk = state` (plain JSON): what
 *   earlier releases saved, read and never written. They are left as they were so that
 *   a rollback to such a release (by hand, or CloudFormation undoing a failed deploy)
 *   still finds a state it can read: an older one, which it catches up from the stored
 *   counts, instead of one it cannot parse.
 * A load reads them all in one query (one read unit for all) and takes the one further
 * on; after a rollback and a roll forward that is the earlier release's, and the next
 * save writes it on as this release's. An older shape is read through the migration, so
 * callers only see the current one.
 */
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { DetectorState } from "../domain/detector";
import { migrateDetectorState } from "../domain/detector-state-migration";
import type { DetectorStateStore } from "../domain/ports";
import { batchGetAll, isConditionFailure, type TableRef } from "./client";
import {
  PACKED_ATTRIBUTE,
  PLAIN_ATTRIBUTE,
  packState,
  storedStateOf,
} from "./detector-state-codec";

/** The item this release writes. */
const CURRENT_SK = "packed-v3";
/** The items earlier releases wrote, the newest first. */
const EARLIER_SKS = ["packed", "state"] as const;

/** {@link DetectorStateStore} on the outcry table. */
export class DynamoDetectorStateStore implements DetectorStateStore {
  constructor(private readonly table: TableRef) {}

  async load(service: string) {
    const { Items = [] } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `D#${service}` },
        ConsistentRead: true,
      }),
    );
    const current = Items.find((item) => item.sk === CURRENT_SK);
    const earlier = EARLIER_SKS.flatMap((sk) => Items.filter((item) => item.sk === sk));
    let state = current && stateOf(current);
    for (const item of earlier) state = newer(state, stateOf(item));
    // The revision a save must meet: the current item's; before there is one, the newest
    // earlier item's, negated, which tells the save that the current item must not exist
    // yet (it then starts after that one).
    let revision = 0;
    if (current) revision = current.revision as number;
    else if (earlier.length > 0)
      revision = -Math.max(...earlier.map((item) => item.revision as number));
    return { state: state ?? null, revision };
  }

  async loadMany(services: readonly string[]) {
    const read = (sk: string, ids: readonly string[]) =>
      batchGetAll(
        this.table,
        ids.map((service) => ({ pk: `D#${service}`, sk })),
        {
          expression: "pk, #packed, #plain",
          names: { "#packed": PACKED_ATTRIBUTE, "#plain": PLAIN_ATTRIBUTE },
        },
      );
    const states = new Map<string, DetectorState>();
    // Only services with no item of this release yet cost a read of an earlier one.
    for (const sk of [CURRENT_SK, ...EARLIER_SKS]) {
      const missing = services.filter((service) => !states.has(service));
      if (missing.length === 0) break;
      for (const item of await read(sk, missing)) {
        states.set((item.pk as string).slice(2), stateOf(item));
      }
    }
    return states;
  }

  async save(service: string, state: DetectorState, expected: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: `D#${service}`,
            sk: CURRENT_SK,
            [PACKED_ATTRIBUTE]: packState(state),
            revision: Math.abs(expected) + 1,
          },
          // 0: nothing was saved; negative: only an earlier release's item. Either way
          // this release's item must not exist yet; otherwise it must be on `expected`.
          ConditionExpression: expected <= 0 ? "attribute_not_exists(pk)" : "revision = :expected",
          ExpressionAttributeValues: expected <= 0 ? undefined : { ":expected": expected },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** The state further on (the later `lastBucket`); `preferred` when they are level. */
function newer(
  preferred: DetectorState | undefined,
  other: DetectorState | undefined,
): DetectorState | undefined {
  if (!preferred || !other) return preferred ?? other;
  return (other.lastBucket ?? Number.NEGATIVE_INFINITY) >
    (preferred.lastBucket ?? Number.NEGATIVE_INFINITY)
    ? other
    : preferred;
}

/** The state an item holds, migrated to the current version. */
function stateOf(item: Record<string, unknown>): DetectorState {
  return migrateDetectorState(storedStateOf(item));
}
