/**
 * Runs a function on a fixed rate, the way collect and detect are driven in AWS.
 */
import { Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { deadLetterQueue } from "./dead-letter-queue";

/** Properties of a {@link ScheduledInvocation}. */
export interface ScheduledInvocationProps {
  /** The function to invoke. */
  readonly target: IFunction;
  /** Time between invocations, whole minutes. */
  readonly every: Duration;
  /** What the schedule does, shown in the EventBridge console. */
  readonly description: string;
}

/**
 * An EventBridge rule on `rate(N minutes)` invoking `target`. Deliveries EventBridge
 * cannot make within two attempts and two minutes land in `deadLetterQueue`: by then the
 * next run has started, so an older event is only worth keeping as evidence.
 *
 * @example
 * new ScheduledInvocation(this, "CollectSchedule", {
 *   target: collect.function, every: Duration.minutes(1), description: "Collect counts",
 * });
 */
export class ScheduledInvocation extends Construct {
  public readonly rule: Rule;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScheduledInvocationProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(
      this,
      "DeadLetterQueue",
      "the EventBridge rule target and of failed runs",
    );
    this.rule = new Rule(this, "Rule", {
      description: props.description,
      schedule: Schedule.rate(props.every),
      targets: [
        new LambdaFunction(props.target, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(2),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
