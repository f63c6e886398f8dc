/**
 * Publishes incident messages to the SNS topic: one Publish with
 * `MessageStructure: "json"` carries the full timeline for email, a GSM-7 text of at most
 * 160 characters for SMS, the Slack body for the webhook function (`lambda`), and a
 * subject under 100 characters. The `audience` attribute (String.Array) names who may
 * have it: each subscription's filter policy asks for its own id there, so one publish
 * reaches exactly the audience. `key` (the delivery key), `service`, `category` and
 * `transition` ride along for the webhook function and for subscriptions of your own.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { MESSAGE_ATTRIBUTES } from "../../contract/catalog";
import type { Notifier, OutgoingMessage } from "../domain/ports";
import { slackMessage, type WebhookEnvelope } from "../domain/wording/slack-message";

/** Builds the Publish input for one message (exported for tests of what would be sent). */
export function publishInput(topicArn: string, message: OutgoingMessage) {
  const { subject, text, sms } = message.summary;
  const envelope: WebhookEnvelope = {
    key: message.deliveryKey,
    audience: message.audience,
    slack: slackMessage(message.summary),
  };
  return {
    TopicArn: topicArn,
    Subject: subject,
    MessageStructure: "json",
    Message: JSON.stringify({ default: text, email: text, sms, lambda: JSON.stringify(envelope) }),
    MessageAttributes: {
      [MESSAGE_ATTRIBUTES.audience]: {
        DataType: "String.Array",
        StringValue: JSON.stringify(message.audience),
      },
      [MESSAGE_ATTRIBUTES.key]: { DataType: "String", StringValue: message.deliveryKey },
      [MESSAGE_ATTRIBUTES.service]: { DataType: "String", StringValue: message.service },
      [MESSAGE_ATTRIBUTES.category]: { DataType: "String", StringValue: message.category },
      [MESSAGE_ATTRIBUTES.transition]: { DataType: "String", StringValue: message.transition },
    },
  };
}

/** A {@link Notifier} publishing to one SNS topic. */
export class SnsNotifier implements Notifier {
  readonly name = "sns";

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    // Nobody may have it (all quiet, or no one asked): recorded as sent, never published.
    if (message.audience.length === 0) return;
    await this.client.send(new PublishCommand(publishInput(this.topicArn, message)));
  }
}
