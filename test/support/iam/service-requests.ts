/**
 * What SNS, SQS and Secrets Manager authorize for one request: the action and resource
 * ARN each service derives from its own protocol (SNS: AWS Query, form-encoded; SQS: AWS
 * JSON 1.0, `X-Amz-Target: AmazonSQS.<Operation>`; Secrets Manager: AWS JSON 1.1,
 * `X-Amz-Target: secretsmanager.<Operation>`), plus the key actions SNS takes on the
 * publisher's behalf when the topic is encrypted with a customer-managed key.
 */
import type { AuthorizationRequest } from "./policy-evaluator";
import { type Account, SECRET_SUFFIX } from "./stand-ins";

/** The checks of one request, and which of them a service makes on the caller's behalf. */
export interface ServiceChecks {
  operation: string;
  /** The caller's own action first, then any the service makes with the caller's rights. */
  checks: AuthorizationRequest[];
}

/**
 * SNS Publish: `sns:Publish` on the topic; on a topic encrypted with a customer-managed
 * key, SNS also calls KMS with the publisher's rights (`kms:GenerateDataKey` and
 * `kms:Decrypt` on that key, via SNS), so the publisher needs both.
 */
export function snsChecks(
  form: URLSearchParams,
  topicKeys: ReadonlyMap<string, string>,
  account: Account,
): ServiceChecks {
  const operation = form.get("Action") ?? "";
  // Authorized on the subscription: its ARN is the topic's with a suffix.
  if (operation === "Unsubscribe" || operation === "GetSubscriptionAttributes") {
    const subscription = form.get("SubscriptionArn") ?? "";
    return {
      operation,
      checks: [{ action: `sns:${operation}`, resource: subscription, context: {} }],
    };
  }
  const topic = form.get("TopicArn") ?? form.get("TargetArn");
  if (!topic)
    throw new Error(
      `SNS ${operation || "request"}: no TopicArn; the IAM test layer models topic calls only`,
    );
  // Subscribe is conditioned on what is subscribed (sns:Protocol, sns:Endpoint).
  const context: Record<string, string> =
    operation === "Subscribe"
      ? { "sns:Protocol": form.get("Protocol") ?? "", "sns:Endpoint": form.get("Endpoint") ?? "" }
      : {};
  const checks: AuthorizationRequest[] = [{ action: `sns:${operation}`, resource: topic, context }];
  const key = operation === "Publish" ? topicKeys.get(topic) : undefined;
  if (key) {
    const viaSns = {
      "kms:ViaService": `sns.${account.region}.amazonaws.com`,
      "kms:CallerAccount": account.account,
    };
    checks.push(
      { action: "kms:GenerateDataKey", resource: key, context: viaSns },
      { action: "kms:Decrypt", resource: key, context: viaSns },
    );
  }
  return { operation, checks };
}

/** The ARN of a queue from its URL: `<origin>/<account>/<name>` names `arn:...:<account>:<name>`. */
export function queueArnOf(queueUrl: string, account: Account): string {
  const [, owner, name] = new URL(queueUrl).pathname.split("/");
  if (!owner || !name) throw new Error(`${queueUrl} is not a queue URL`);
  return `arn:${account.partition}:sqs:${account.region}:${owner}:${name}`;
}

/** IAM's action for an SQS operation: a batch is authorized as its single form. */
function sqsAction(operation: string): string {
  return `sqs:${operation.replace(/Batch$/, "")}`;
}

/** SQS over JSON 1.0: the operation's action on the queue its `QueueUrl` names. */
export function sqsChecks(
  target: string,
  body: Record<string, unknown>,
  account: Account,
): ServiceChecks {
  const operation = target.replace(/^AmazonSQS\./, "");
  const queueUrl = body.QueueUrl;
  const resource =
    typeof queueUrl === "string"
      ? queueArnOf(queueUrl, account)
      : typeof body.QueueName === "string"
        ? `arn:${account.partition}:sqs:${account.region}:${account.account}:${body.QueueName}`
        : undefined;
  if (!resource) throw new Error(`SQS ${operation}: no QueueUrl or QueueName`);
  return { operation, checks: [{ action: sqsAction(operation), resource, context: {} }] };
}

/**
 * The ARN Secrets Manager authorizes for a `SecretId`: a complete ARN as given; a partial
 * ARN or a name gets the six characters Secrets Manager appends.
 */
export function secretArnOf(secretId: string, account: Account): string {
  if (secretId.startsWith("arn:")) {
    return /-[A-Za-z0-9]{6}$/.test(secretId) ? secretId : `${secretId}${SECRET_SUFFIX}`;
  }
  return `arn:${account.partition}:secretsmanager:${account.region}:${account.account}:secret:${secretId}${SECRET_SUFFIX}`;
}

/** Secrets Manager over JSON 1.1: the operation's action on the secret `SecretId` names. */
export function secretsManagerChecks(
  target: string,
  body: Record<string, unknown>,
  account: Account,
): ServiceChecks {
  const operation = target.replace(/^secretsmanager\./, "");
  if (typeof body.SecretId !== "string")
    throw new Error(`Secrets Manager ${operation}: no SecretId`);
  return {
    operation,
    checks: [
      {
        action: `secretsmanager:${operation}`,
        resource: secretArnOf(body.SecretId, account),
        context: {},
      },
    ],
  };
}
