/**
 * The SNS topic incidents are announced on, with one email or SMS subscription per
 * configured subscriber, each filtered on its own id in the message's audience.
 */
import { Annotations, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Effect, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { type CfnSubscription, type CfnTopic, type Subscription, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, SmsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct, type IConstruct } from "constructs";
import { MESSAGE_ATTRIBUTES } from "../../contract/catalog";
import type { Operator, Subscriber } from "../../lambdas/domain/config";
import { deadLetterQueue, grantSendOnly } from "./dead-letter-queue";

/** Properties of {@link Notifications}. */
export interface NotificationsProps {
  /** Who receives notifications (validated `config.subscribers`). */
  readonly subscribers: readonly Subscriber[];
  /** Who hears of outcry's own failures; only checked here for example addresses. */
  readonly operators?: readonly Operator[];
  /**
   * Deploy even though a recipient is an example address (a demo stack); otherwise such
   * an address is an error that stops `cdk deploy`.
   */
  readonly acknowledgeExampleAddresses?: boolean;
}

/** Addresses in the names reserved for examples and tests (RFC 2606), where no mail arrives. */
const EXAMPLE_ADDRESS =
  /@(?:example\.(?:com|org|net)|(?:[^@]+\.)?(?:example|test|invalid|localhost))$/i;

/**
 * The SNS filter policy (scope MessageAttributes) of a subscription: the message's
 * `audience` (String.Array) must name one of `ids`. detect decides the audience with the
 * domain's rules (services, categories, updates, quiet hours; see `domain/audience.ts`),
 * so the policy encodes none of them: one key and one value per subscriber (one per
 * webhook for the webhook function), far inside SNS's limits of 5 keys and 150 value
 * combinations a policy, whatever the subscriber's filters.
 *
 * @example
 * filterPolicyFor(["sub-3f2a9c01d4"]); // { audience: ["sub-3f2a9c01d4"] }
 */
export function filterPolicyFor(ids: readonly string[]): Record<string, string[]> {
  return { [MESSAGE_ATTRIBUTES.audience]: [...ids] };
}

/** Gives a subscription `policy` on its L1 resource, scoped to the message attributes. */
export function applyFilterPolicy(
  subscription: Subscription,
  policy: Record<string, string[]>,
): void {
  const cfn = subscription.node.defaultChild as CfnSubscription;
  cfn.filterPolicy = policy;
  cfn.filterPolicyScope = "MessageAttributes";
}

/**
 * The notification topic, encrypted with a customer-managed key and reachable over TLS only.
 *
 * @example
 * const notifications = new Notifications(this, "Notifications", { subscribers });
 * notifications.grantPublish(detect.function);
 */
export class Notifications extends Construct {
  public readonly key: Key;
  public readonly topic: Topic;
  /** Notifications that kept failing, kept 14 days for a person to look at. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: "Encrypts the outcry notification topic",
      enableKeyRotation: true,
      // The key only protects this stack's topic, so it goes (after the waiting period) with it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new Topic(this, "Topic", {
      displayName: "outcry",
      masterKey: this.key,
      enforceSSL: true,
    });
    this.deadLetterQueue = deadLetterQueue(
      this,
      "DeadLetterQueue",
      "notifications that keep failing",
    );
    const examples = [
      ...props.subscribers.map((s, index) => ({ at: `subscribers[${index}]`, to: s.email })),
      ...(props.operators ?? []).map((o, index) => ({
        at: `operators[${index}]`,
        to: "email" in o ? o.email : undefined,
      })),
    ].filter(({ to }) => to !== undefined && EXAMPLE_ADDRESS.test(to));
    for (const { at, to } of examples) {
      const problem = `${at} is the example address ${to}, where no mail arrives`;
      if (props.acknowledgeExampleAddresses) {
        Annotations.of(this).addWarningV2("outcry:example-subscriber", problem);
      } else {
        // An error stops `cdk deploy`: a stack that tells nobody is worse than none.
        Annotations.of(this).addError(
          `${problem}: put a real address in the config, or deploy with -c acknowledgeExampleAddresses=true to keep it (a demo)`,
        );
      }
    }
    props.subscribers.forEach((subscriber) => {
      const endpoint = subscriber.email ?? subscriber.sms ?? "";
      // Subscriptions are named by endpoint, so reordering the list does not resubscribe
      // anyone (the config refuses one endpoint listed twice).
      const subscription = this.topic.addSubscription(
        subscriber.email ? new EmailSubscription(subscriber.email) : new SmsSubscription(endpoint),
      );
      applyFilterPolicy(subscription, filterPolicyFor([subscriber.id]));
    });
  }

  /**
   * Lets `grantee` (the api function) subscribe people who ask for it: `sns:Subscribe` on
   * the topic for the `email` and `sms` protocols only (never an HTTP endpoint, a queue or
   * a function, which would read every message); the topic's listing, to learn which
   * emails were confirmed; `sns:Unsubscribe` on the topic's subscriptions (their ARNs are
   * the topic's and a suffix); and `sns:Publish` on the topic with its key, for the one-time code of an SMS
   * subscription, sent to that subscription alone through its filter policy.
   */
  grantSubscribe(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["sns:Subscribe"],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { "sns:Protocol": ["email", "sms"] } },
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["sns:ListSubscriptionsByTopic", "sns:Publish"],
        resources: [this.topic.topicArn],
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["sns:Unsubscribe"],
        resources: [`${this.topic.topicArn}:*`],
      }),
    );
    // cdk-nag names the finding by the topic's logical id, as the template references it.
    const topicId = Stack.of(this).getLogicalId(this.topic.node.defaultChild as CfnTopic);
    Validations.of(principal as unknown as IConstruct).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${topicId}>:*]`,
      reason:
        "A subscription's ARN is its topic's with a suffix SNS draws: the wildcard covers only this topic's subscriptions, which the api function ends when their subscriber asks.",
    });
    this.key.grant(grantee, "kms:GenerateDataKey", "kms:Decrypt");
  }

  /**
   * Lets `grantee` publish to the topic: `sns:Publish` on it and the two key actions SNS
   * needs to encrypt the message, rather than the `kms:GenerateDataKey*` family; and send
   * what keeps failing to the dead-letter queue (send only).
   */
  grantPublish(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
      }),
    );
    this.key.grant(grantee, "kms:GenerateDataKey", "kms:Decrypt");
    grantSendOnly(this.deadLetterQueue, grantee);
  }
}
