/**
 * Detector state in DynamoDB, two items per service at most (`pk = D#<service>`):
 * - `sk = packed`: the state packed (`detector-state-codec.ts`) and a revision number,
 *   all this release writes. A save only succeeds on the revision it read, so two
 *   concurrent detect ticks cannot both advance a service.
 * - `sk = state`: the plain JSON an earlier release saved, read and never written. It is
 *   left as it was so that a rollback to that release (by hand, or CloudFormation undoing
 *   a failed deploy) still finds a state it can read: an older one, which it catches up
 *   from the stored counts, instead of one it cannot parse.
 * A load reads both in one query (one read unit for both) and takes the one further on;
 * after a rollback and a roll forward that is the plain one, and the next save packs it.
 * An older shape is read through the migration, so callers only see the current one.
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
const PACKED_SK = "packed";
/** The item an earlier release wrote. */
const PLAIN_SK = "state";

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
    const packed = Items.find((item) => item.sk === PACKED_SK);
    const plain = Items.find((item) => item.sk === PLAIN_SK);
    const state = newer(packed && stateOf(packed), plain && stateOf(plain));
    // The revision a save must meet: the packed item's; before there is one, the plain
    // item's, negated, which tells the save that the packed item must not exist yet (it
    // then starts after the plain one).
    let revision = 0;
    if (packed) revision = packed.revision as number;
    else if (plain) revision = -(plain.revision as number);
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
    const states = new Map(
      (await read(PACKED_SK, services)).map((item) => [
        (item.pk as string).slice(2),
        stateOf(item),
      ]),
    );
    // Only services with no packed state yet (saved by an earlier release) cost a second read.
    const unpacked = services.filter((service) => !states.has(service));
    for (const item of unpacked.length > 0 ? await read(PLAIN_SK, unpacked) : []) {
      states.set((item.pk as string).slice(2), stateOf(item));
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
            sk: PACKED_SK,
            [PACKED_ATTRIBUTE]: packState(state),
            revision: Math.abs(expected) + 1,
          },
          // 0: nothing was saved; negative: only an earlier release's plain item. Either
          // way the packed item must not exist yet; otherwise it must be on `expected`.
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

/** The state further on (the later `lastBucket`); the packed one when they are level. */
function newer(
  packed: DetectorState | undefined,
  plain: DetectorState | undefined,
): DetectorState | undefined {
  if (!packed || !plain) return packed ?? plain;
  return (plain.lastBucket ?? Number.NEGATIVE_INFINITY) >
    (packed.lastBucket ?? Number.NEGATIVE_INFINITY)
    ? plain
    : packed;
}

/** The state an item holds, migrated to the current version. */
function stateOf(item: Record<string, unknown>): DetectorState {
  return migrateDetectorState(storedStateOf(item));
}
