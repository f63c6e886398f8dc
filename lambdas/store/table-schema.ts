/**
 * The table's key schema, for creating it where CDK does not (the local runtime and
 * tests). Must match `lib/constructs/outcry-table.ts`, which builds the deployed table
 * from the same constants: partition key `pk`, sort key `sk`, both strings, and the
 * outbox's sparse queue index (see `outbox-store.ts`).
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { QUEUE_INDEX } from "./queue-index";

const TABLE_KEYS: KeySchemaElement[] = [
  { AttributeName: "pk", KeyType: "HASH" },
  { AttributeName: "sk", KeyType: "RANGE" },
];
const ATTRIBUTES: AttributeDefinition[] = [
  { AttributeName: "pk", AttributeType: "S" },
  { AttributeName: "sk", AttributeType: "S" },
  { AttributeName: QUEUE_INDEX.partitionKey, AttributeType: "S" },
  { AttributeName: QUEUE_INDEX.sortKey, AttributeType: "N" },
];
const INDEXES: GlobalSecondaryIndex[] = [
  {
    IndexName: QUEUE_INDEX.name,
    KeySchema: [
      { AttributeName: QUEUE_INDEX.partitionKey, KeyType: "HASH" },
      { AttributeName: QUEUE_INDEX.sortKey, KeyType: "RANGE" },
    ],
    Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...QUEUE_INDEX.projected] },
  },
];

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (
      error instanceof ResourceNotFoundException ||
      (error as Error).name === "ResourceNotFoundException"
    ) {
      return undefined;
    }
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: ATTRIBUTES,
      KeySchema: TABLE_KEYS,
      GlobalSecondaryIndexes: INDEXES,
    }),
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await describe(client, tableName))?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`table ${tableName} did not become active`);
}

/** Copies every item of `from` into `to` (both exist), page by page. */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<void> {
  const documents = DynamoDBDocumentClient.from(client);
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: from, ExclusiveStartKey: cursor }),
    );
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let writes = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (writes.length > 0) {
        const { UnprocessedItems } = await documents.send(
          new BatchWriteCommand({ RequestItems: { [to]: writes } }),
        );
        writes = (UnprocessedItems?.[to] ?? []) as typeof writes;
      }
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}

/**
 * Creates the table unless it exists, and waits until it is active. A local table made by
 * an earlier release, without the queue index, is rebuilt with it: the embedded store
 * cannot add an index to a table, so its items move to a side table, the table is made
 * anew and they move back (a rebuild cut short resumes from the side table). In AWS the
 * stack adds the index and DynamoDB fills it; this function is never called there.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const side = `${tableName}-rebuild`;
  const existing = await describe(client, tableName);
  const hasIndex = (existing?.GlobalSecondaryIndexes ?? []).some(
    (index) => index.IndexName === QUEUE_INDEX.name,
  );
  if (existing && hasIndex && !(await describe(client, side))) return;
  if (existing && !hasIndex) {
    if (!(await describe(client, side))) await createTable(client, side);
    await copyItems(client, tableName, side);
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  }
  if (!existing || !hasIndex) await createTable(client, tableName);
  if (await describe(client, side)) {
    await copyItems(client, side, tableName);
    await client.send(new DeleteTableCommand({ TableName: side }));
  }
}
