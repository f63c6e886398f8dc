/**
 * Tick leases in DynamoDB (`pk = LEASE`, `sk = <collect | detect>`): one conditional
 * update takes a lease, another gives it back, so the function needs nothing but
 * UpdateItem on these items.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TickLeaseStore } from "../domain/ports";
import { isConditionFailure, type TableRef } from "./client";

/** Partition key of the lease items. */
export const LEASE_PARTITION = "LEASE";

/** {@link TickLeaseStore} on the outcry table. */
export class DynamoTickLeaseStore implements TickLeaseStore {
  constructor(private readonly table: TableRef) {}

  async acquire(name: string, holder: string, nowMs: number, untilMs: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: LEASE_PARTITION, sk: name },
          UpdateExpression: "SET holder = :holder, leaseUntil = :until",
          ConditionExpression: "attribute_not_exists(leaseUntil) OR leaseUntil <= :now",
          ExpressionAttributeValues: { ":holder": holder, ":until": untilMs, ":now": nowMs },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(name: string, holder: string): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { pk: LEASE_PARTITION, sk: name },
          UpdateExpression: "REMOVE holder, leaseUntil",
          ConditionExpression: "holder = :holder",
          ExpressionAttributeValues: { ":holder": holder },
        }),
      );
    } catch (error) {
      // Another tick took it after ours ran out: it is theirs now.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
