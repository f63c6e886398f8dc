/**
 * A dead-letter queue as outcry keeps them: encrypted with SQS-managed keys (EventBridge
 * and Lambda can use them, unlike the AWS-managed KMS key of SQS), TLS only, 14 days.
 */
import { Duration, Validations } from "aws-cdk-lib";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { DestinationConfig, IDestination, IFunction } from "aws-cdk-lib/aws-lambda";
import { type IQueue, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/**
 * Creates a dead-letter queue; `of` says whose, for the cdk-nag acknowledgement that a
 * dead-letter queue needs no dead-letter queue of its own.
 * @example const dlq = deadLetterQueue(this, "DeadLetterQueue", "notifications that keep failing");
 */
export function deadLetterQueue(scope: Construct, id: string, of: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: `This queue is itself the dead-letter queue of ${of}.`,
  });
  return queue;
}

/**
 * An on-failure destination of a function's asynchronous invocations that sends to
 * `queue` and may do nothing else there: CDK's `SqsDestination` also grants
 * `sqs:GetQueueAttributes` and `sqs:GetQueueUrl`, which Lambda's delivery never calls.
 *
 * @example fn.configureAsyncInvoke({ onFailure: sendFailuresTo(dlq) });
 */
export function sendFailuresTo(queue: IQueue): IDestination {
  return {
    bind(_scope: Construct, fn: IFunction): DestinationConfig {
      grantSendOnly(queue, fn);
      return { destination: queue.queueArn };
    },
  };
}

/**
 * Lets `grantee` send to `queue` and nothing more: the queue's URL comes from the
 * environment, so it needs no `GetQueueUrl`, and no `GetQueueAttributes` either, which
 * `queue.grantSendMessages` adds.
 */
export function grantSendOnly(queue: IQueue, grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ["sqs:SendMessage"], resources: [queue.queueArn] }),
  );
}
