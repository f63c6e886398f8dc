/**
 * Timeline annotations in DynamoDB (`pk = A#<service>`, `sk = <at ISO>#<source>#<key>`):
 * a put keyed by the annotation itself, so reading the same status page twice stores it
 * once.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { toIso } from "../domain/buckets";
import type { Annotation, AnnotationStore } from "../domain/ports";
import { expiresAt, queryAll, type TableRef } from "./client";

/** {@link AnnotationStore} on the outcry table. */
export class DynamoAnnotationStore implements AnnotationStore {
  constructor(
    private readonly table: TableRef,
    private readonly retentionDays: number,
  ) {}

  async put(annotation: Annotation): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          pk: `A#${annotation.service}`,
          sk: `${toIso(annotation.at)}#${annotation.source}#${annotation.key}`,
          ...annotation,
          expiresAt: expiresAt(annotation.at, this.retentionDays),
        },
      }),
    );
  }

  async range(service: string, fromMs: number, toMs: number): Promise<Annotation[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": `A#${service}`,
        ":from": toIso(fromMs),
        ":to": `${toIso(toMs)}~`,
      },
    });
    return items.map((item) => ({
      service: item.service as string,
      source: item.source as string,
      at: item.at as number,
      key: item.key as string,
      text: item.text as string,
    }));
  }
}
