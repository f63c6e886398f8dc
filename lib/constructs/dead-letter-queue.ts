/**
 * A dead-letter queue as outcry keeps them: encrypted with SQS-managed keys (EventBridge
 * and Lambda can use them, unlike the AWS-managed KMS key of SQS), TLS only, 14 days.
 */
import { Duration, Validations } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
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
