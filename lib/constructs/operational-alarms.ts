/**
 * Alarms that tell the operator the pipeline itself is failing (as opposed to the outage
 * notifications it sends), all published to one encrypted topic.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** Metrics are summed over this period; one bad period is enough to alarm. */
const PERIOD = Duration.minutes(5);

/**
 * The alarm topic and the alarms on it. Each alarm fires on the first error, throttle or
 * dead-lettered event, and notifies again when it returns to OK.
 *
 * @example
 * const alarms = new OperationalAlarms(this, "Alarms");
 * alarms.watchFunction("Collect", collect.function);
 * alarms.watchDeadLetterQueue("CollectSchedule", schedule.deadLetterQueue);
 */
export class OperationalAlarms extends Construct {
  public readonly key: Key;
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: "Encrypts the outcry alarm topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes as a service, so the key policy must let it encrypt (the
    // statement AWS documents for alarms on encrypted topics).
    this.key.grant(
      new ServicePrincipal("cloudwatch.amazonaws.com"),
      "kms:GenerateDataKey*",
      "kms:Decrypt",
    );
    this.topic = new Topic(this, "Topic", {
      displayName: "outcry alarms",
      masterKey: this.key,
      enforceSSL: true,
    });
    this.action = new SnsAction(this.topic);
  }

  /** Alarms on any error and any throttle of `fn`. */
  watchFunction(name: string, fn: IFunction): void {
    this.add(`${name}Errors`, `${name} function failed`, fn.metricErrors({ period: PERIOD }));
    this.add(
      `${name}Throttles`,
      `${name} function was throttled`,
      fn.metricThrottles({ period: PERIOD }),
    );
  }

  /** Alarms when an event waits in `queue`, i.e. EventBridge gave up delivering it. */
  watchDeadLetterQueue(name: string, queue: IQueue): void {
    this.add(
      `${name}DeadLetters`,
      `${name} events could not be delivered`,
      queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
    );
  }

  private add(id: string, description: string, metric: IMetric): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: `outcry: ${description}`,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
