/**
 * The IAM gate with the real SDK clients: an allowed call reaches its backend unchanged,
 * a refused one fails with the error type and message AWS sends, for each protocol, and
 * every decision is recorded, as are calls it cannot attribute or read.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EmbeddedStore, startEmbeddedStore } from "../../local/embedded-store";
import { type FakeAws, startFakeAws } from "../support/fake-aws";
import { type IamGate, startIamGate } from "../support/iam/gate";
import { stackModel } from "../support/iam/stack-model";

const role = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });
const policy = (roleId: string, statements: unknown[]) => ({
  Type: "AWS::IAM::Policy",
  Properties: { PolicyDocument: { Statement: statements }, Roles: [{ Ref: roleId }] },
});
/** Two functions: Writer may use the table's `S#` items, publish and read the secret; Reader only gets items. */
const template = {
  Resources: {
    Data: {
      Type: "AWS::DynamoDB::Table",
      Properties: {
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      },
    },
    Key: { Type: "AWS::KMS::Key" },
    Topic: { Type: "AWS::SNS::Topic", Properties: { KmsMasterKeyId: role("Key") } },
    Dlq: { Type: "AWS::SQS::Queue" },
    Secret: { Type: "AWS::SecretsManager::Secret" },
    WriterRole: { Type: "AWS::IAM::Role" },
    ReaderRole: { Type: "AWS::IAM::Role" },
    Writer: { Type: "AWS::Lambda::Function", Properties: { Role: role("WriterRole") } },
    Reader: { Type: "AWS::Lambda::Function", Properties: { Role: role("ReaderRole") } },
    WriterPolicy: policy("WriterRole", [
      {
        Effect: "Allow",
        Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
        Resource: role("Data"),
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["S#*"] } },
      },
      { Effect: "Allow", Action: "sns:Publish", Resource: { Ref: "Topic" } },
      { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: role("Key") },
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: { Ref: "Secret" } },
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: role("Dlq") },
    ]),
    ReaderPolicy: policy("ReaderRole", [
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: role("Data") },
      { Effect: "Allow", Action: "sns:Publish", Resource: { Ref: "Topic" } },
    ]),
  },
};

const TOPIC = "arn:aws:sns:us-east-1:000000000000:Topic";
const SECRET = "arn:aws:secretsmanager:us-east-1:000000000000:secret:Secret-AbCdEf";
let store: EmbeddedStore;
let aws: FakeAws;
let gate: IamGate;

beforeAll(async () => {
  store = await startEmbeddedStore({ tableName: "Data" });
  aws = await startFakeAws("s3cret");
  const model = stackModel(
    template,
    { writer: "Writer", reader: "Reader" },
    { queueOrigin: "http://127.0.0.1:1" },
  );
  gate = await startIamGate({
    model,
    backends: {
      dynamodb: store.endpoint,
      sns: aws.endpoint,
      sqs: aws.endpoint,
      secretsmanager: aws.endpoint,
    },
  });
});
afterAll(async () => {
  await gate?.close();
  await aws?.close();
  await store?.close();
});
beforeEach(() => gate.reset());

const as = (accessKeyId: string) => ({
  endpoint: gate.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId, secretAccessKey: "test" },
  maxAttempts: 1,
});
const documents = (who: string) => DynamoDBDocumentClient.from(new DynamoDBClient(as(who)));

describe("IAM gate", () => {
  it("forwards an allowed call unchanged and records the decision", async () => {
    // Act
    await documents("writer").send(
      new PutCommand({ TableName: "Data", Item: { pk: "S#t-mobile", sk: "1", n: 7 } }),
    );
    const read = await documents("reader").send(
      new GetCommand({ TableName: "Data", Key: { pk: "S#t-mobile", sk: "1" } }),
    );

    // Assess
    expect(read.Item).toEqual({ pk: "S#t-mobile", sk: "1", n: 7 });
    expect(gate.decisions.map((d) => [d.caller, d.action, d.resource, d.allowed])).toEqual([
      ["writer", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/Data", true],
      ["reader", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/Data", true],
    ]);
    expect(gate.refusals()).toEqual([]);
  });

  it("refuses a DynamoDB call as AWS does, so the SDK throws AccessDeniedException", async () => {
    // Act: the writer may only touch S# items; the reader may not write at all
    const outside = documents("writer").send(
      new PutCommand({ TableName: "Data", Item: { pk: "INC", sk: "1" } }),
    );
    const readerPut = documents("reader").send(
      new PutCommand({ TableName: "Data", Item: { pk: "S#t-mobile", sk: "2" } }),
    );

    // Assess
    await expect(outside).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
      message:
        "User: arn:aws:sts::000000000000:assumed-role/WriterRole/Writer is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Data because no identity-based policy allows the dynamodb:PutItem action",
    });
    await expect(readerPut).rejects.toMatchObject({ name: "AccessDeniedException" });
    expect(gate.refusals()).toEqual([
      "writer dynamodb:PutItem on arn:aws:dynamodb:us-east-1:000000000000:table/Data [LeadingKeys INC]: refused: no identity-based policy allows it",
      "reader dynamodb:PutItem on arn:aws:dynamodb:us-east-1:000000000000:table/Data [LeadingKeys S#t-mobile]: refused: no identity-based policy allows it",
    ]);
    const stored = await documents("reader").send(
      new GetCommand({ TableName: "Data", Key: { pk: "S#t-mobile", sk: "2" } }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it("checks the topic's key for a publisher: AuthorizationError, then KMSAccessDenied", async () => {
    // Prepare
    const publish = (who: string) =>
      new SNSClient(as(who)).send(new PublishCommand({ TopicArn: TOPIC, Message: "hello" }));
    const before = aws.publishes.length;

    // Act
    await publish("writer");
    const noKey = publish("reader");
    const noTopic = publish("writer").then(() => undefined);

    // Assess
    await expect(noKey).rejects.toMatchObject({
      name: "KMSAccessDeniedException",
      message: expect.stringMatching(
        /^User: arn:aws:sts::000000000000:assumed-role\/ReaderRole\/Reader is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:000000000000:key\/Key because .* \(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException;/,
      ),
    });
    await noTopic;
    expect(aws.publishes.length - before).toBe(2);
    expect(gate.decisions.filter((d) => d.caller === "writer").map((d) => d.action)).toEqual([
      "sns:Publish",
      "kms:GenerateDataKey",
      "kms:Decrypt",
      "sns:Publish",
      "kms:GenerateDataKey",
      "kms:Decrypt",
    ]);
    const other = new SNSClient(as("writer")).send(
      new PublishCommand({ TopicArn: `${TOPIC}-other`, Message: "hello" }),
    );
    await expect(other).rejects.toMatchObject({
      name: "AuthorizationErrorException",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("refuses Secrets Manager and SQS calls with their access-denied errors", async () => {
    // Prepare
    const secret = (who: string) =>
      new SecretsManagerClient(as(who)).send(new GetSecretValueCommand({ SecretId: SECRET }));
    const send = (who: string) =>
      new SQSClient(as(who)).send(
        new SendMessageCommand({
          QueueUrl: "http://127.0.0.1:1/000000000000/Dlq",
          MessageBody: "dead",
        }),
      );

    // Act
    const value = await secret("writer");
    await send("writer");
    const noSecret = secret("reader");
    const noQueue = send("reader");

    // Assess
    expect(value.SecretString).toBe("s3cret");
    expect(aws.sqsMessages.at(-1)).toEqual({
      queueUrl: "http://127.0.0.1:1/000000000000/Dlq",
      body: "dead",
    });
    await expect(noSecret).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:sts::000000000000:assumed-role/ReaderRole/Reader is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    });
    // SQS answers JSON with its query-protocol code, which the SDK names the error by.
    await expect(noQueue).rejects.toMatchObject({
      name: "AccessDenied",
      Code: "AccessDenied",
      message: expect.stringContaining(
        "is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:000000000000:Dlq",
      ),
    });
  });

  it("records a caller that is none of the functions, and a request it cannot read", async () => {
    // Act
    const stranger = documents("someone").send(
      new GetCommand({ TableName: "Data", Key: { pk: "S#x", sk: "1" } }),
    );
    await expect(stranger).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    const elsewhere = documents("writer").send(
      new GetCommand({ TableName: "Elsewhere", Key: { pk: "S#x", sk: "1" } }),
    );
    await expect(elsewhere).rejects.toThrow(/Elsewhere is not a table of the template/);

    // Assess
    expect(gate.refusals()).toEqual([
      "a request signed by someone, which is none of the functions under test",
      "writer: GetItem: Elsewhere is not a table of the template",
    ]);
  });

  it("fails a call whose policy has a condition it cannot decide, instead of allowing it", async () => {
    // Prepare: a reader whose only grant hangs on an operator IAM does not have
    const odd = structuredClone(template);
    odd.Resources.ReaderPolicy.Properties.PolicyDocument.Statement = [
      {
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: role("Data"),
        Condition: { StringEqualsLoosely: { "aws:SecureTransport": "true" } },
      },
    ] as never;
    const strict = await startIamGate({
      model: stackModel(odd, { reader: "Reader" }),
      backends: { dynamodb: store.endpoint },
    });
    try {
      const client = DynamoDBDocumentClient.from(
        new DynamoDBClient({ ...as("reader"), endpoint: strict.endpoint }),
      );

      // Act
      const read = client.send(new GetCommand({ TableName: "Data", Key: { pk: "S#x", sk: "1" } }));

      // Assess
      await expect(read).rejects.toThrow(/StringEqualsLoosely is not modelled/);
      expect(strict.refusals()).toEqual([
        expect.stringMatching(
          /^reader: the condition operator StringEqualsLoosely is not modelled/,
        ),
      ]);
    } finally {
      await strict.close();
    }
  });

  it("will not start on a policy whose conditions name a key it does not fill in", async () => {
    const tagged = structuredClone(template);
    tagged.Resources.ReaderPolicy.Properties.PolicyDocument.Statement.push({
      Effect: "Allow",
      Action: "dynamodb:Query",
      Resource: role("Data"),
      Condition: { StringEquals: { "aws:ResourceTag/team": "noc" } },
    } as never);

    await expect(
      startIamGate({ model: stackModel(tagged, { reader: "Reader" }), backends: {} }),
    ).rejects.toThrow(/condition on aws:ResourceTag\/team, which the IAM gate does not fill in/);
  });
});
