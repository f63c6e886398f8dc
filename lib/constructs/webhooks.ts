/**
 * Webhook delivery: a small function subscribed to the notification topic, its filter
 * policy naming the configured webhooks, that posts each message's ready-made Slack body
 * to the webhooks in its audience. Each webhook's URL lives in Secrets Manager (a secret
 * the config names, or one this construct creates for the operator to fill), never in
 * the bundled config; only this function may read them.
 */
import { Annotations, CfnOutput, Duration, Stack, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { type ITopic, Subscription, SubscriptionProtocol, type Topic } from "aws-cdk-lib/aws-sns";
import { LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Webhook } from "../../lambdas/domain/config";
import { WEBHOOK_DELIVERY_PREFIX } from "../../lambdas/store/webhook-delivery-store";
import type { BundledConfig } from "../app-config";
import { deadLetterQueue, sendFailuresTo } from "./dead-letter-queue";
import { grantItems, grantSecretValue } from "./grants";
import { applyFilterPolicy, filterPolicyFor } from "./notifications";
import { OutcryFunction } from "./outcry-function";

/** Properties of {@link Webhooks}. */
export interface WebhooksProps {
  /** The validated `config.webhooks`; at least one. */
  readonly webhooks: readonly Webhook[];
  readonly topic: Topic;
  /** The table its delivery records (once per webhook and message) go in. */
  readonly table: ITable;
  /** Absolute path of the webhook handler module. */
  readonly entry: string;
  readonly bundledConfig: BundledConfig;
  /** Concurrent executions reserved for the function (config `concurrency.webhook`). */
  readonly reservedConcurrency: number | "unreserved";
  /** The topic of outcry's own alarms, posted to the webhook operators. */
  readonly alarmTopic: ITopic;
  /** Ids of the webhooks that are operators (config `operators`): they get the alarms. */
  readonly operators: readonly string[];
}

/** `noc-slack` → `NocSlack`, for construct and output ids. */
function pascal(id: string): string {
  return id
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** A secret given by name, complete ARN or partial ARN. */
function importedSecret(scope: Construct, id: string, secret: string): ISecret {
  if (!secret.startsWith("arn:")) return Secret.fromSecretNameV2(scope, id, secret);
  // A complete ARN ends with the six random characters Secrets Manager appends.
  return /-[A-Za-z0-9]{6}$/.test(secret)
    ? Secret.fromSecretCompleteArn(scope, id, secret)
    : Secret.fromSecretPartialArn(scope, id, secret);
}

/**
 * The webhook function, its secrets, its subscription and its dead-letter queue.
 *
 * @example
 * const webhooks = new Webhooks(this, "Webhooks", { webhooks, topic, table, entry, bundledConfig });
 * alarms.watchDeadLetterQueue("Webhooks", webhooks.deadLetterQueue);
 */
export class Webhooks extends Construct {
  public readonly function: OutcryFunction;
  /** Webhook id → the secret holding its URL. */
  public readonly secrets: ReadonlyMap<string, ISecret>;
  /** Messages a webhook kept refusing after Lambda's retries, kept 14 days. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const secrets = new Map<string, ISecret>();
    props.webhooks.forEach((webhook, index) => {
      const name = pascal(webhook.id);
      if (webhook.url) {
        Annotations.of(this).addWarningV2(
          "outcry:webhook-url-local",
          `webhooks[${index}].url is used by npm start only; in AWS the URL of ${webhook.id} is read from its secret`,
        );
      }
      if (webhook.secret) {
        secrets.set(webhook.id, importedSecret(this, `${name}Url`, webhook.secret));
        return;
      }
      const secret = new Secret(this, `${name}Url`, {
        description: `URL of the outcry webhook ${webhook.id}: replace this value with it`,
      });
      Validations.of(secret).acknowledge({
        id: "AwsSolutions-SMG4",
        reason:
          "A webhook URL is issued by the chat service; it is rotated there (a new webhook) and put here by hand.",
      });
      new CfnOutput(scope, `Webhook${name}Secret`, {
        value: secret.secretArn,
        description: `Put the URL of webhook ${webhook.id} in this secret`,
      });
      secrets.set(webhook.id, secret);
    });
    this.secrets = secrets;

    // The function reads a name for a secret given by name, else the ARN.
    const secretIds = Object.fromEntries(
      props.webhooks.map((webhook) => [
        webhook.id,
        webhook.secret ?? (secrets.get(webhook.id) as ISecret).secretArn,
      ]),
    );
    this.function = new OutcryFunction(this, "Delivery", {
      entry: props.entry,
      description: "outcry webhook: posts notifications to Slack-compatible webhooks",
      memorySize: 256,
      // Posting to each webhook of a message (in parallel) takes at most about 25 s:
      // three 5 s attempts and two waits of at most 5 s; the rest is headroom.
      timeout: Duration.seconds(60),
      bundledConfig: props.bundledConfig,
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        TABLE_NAME: props.table.tableName,
        WEBHOOK_SECRETS: Stack.of(this).toJsonString(secretIds),
        ...(props.operators.length > 0
          ? {
              ALARM_TOPIC_ARN: props.alarmTopic.topicArn,
              ALARM_WEBHOOKS: JSON.stringify(props.operators),
            }
          : {}),
      },
    });
    const fn = this.function.function;
    // Claiming, noting and releasing a delivery are all conditional updates, and only of
    // the webhook delivery items: the function cannot touch the outbox or incidents.
    grantItems(props.table, fn, [
      { partitions: [`${WEBHOOK_DELIVERY_PREFIX}*`], actions: ["UpdateItem"] },
    ]);
    for (const secret of secrets.values()) grantSecretValue(secret, fn);

    this.deadLetterQueue = deadLetterQueue(this, "DeadLetterQueue", "webhook deliveries");
    // SNS invokes asynchronously: a failed post is retried twice by Lambda (about 1 and
    // 2 minutes later), then kept in the dead-letter queue.
    fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: sendFailuresTo(this.deadLetterQueue),
    });
    const subscription = props.topic.addSubscription(new LambdaSubscription(fn));
    applyFilterPolicy(subscription, filterPolicyFor(props.webhooks.map((webhook) => webhook.id)));
    // Every alarm goes to the operators' webhooks; CloudWatch's messages carry no audience.
    if (props.operators.length > 0) {
      new Subscription(this, "AlarmSubscription", {
        topic: props.alarmTopic,
        protocol: SubscriptionProtocol.LAMBDA,
        endpoint: fn.functionArn,
      });
      fn.addPermission("InvokedByAlarmTopic", {
        principal: new ServicePrincipal("sns.amazonaws.com"),
        sourceArn: props.alarmTopic.topicArn,
      });
    }
  }
}
