/**
 * What DynamoDB authorizes for one request of its JSON 1.0 protocol: the action (from
 * `X-Amz-Target: DynamoDB_20120810.<Operation>`), the table or index ARN, and the
 * `dynamodb:LeadingKeys` context key, the partition key values the request touches (from
 * `Key`, `Item`, the key condition of a query, or each item of a batch or transaction; for
 * a query of a global index, the values of the index's partition key).
 * A batch is one check per table, a transaction one check per item, as IAM does them.
 */
import type { AuthorizationRequest } from "./policy-evaluator";
import type { TableFacts } from "./stack-model";

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

interface Request {
  TableName?: string;
  IndexName?: string;
  Key?: Item;
  Item?: Item;
  KeyConditionExpression?: string;
  KeyConditions?: Record<
    string,
    { AttributeValueList?: AttributeValue[]; ComparisonOperator: string }
  >;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, Request>[];
}

/** Operations IAM checks with their own name on the table (or index) they name. */
const KEYED = new Set(["GetItem", "PutItem", "UpdateItem", "DeleteItem"]);
const TABLE_ONLY = new Set([
  "Scan",
  "DescribeTable",
  "DescribeTimeToLive",
  "DescribeContinuousBackups",
]);
/** A transaction's item kinds and the action IAM checks for each. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
};

/** A key value as IAM sees it: the string, number or binary text of the attribute. */
function scalar(value: AttributeValue | undefined, where: string): string {
  const text = value?.S ?? value?.N ?? value?.B;
  if (typeof text !== "string") throw new Error(`${where}: the partition key is not a scalar`);
  return text;
}

/** The partition key value of a query's key condition. */
function queryPartitionValue(request: Request, partitionKey: string): string {
  if (request.KeyConditionExpression) {
    const names = request.ExpressionAttributeNames ?? {};
    const values = request.ExpressionAttributeValues ?? {};
    const nameOf = (token: string) => (token.startsWith("#") ? names[token] : token);
    const expression = request.KeyConditionExpression;
    const comparisons = [
      ...[...expression.matchAll(/([#\w.]+)\s*=\s*(:\w+)/g)].map((m) => [m[1], m[2]]),
      ...[...expression.matchAll(/(:\w+)\s*=\s*([#\w.]+)/g)].map((m) => [m[2], m[1]]),
    ];
    const match = comparisons.find(([name]) => nameOf(name as string) === partitionKey);
    if (!match) {
      throw new Error(`Query: no '${partitionKey} = :value' in the key condition "${expression}"`);
    }
    return scalar(values[match[1] as string], `Query ${match[1]}`);
  }
  const condition = request.KeyConditions?.[partitionKey];
  if (condition?.ComparisonOperator !== "EQ") {
    throw new Error(`Query: no EQ condition on ${partitionKey}`);
  }
  return scalar(condition.AttributeValueList?.[0], "Query KeyConditions");
}

function tableFacts(tables: readonly TableFacts[], name: string | undefined, operation: string) {
  if (!name) throw new Error(`${operation}: the request names no table`);
  const facts = tables.find((t) => t.name === name || t.arn === name);
  if (!facts) throw new Error(`${operation}: ${name} is not a table of the template`);
  return facts;
}

function check(
  action: string,
  table: TableFacts,
  leadingKeys: string[] | undefined,
  indexName?: string,
): AuthorizationRequest {
  return {
    action: `dynamodb:${action}`,
    resource: indexName ? `${table.arn}/index/${indexName}` : table.arn,
    context: leadingKeys ? { "dynamodb:LeadingKeys": [...new Set(leadingKeys)] } : {},
  };
}

/**
 * The checks IAM makes for one DynamoDB request.
 *
 * @example
 * dynamoDbChecks("GetItem", { TableName: "t", Key: { pk: { S: "INC" }, sk: { S: "x" } } }, tables);
 * // [{ action: "dynamodb:GetItem", resource: "arn:...:table/t", context: { "dynamodb:LeadingKeys": ["INC"] } }]
 * @throws Error for an operation or request shape it does not model
 */
export function dynamoDbChecks(
  operation: string,
  request: Request,
  tables: readonly TableFacts[],
): AuthorizationRequest[] {
  if (KEYED.has(operation)) {
    const table = tableFacts(tables, request.TableName, operation);
    const item = operation === "PutItem" ? request.Item : request.Key;
    return [check(operation, table, [scalar(item?.[table.partitionKey], operation)])];
  }
  if (operation === "Query") {
    const table = tableFacts(tables, request.TableName, operation);
    if (request.IndexName) {
      // On an index, LeadingKeys are the values of the index's own partition key.
      const indexKey = table.indexes[request.IndexName];
      if (!indexKey) throw new Error(`Query: ${request.IndexName} is not an index of the table`);
      const value = queryPartitionValue(request, indexKey);
      return [check(operation, table, [value], request.IndexName)];
    }
    return [check(operation, table, [queryPartitionValue(request, table.partitionKey)])];
  }
  if (TABLE_ONLY.has(operation)) {
    const table = tableFacts(tables, request.TableName, operation);
    return [check(operation, table, undefined, request.IndexName)];
  }
  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    return Object.entries(request.RequestItems ?? {}).map(([name, entry]) => {
      const table = tableFacts(tables, name, operation);
      const items =
        operation === "BatchGetItem"
          ? ((entry as { Keys: Item[] }).Keys ?? [])
          : (entry as { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]).map(
              (write) => write.PutRequest?.Item ?? write.DeleteRequest?.Key ?? {},
            );
      return check(
        operation,
        table,
        items.map((item) => scalar(item[table.partitionKey], operation)),
      );
    });
  }
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    return (request.TransactItems ?? []).map((entry) => {
      const [kind, inner] = Object.entries(entry)[0] as [string, Request];
      const action = TRANSACT_ACTIONS[kind];
      if (!action) throw new Error(`${operation}: unknown item kind ${kind}`);
      const table = tableFacts(tables, inner.TableName, operation);
      const item = kind === "Put" ? inner.Item : inner.Key;
      return check(action, table, [scalar(item?.[table.partitionKey], `${operation} ${kind}`)]);
    });
  }
  throw new Error(`the DynamoDB operation ${operation} is not modelled by the IAM test layer`);
}
