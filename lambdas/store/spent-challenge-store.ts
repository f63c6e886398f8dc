/**
 * Redeemed report challenges in DynamoDB: one item per challenge signature
 * (`pk = C#<signature>`), put on the condition that it is not there yet, so a solution
 * counts once however many containers see it, and kept by TTL until the challenge has
 * expired anyway. Each signature is its own partition: no hot key in a flood.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SpentChallenges } from "../domain/ports";
import { isConditionFailure, type TableRef } from "./client";

/** {@link SpentChallenges} on the outcry table. */
export class DynamoSpentChallenges implements SpentChallenges {
  constructor(private readonly table: TableRef) {}

  async spend(signature: string, expiresAtMs: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            pk: `C#${signature}`,
            sk: "spent",
            // TTL in seconds; a minute of slack so clock skew never frees one early.
            expiresAt: Math.ceil(expiresAtMs / 1000) + 60,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
