/**
 * How each service's request turns into IAM checks: DynamoDB's action, table ARN and
 * leading keys for every item operation, batch and transaction; SNS with its topic key;
 * the queue and secret ARNs SQS and Secrets Manager authorize.
 */
import { describe, expect, it } from "vitest";
import { dynamoDbChecks } from "../support/iam/dynamodb-requests";
import { queueArnOf, secretArnOf, snsChecks, sqsChecks } from "../support/iam/service-requests";
import { accountOf } from "../support/iam/stand-ins";

const TABLE = {
  name: "Data",
  arn: "arn:aws:dynamodb:us-east-1:000000000000:table/Data",
  partitionKey: "pk",
  indexes: { queue: "queue" },
};
const OTHER = {
  name: "Other",
  arn: "arn:aws:dynamodb:us-east-1:000000000000:table/Other",
  partitionKey: "id",
  indexes: {},
};
const tables = [TABLE, OTHER];
const s = (text: string) => ({ S: text });
const account = accountOf();

describe("dynamoDbChecks", () => {
  it("reads the partition key of Key and Item as dynamodb:LeadingKeys", () => {
    expect(
      dynamoDbChecks("GetItem", { TableName: "Data", Key: { pk: s("INC"), sk: s("x") } }, tables),
    ).toEqual([
      {
        action: "dynamodb:GetItem",
        resource: TABLE.arn,
        context: { "dynamodb:LeadingKeys": ["INC"] },
      },
    ]);
    expect(
      dynamoDbChecks(
        "PutItem",
        { TableName: "Data", Item: { pk: s("A#t-mobile"), sk: s("x") } },
        tables,
      )[0]?.context,
    ).toEqual({ "dynamodb:LeadingKeys": ["A#t-mobile"] });
    expect(
      dynamoDbChecks("UpdateItem", { TableName: "Other", Key: { id: { N: "7" } } }, tables)[0],
    ).toEqual({
      action: "dynamodb:UpdateItem",
      resource: OTHER.arn,
      context: { "dynamodb:LeadingKeys": ["7"] },
    });
  });

  it("finds the partition key in a query's key condition, by name or placeholder, either side", () => {
    const query = (expression: string, names?: Record<string, string>) =>
      dynamoDbChecks(
        "Query",
        {
          TableName: "Data",
          KeyConditionExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ":pk": s("S#t-mobile"), ":from": s("a"), ":to": s("b") },
        },
        tables,
      )[0]?.context;

    expect(query("pk = :pk AND sk BETWEEN :from AND :to")).toEqual({
      "dynamodb:LeadingKeys": ["S#t-mobile"],
    });
    expect(query("(#p = :pk) AND begins_with(sk, :from)", { "#p": "pk" })).toEqual({
      "dynamodb:LeadingKeys": ["S#t-mobile"],
    });
    expect(query(":pk = pk")).toEqual({ "dynamodb:LeadingKeys": ["S#t-mobile"] });
    expect(() => query("sk = :from")).toThrow(/no 'pk = :value'/);
  });

  it("checks a query of an index on the index's ARN, with its own partition key as LeadingKeys", () => {
    const query = (IndexName: string) =>
      dynamoDbChecks(
        "Query",
        {
          TableName: "Data",
          IndexName,
          KeyConditionExpression: "#q = :q AND #at <= :now",
          ExpressionAttributeNames: { "#q": "queue", "#at": "queueAt" },
          ExpressionAttributeValues: { ":q": s("OUTBOX#due"), ":now": { N: "1" } },
        },
        tables,
      );

    expect(query("queue")).toEqual([
      {
        action: "dynamodb:Query",
        resource: `${TABLE.arn}/index/queue`,
        context: { "dynamodb:LeadingKeys": ["OUTBOX#due"] },
      },
    ]);
    expect(() => query("other")).toThrow(/not an index of the table/);
  });

  it("checks a batch once per table with all its keys, and a transaction once per item", () => {
    const batch = dynamoDbChecks(
      "BatchGetItem",
      {
        RequestItems: {
          Data: {
            Keys: [
              { pk: s("INC"), sk: s("1") },
              { pk: s("OUTBOX"), sk: s("1") },
              { pk: s("INC"), sk: s("2") },
            ],
          },
          Other: { Keys: [{ id: s("x") }] },
        },
      },
      tables,
    );
    const writes = dynamoDbChecks(
      "BatchWriteItem",
      {
        RequestItems: {
          Data: [
            { PutRequest: { Item: { pk: s("R#a") } } },
            { DeleteRequest: { Key: { pk: s("R#b") } } },
          ],
        },
      },
      tables,
    );
    const transaction = dynamoDbChecks(
      "TransactWriteItems",
      {
        TransactItems: [
          { Put: { TableName: "Data", Item: { pk: s("LEASE") } } },
          { ConditionCheck: { TableName: "Data", Key: { pk: s("PROGRESS") } } },
        ],
      },
      tables,
    );

    expect(batch.map((c) => [c.action, c.resource, c.context])).toEqual([
      ["dynamodb:BatchGetItem", TABLE.arn, { "dynamodb:LeadingKeys": ["INC", "OUTBOX"] }],
      ["dynamodb:BatchGetItem", OTHER.arn, { "dynamodb:LeadingKeys": ["x"] }],
    ]);
    expect(writes[0]?.context).toEqual({ "dynamodb:LeadingKeys": ["R#a", "R#b"] });
    expect(transaction.map((c) => [c.action, c.context])).toEqual([
      ["dynamodb:PutItem", { "dynamodb:LeadingKeys": ["LEASE"] }],
      ["dynamodb:ConditionCheckItem", { "dynamodb:LeadingKeys": ["PROGRESS"] }],
    ]);
  });

  it("throws for a table the template lacks and for an operation it does not model", () => {
    expect(() => dynamoDbChecks("GetItem", { TableName: "Elsewhere", Key: {} }, tables)).toThrow(
      /Elsewhere is not a table of the template/,
    );
    expect(() => dynamoDbChecks("ExecuteStatement", {}, tables)).toThrow(/not modelled/);
  });
});

describe("SNS, SQS and Secrets Manager checks", () => {
  it("asks for the topic's key as well when publishing to an encrypted topic", () => {
    const topic = "arn:aws:sns:us-east-1:000000000000:Topic";
    const key = "arn:aws:kms:us-east-1:000000000000:key/Key";
    const form = new URLSearchParams({ Action: "Publish", TopicArn: topic, Message: "m" });

    const { checks } = snsChecks(form, new Map([[topic, key]]), account);
    const plain = snsChecks(form, new Map(), account).checks;

    expect(checks.map((c) => `${c.action} ${c.resource}`)).toEqual([
      `sns:Publish ${topic}`,
      `kms:GenerateDataKey ${key}`,
      `kms:Decrypt ${key}`,
    ]);
    expect(checks[1]?.context).toMatchObject({ "kms:ViaService": "sns.us-east-1.amazonaws.com" });
    expect(plain).toHaveLength(1);
  });

  it("authorizes a queue by the ARN its URL names, and a batch as its single action", () => {
    expect(queueArnOf("http://127.0.0.1:9/000000000000/Dlq", account)).toBe(
      "arn:aws:sqs:us-east-1:000000000000:Dlq",
    );
    expect(
      sqsChecks(
        "AmazonSQS.SendMessageBatch",
        { QueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/Dlq" },
        account,
      ).checks[0]?.action,
    ).toBe("sqs:SendMessage");
  });

  it("authorizes a secret by its complete ARN, whether named, partial or complete", () => {
    const complete = "arn:aws:secretsmanager:us-east-1:000000000000:secret:noc-slack-AbCdEf";
    expect(secretArnOf("noc-slack", account)).toBe(complete);
    expect(
      secretArnOf("arn:aws:secretsmanager:us-east-1:000000000000:secret:noc-slack", account),
    ).toBe(complete);
    expect(secretArnOf(complete, account)).toBe(complete);
  });
});
