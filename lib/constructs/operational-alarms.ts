/**
 * Alarms that tell the operators the pipeline itself is failing (as opposed to the outage
 * notifications it sends), all published to one encrypted topic that the configured
 * operators are subscribed to.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, SmsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Operator } from "../../lambdas/domain/config";

/** Metrics are summed over this period; one bad period is enough to alarm. */
const PERIOD = Duration.minutes(5);

/** Share of the SMS spending limit at which the spend alarm fires. */
export const SMS_SPEND_ALARM_SHARE = 0.8;

/** Properties of {@link OperationalAlarms}. */
export interface OperationalAlarmsProps {
  /**
   * Who is subscribed to the alarm topic. Webhook operators are subscribed by the
   * webhook function (see `Webhooks`), which posts the alarms to them.
   */
  readonly operators: readonly Operator[];
}

/**
 * The alarm topic and the alarms on it. Each alarm fires on the first error, throttle or
 * dead-lettered event, and notifies again when it returns to OK (SMS spend excepted). Alarm names start with
 * the stack's name, which is what lets CloudWatch (and only alarms of this stack, in
 * this account) publish to the topic and use its key.
 *
 * @example
 * const alarms = new OperationalAlarms(this, "Alarms", { operators: config.operators });
 * alarms.watchFunction("Collect", collect.function);
 * alarms.watchDeadLetterQueue("CollectSchedule", schedule.deadLetterQueue);
 */
export class OperationalAlarms extends Construct {
  public readonly key: Key;
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];
  /** Every alarm's name starts with this: `<stack name>.`. */
  public readonly alarmNamePrefix: string;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A dot cannot be part of a stack name, so "Outcry." never matches "Outcry-Staging.".
    this.alarmNamePrefix = `${stack.stackName}.`;
    // CloudWatch publishes as a service principal; without these conditions any alarm
    // of any account could publish here (the confused deputy).
    const fromOwnAlarms = {
      StringEquals: { "aws:SourceAccount": stack.account },
      ArnLike: {
        "aws:SourceArn": stack.formatArn({
          service: "cloudwatch",
          resource: "alarm",
          resourceName: `${this.alarmNamePrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const cloudWatch = new ServicePrincipal("cloudwatch.amazonaws.com");
    this.key = new Key(this, "Key", {
      description: "Encrypts the outcry alarm topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An encrypted topic takes a message only from a publisher that may use its key:
    // the key policy statement AWS documents for alarms on encrypted topics.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsOfThisStack",
        principals: [cloudWatch],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: fromOwnAlarms,
      }),
    );
    this.topic = new Topic(this, "Topic", {
      displayName: "outcry alarms",
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy the stack writes replaces SNS's default one, so CloudWatch must be
    // let in here, or every alarm fails to notify ("no resource-based policy allows").
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsOfThisStack",
        principals: [cloudWatch],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    for (const operator of props.operators) {
      if ("email" in operator) this.topic.addSubscription(new EmailSubscription(operator.email));
      if ("sms" in operator) this.topic.addSubscription(new SmsSubscription(operator.sms));
    }
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

  /**
   * Alarms when a job has waited in `queue` for `maxAge` or more: its workers are not
   * keeping up with the ticks (too few workers, or shards too large for their time).
   */
  watchShardBacklog(name: string, queue: IQueue, maxAge: Duration): void {
    this.add(
      `${name}Backlog`,
      `${name} shard jobs waited ${maxAge.toHumanString()} or more`,
      queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: "Maximum" }),
      { threshold: maxAge.toSeconds() },
    );
  }

  /** Alarms when SNS failed to deliver a message of `topic` (an email, a text, a webhook call). */
  watchTopicDeliveries(name: string, topic: ITopic): void {
    this.add(
      `${name}FailedDeliveries`,
      `SNS could not deliver ${name} notifications`,
      topic.metricNumberOfNotificationsFailed({ period: PERIOD, statistic: "Sum" }),
    );
  }

  /**
   * Alarms when the account's SMS spending this month reaches
   * {@link SMS_SPEND_ALARM_SHARE} of `limitUsd`: past the limit, SNS stops sending texts.
   */
  watchSmsSpend(limitUsd: number): void {
    const threshold = Math.round(limitUsd * SMS_SPEND_ALARM_SHARE * 100) / 100;
    // The metric comes only while texts are sent: a period without it says nothing, and an
    // "OK" for it would be one more text paid from the same limit.
    this.add(
      "SmsSpend",
      `SMS spending this month reached USD ${threshold} of the USD ${limitUsd} limit`,
      new Metric({
        namespace: "AWS/SNS",
        metricName: "SMSMonthToDateSpentUSD",
        period: Duration.hours(1),
        statistic: "Maximum",
      }),
      { threshold, missingData: TreatMissingData.IGNORE, notifyOk: false },
    );
  }

  private add(
    id: string,
    description: string,
    metric: IMetric,
    { threshold = 1, missingData = TreatMissingData.NOT_BREACHING, notifyOk = true } = {},
  ): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.alarmNamePrefix}${id}`,
      alarmDescription: `outcry: ${description}`,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: missingData,
    });
    alarm.addAlarmAction(this.action);
    if (notifyOk) alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
