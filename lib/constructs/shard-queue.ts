/**
 * The queue a scheduled function hands its tick's shards to, and the event source
 * mapping through which the same function works on them.
 */
import { Duration } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { EventSourceMapping, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { deadLetterQueue, grantSendOnly } from "./dead-letter-queue";

/** Deliveries of a shard job before SQS moves it to the dead-letter queue. */
export const SHARD_RECEIVE_LIMIT = 3;

/** Properties of a {@link ShardQueue}. */
export interface ShardQueueProps {
  /** The function that hands out the shards (on its schedule) and works on them. */
  readonly worker: LambdaFunction;
  /** Its timeout: a message stays invisible a little longer, as Lambda requires. */
  readonly timeout: Duration;
  /** Invocations working on the queue at once (the mapping's maximum concurrency, 2+). */
  readonly maxConcurrency: number;
  /** Whose shards, for the dead-letter queue's acknowledgement. */
  readonly what: string;
}

/**
 * A queue of shard jobs read one message per invocation, at most `maxConcurrency` at
 * once. A job whose invocation reports it failed (`batchItemFailures`) comes back after
 * the visibility timeout, and after {@link SHARD_RECEIVE_LIMIT} deliveries waits in the
 * dead-letter queue (alarmed) while every other shard goes on. Messages live an hour: a
 * job that old has been covered by later ticks. The function gets `SHARD_QUEUE_URL`, may
 * send to the queue, and its role gets exactly what Lambda's polling calls.
 *
 * @example new ShardQueue(this, "CollectShards", { worker: collect.function, timeout, maxConcurrency: 4, what: "collect" });
 */
export class ShardQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly mapping: EventSourceMapping;

  constructor(scope: Construct, id: string, props: ShardQueueProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(
      this,
      "DeadLetterQueue",
      `the ${props.what} shard jobs that kept failing`,
    );
    this.queue = new Queue(this, "Queue", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.timeout.plus(Duration.seconds(10)),
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: SHARD_RECEIVE_LIMIT },
    });
    // What Lambda's SQS polling calls with the function's role, and no more (CDK's
    // SqsEventSource would also grant GetQueueUrl and ChangeMessageVisibility).
    props.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        resources: [this.queue.queueArn],
      }),
    );
    this.mapping = props.worker.addEventSourceMapping(`${id}Mapping`, {
      eventSourceArn: this.queue.queueArn,
      batchSize: 1,
      maxConcurrency: props.maxConcurrency,
      reportBatchItemFailures: true,
    });
    grantSendOnly(this.queue, props.worker);
    props.worker.addEnvironment("SHARD_QUEUE_URL", this.queue.queueUrl);
  }
}
