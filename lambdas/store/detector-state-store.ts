/**
 * Detector state in DynamoDB: one item per service (`pk = D#<service>`, `sk = state`)
 * holding the state, packed (`detector-state-codec.ts`), and a revision number. A save
 * only succeeds on the revision it read, so two concurrent detect ticks cannot both
 * advance a service. A state saved by an earlier release (plain JSON, or an older shape)
 * is read through the codec and the migration, so callers only see the current shape.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
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

/** {@link DetectorStateStore} on the outcry table. */
export class DynamoDetectorStateStore implements DetectorStateStore {
  constructor(private readonly table: TableRef) {}

  async load(service: string) {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { pk: `D#${service}`, sk: "state" },
        ConsistentRead: true,
      }),
    );
    if (!Item) return { state: null, revision: 0 };
    return { state: stateOf(Item), revision: Item.revision as number };
  }

  async loadMany(services: readonly string[]) {
    const keys = services.map((service) => ({ pk: `D#${service}`, sk: "state" }));
    const items = await batchGetAll(this.table, keys, {
      // Both: an item is packed, or plain as an earlier release saved it.
      expression: "pk, #packed, #plain",
      names: { "#packed": PACKED_ATTRIBUTE, "#plain": PLAIN_ATTRIBUTE },
    });
    return new Map(items.map((item) => [(item.pk as string).slice(2), stateOf(item)]));
  }

  async save(service: string, state: DetectorState, expected: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: `D#${service}`,
            sk: "state",
            [PACKED_ATTRIBUTE]: packState(state),
            revision: expected + 1,
          },
          ConditionExpression: expected === 0 ? "attribute_not_exists(pk)" : "revision = :expected",
          ExpressionAttributeValues: expected === 0 ? undefined : { ":expected": expected },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** The state an item holds, migrated to the current version. */
function stateOf(item: Record<string, unknown>): DetectorState {
  return migrateDetectorState(storedStateOf(item));
}
