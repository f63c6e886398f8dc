/**
 * A stand-in for the AWS services that cannot run here, at the SDK's wire boundary: SNS
 * (AWS Query protocol: form-encoded requests, XML answers), Secrets Manager (JSON 1.1)
 * and SQS `SendMessage` and `SendMessageBatch` (JSON 1.0). Point a client at it with `AWS_ENDPOINT_URL_SNS` /
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `AWS_ENDPOINT_URL_SQS`; every request is kept for
 * the test to inspect.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeSnsSubscriptions, SnsError } from "./fake-sns-subscriptions";

/** One SNS Publish as it reached the wire, decoded. */
export interface CapturedPublish {
  topicArn: string;
  subject: string | undefined;
  messageStructure: string | undefined;
  message: string;
  attributes: Record<string, string>;
}

/** One SQS SendMessage as it reached the wire. */
export interface CapturedSqsMessage {
  queueUrl: string;
  body: string;
}

/** The running fake. */
export interface FakeAws {
  endpoint: string;
  publishes: CapturedPublish[];
  /** SNS's subscriptions (Subscribe, Unsubscribe, attributes) and what publishes reached. */
  sns: FakeSnsSubscriptions;
  sqsMessages: CapturedSqsMessage[];
  /** Makes the next `n` entries of SendMessageBatch calls fail, as SQS reports one per entry. */
  failNextBatchEntries(n: number): void;
  /** Makes the next `n` Publish calls fail with a 500 (retryable) error. */
  failNextPublishes(n: number): void;
  /** Changes what GetSecretValue returns from now on: for `secretId` only, or for any secret. */
  setSecret(value: string, secretId?: string): void;
  /** GetSecretValue calls answered so far. */
  secretReads: number;
  close(): Promise<void>;
}

function decodePublish(form: URLSearchParams): CapturedPublish {
  const attributes: Record<string, string> = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
    attributes[form.get(`MessageAttributes.entry.${i}.Name`) ?? ""] =
      form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? "";
  }
  return {
    topicArn: form.get("TopicArn") ?? "",
    subject: form.get("Subject") ?? undefined,
    messageStructure: form.get("MessageStructure") ?? undefined,
    message: form.get("Message") ?? "",
    attributes,
  };
}

/**
 * Why SNS would refuse this Publish, or null: the rules SNS enforces that an emulator
 * lets through (a subject of under 100 printable ASCII characters on one line, no empty
 * attribute value, a `default` message in a JSON structure).
 */
function publishRefusal(form: URLSearchParams): string | null {
  const subject = form.get("Subject");
  if (subject !== null && (subject.length >= 100 || !/^[\x20-\x7e]+$/.test(subject))) {
    return "Invalid parameter: Subject";
  }
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
    const name = form.get(`MessageAttributes.entry.${i}.Name`);
    const type = form.get(`MessageAttributes.entry.${i}.Value.DataType`) ?? "";
    if (type.startsWith("String") && !form.get(`MessageAttributes.entry.${i}.Value.StringValue`)) {
      return `The message attribute '${name}' must contain non-empty message attribute value for message attribute type 'String'.`;
    }
  }
  if (form.get("MessageStructure") === "json") {
    const message = JSON.parse(form.get("Message") ?? "{}") as Record<string, unknown>;
    if (typeof message.default !== "string")
      return "Invalid parameter: Message Structure - No default entry in JSON message body";
  }
  return null;
}

/** Starts the fake on a free loopback port; `secret` is what GetSecretValue returns. */
export async function startFakeAws(initialSecret = "test-salt"): Promise<FakeAws> {
  let secret = initialSecret;
  const secretsById = new Map<string, string>();
  const publishes: CapturedPublish[] = [];
  const sqsMessages: CapturedSqsMessage[] = [];
  const sns = new FakeSnsSubscriptions();
  let failures = 0;
  let entryFailures = 0;
  let secretReads = 0;
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const target = request.headers["x-amz-target"];
    if (target === "secretsmanager.GetSecretValue") {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      secretReads++;
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      response.end(
        JSON.stringify({
          ARN: SecretId,
          Name: "salt",
          SecretString: secretsById.get(SecretId) ?? secret,
          VersionId: "v1",
        }),
      );
      return;
    }
    if (target === "AmazonSQS.SendMessage") {
      const { QueueUrl, MessageBody } = JSON.parse(body) as {
        QueueUrl: string;
        MessageBody: string;
      };
      sqsMessages.push({ queueUrl: QueueUrl, body: MessageBody });
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(
        JSON.stringify({
          MessageId: randomUUID(),
          // The SDK checks the body's MD5 against this.
          MD5OfMessageBody: createHash("md5").update(MessageBody).digest("hex"),
        }),
      );
      return;
    }
    if (target === "AmazonSQS.SendMessageBatch") {
      const { QueueUrl, Entries } = JSON.parse(body) as {
        QueueUrl: string;
        Entries: { Id: string; MessageBody: string }[];
      };
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of Entries) {
        if (entryFailures > 0) {
          entryFailures--;
          Failed.push({
            Id: entry.Id,
            SenderFault: false,
            Code: "InternalError",
            Message: "injected",
          });
          continue;
        }
        sqsMessages.push({ queueUrl: QueueUrl, body: entry.MessageBody });
        Successful.push({
          Id: entry.Id,
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash("md5").update(entry.MessageBody).digest("hex"),
        });
      }
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify({ Successful, Failed }));
      return;
    }
    const form = new URLSearchParams(body);
    try {
      const answer = sns.handle(form);
      if (answer !== null) {
        response.writeHead(200, { "content-type": "text/xml" });
        response.end(answer);
        return;
      }
    } catch (error) {
      if (!(error instanceof SnsError)) throw error;
      response.writeHead(error.status, { "content-type": "text/xml" });
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error><RequestId>x</RequestId></ErrorResponse>`,
      );
      return;
    }
    if (form.get("Action") === "Publish") {
      if (failures > 0) {
        failures--;
        response.writeHead(500, { "content-type": "text/xml" });
        response.end(
          "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>injected</Message></Error><RequestId>x</RequestId></ErrorResponse>",
        );
        return;
      }
      const refused = publishRefusal(form);
      if (refused) {
        response.writeHead(400, { "content-type": "text/xml" });
        response.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>${refused}</Message></Error><RequestId>x</RequestId></ErrorResponse>`,
        );
        return;
      }
      const published = decodePublish(form);
      publishes.push(published);
      sns.deliver(
        published.topicArn,
        published.subject,
        published.message,
        published.messageStructure,
        published.attributes,
      );
      response.writeHead(200, { "content-type": "text/xml" });
      response.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
      return;
    }
    response.writeHead(400, { "content-type": "text/plain" });
    response.end(`unsupported request: ${target ?? form.get("Action") ?? "?"}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    publishes,
    sns,
    sqsMessages,
    failNextBatchEntries(n) {
      entryFailures = n;
    },
    failNextPublishes(n) {
      failures = n;
    },
    setSecret(value, secretId) {
      if (secretId === undefined) secret = value;
      else secretsById.set(secretId, value);
    },
    get secretReads() {
      return secretReads;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
