/**
 * The DynamoDB document client every store shares. In AWS it uses the function's role and
 * region; locally the endpoint points at the embedded store.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";

/** Where the table is and how to reach it. */
export interface TableRef {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * A document client. `endpoint` is for a local DynamoDB-compatible server; in AWS leave it
 * out (the SDK also honours `AWS_ENDPOINT_URL_DYNAMODB`).
 */
export function createDocumentClient(options: { endpoint?: string; region?: string } = {}) {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
    ...(local
      ? {
          endpoint: options.endpoint,
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : {}),
    maxAttempts: 4,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** True when a DynamoDB call failed only because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}

/** Epoch seconds at which an item written at `nowMs` expires after `days`. */
export function expiresAt(nowMs: number, days: number): number {
  return Math.floor(nowMs / 1000) + days * 86_400;
}

/**
 * Every item a query matches, following DynamoDB's pages (1 MB each).
 * @example const items = await queryAll(table, { KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "INC" } });
 */
export async function queryAll(
  table: TableRef,
  input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({ ...input, TableName: table.tableName, ExclusiveStartKey: cursor }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** Keys one BatchGetItem may name (DynamoDB's limit). */
export const BATCH_GET_KEYS = 100;
/** Rounds of unprocessed keys asked again before giving up. */
const BATCH_GET_ROUNDS = 5;

/**
 * The items at `keys`, in as few BatchGetItem calls as DynamoDB allows (100 keys each,
 * sent together), asking again for the keys DynamoDB left unprocessed; missing items are
 * absent from the answer. Eventually consistent: for the API's reads, not for
 * read-modify-write.
 * @example const items = await batchGetAll(table, [{ pk: "ST#3", sk: "t-mobile" }]);
 * @throws Error when DynamoDB still leaves keys unprocessed after a few rounds
 */
export async function batchGetAll(
  table: TableRef,
  keys: readonly Record<string, string>[],
  projection?: { expression: string; names?: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const chunks: Record<string, string>[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    chunks.push(keys.slice(i, i + BATCH_GET_KEYS));
  }
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const items: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = chunk;
      for (let round = 0; pending.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) {
          throw new Error(`DynamoDB left ${pending.length} keys unprocessed ${round} times`);
        }
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
        const answer = await table.client.send(
          new BatchGetCommand({
            RequestItems: {
              [table.tableName]: {
                Keys: pending,
                ...(projection
                  ? {
                      ProjectionExpression: projection.expression,
                      ExpressionAttributeNames: projection.names,
                    }
                  : {}),
              },
            },
          }),
        );
        items.push(...(answer.Responses?.[table.tableName] ?? []));
        pending = answer.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
      }
      return items;
    }),
  );
  return pages.flat();
}
