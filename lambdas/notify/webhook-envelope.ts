/**
 * What the topics hand the webhook function, read into a {@link WebhookEnvelope}: detect's
 * messages (the topic's `lambda` entry, or the plain `default` entry with its attributes)
 * and CloudWatch's alarms on the alarm topic.
 */
import type { SNSEventRecord } from "aws-lambda";
import { MESSAGE_ATTRIBUTES } from "../../contract/catalog";
import { alarmSummary } from "../domain/wording/alarm-message";
import {
  isWebhookEnvelope,
  slackMessage,
  type WebhookEnvelope,
} from "../domain/wording/slack-message";

/**
 * Reads what detect published for the webhook function: the topic's `lambda` entry, the
 * envelope with the Slack body ready-made. Should SNS hand the function the `default`
 * entry instead, the same envelope is rebuilt from the subject, the text and the
 * message's `audience` and `key` attributes, with the same formatting.
 */
export function envelopeOf(record: SNSEventRecord["Sns"]): WebhookEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.Message);
  } catch {
    parsed = undefined;
  }
  if (isWebhookEnvelope(parsed)) return parsed;
  const attributes = record.MessageAttributes ?? {};
  const key = attributes[MESSAGE_ATTRIBUTES.key]?.Value;
  let audience: unknown;
  try {
    audience = JSON.parse(attributes[MESSAGE_ATTRIBUTES.audience]?.Value ?? "");
  } catch {
    audience = undefined;
  }
  const rebuilt = {
    key,
    audience,
    slack: slackMessage({ subject: record.Subject ?? "", text: record.Message, sms: "" }),
  };
  if (!isWebhookEnvelope(rebuilt)) {
    throw new Error(
      "the SNS message is neither an outcry webhook envelope nor carries the audience and key attributes; was it published by outcry detect?",
    );
  }
  return rebuilt;
}

/**
 * Reads an alarm CloudWatch published to the alarm topic, for the webhook operators: the
 * alarm worded as a Slack body, delivered once per SNS message.
 * @throws Error when the message is not a CloudWatch alarm notification
 */
export function alarmEnvelopeOf(
  record: SNSEventRecord["Sns"],
  operators: readonly string[],
): WebhookEnvelope {
  const summary = alarmSummary(record.Message);
  if (!summary) {
    throw new Error(
      "the message on the alarm topic is not a CloudWatch alarm notification (no AlarmName and NewStateValue)",
    );
  }
  return {
    key: `alarm#${record.MessageId}`,
    audience: [...operators],
    slack: slackMessage(summary),
  };
}
