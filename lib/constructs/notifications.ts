/**
 * The SNS topic incidents are announced on, with one email or SMS subscription per
 * configured subscriber.
 */
import { Annotations, RemovalPolicy } from "aws-cdk-lib";
import { Effect, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { type CfnSubscription, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, SmsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { MESSAGE_ATTRIBUTES } from "../../lambdas/domain/catalog";
import { ConfigError, type Subscriber } from "../../lambdas/domain/config";
import { deadLetterQueue } from "./dead-letter-queue";

/** Properties of {@link Notifications}. */
export interface NotificationsProps {
  /** Who receives notifications (validated `config.subscribers`). */
  readonly subscribers: readonly Subscriber[];
}

/**
 * The SNS filter policy (scope MessageAttributes) of a subscriber, or undefined when it
 * wants every notification. A subscriber listing both services and categories gets a
 * notification matching either list; one without `updates` gets opened and resolved
 * messages only.
 *
 * @example
 * filterPolicyFor({ email: "a@b.c", categories: ["isp"], updates: true }); // { category: ["isp"] }
 */
export function filterPolicyFor(subscriber: Subscriber): Record<string, unknown> | undefined {
  // Updates of growing incidents only reach those who asked for them.
  const base: Record<string, unknown> = subscriber.updates
    ? {}
    : { [MESSAGE_ATTRIBUTES.transition]: ["opened", "resolved"] };
  const clauses: Record<string, string[]>[] = [];
  if (subscriber.services) clauses.push({ [MESSAGE_ATTRIBUTES.service]: subscriber.services });
  if (subscriber.categories) {
    clauses.push({ [MESSAGE_ATTRIBUTES.category]: subscriber.categories });
  }
  const [only] = clauses;
  const policy = clauses.length > 1 ? { ...base, $or: clauses } : { ...base, ...only };
  return Object.keys(policy).length === 0 ? undefined : policy;
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
    const seen = new Map<string, number>();
    props.subscribers.forEach((subscriber, index) => {
      const endpoint = subscriber.email ?? subscriber.sms ?? "";
      const first = seen.get(endpoint);
      // SNS keeps one subscription per endpoint and topic, so a second entry could never apply.
      if (first !== undefined) {
        const problem = `subscribers[${index}]: ${endpoint} is already subscribers[${first}]; merge the two entries`;
        throw new ConfigError(`configuration is not valid:\n  - ${problem}`, [problem]);
      }
      seen.set(endpoint, index);
      if (/@example\.(com|org|net)$/i.test(endpoint)) {
        Annotations.of(this).addWarningV2(
          "outcry:example-subscriber",
          `subscribers[${index}] is the example address ${endpoint}: replace it with a real one`,
        );
      }
      // Subscriptions are named by endpoint, so reordering the list does not resubscribe anyone.
      const subscription = this.topic.addSubscription(
        subscriber.email ? new EmailSubscription(subscriber.email) : new SmsSubscription(endpoint),
      );
      const policy = filterPolicyFor(subscriber);
      if (policy) {
        // Written on the L1 resource because the L2 filter policy type cannot express `$or`.
        const cfn = subscription.node.defaultChild as CfnSubscription;
        cfn.filterPolicy = policy;
        cfn.filterPolicyScope = "MessageAttributes";
      }
    });
  }

  /**
   * Lets `grantee` publish to the topic: `sns:Publish` on it and the two key actions SNS
   * needs to encrypt the message, rather than the `kms:GenerateDataKey*` family; and send
   * what keeps failing to the dead-letter queue.
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
    this.deadLetterQueue.grantSendMessages(grantee);
  }
}
