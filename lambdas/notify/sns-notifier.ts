/**
 * Publishes incident messages to the SNS topic: one Publish with
 * `MessageStructure: "json"` carries the full timeline for email, a GSM-7 text of at most
 * 160 characters for SMS, and a subject under 100 characters. Message attributes
 * `service` and `category` let subscription filter policies pick what each person gets.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { MESSAGE_ATTRIBUTES } from "../domain/catalog";
import type { Notifier, OutboxMessage } from "../domain/ports";

/** Builds the Publish input for one message (exported for tests of what would be sent). */
export function publishInput(topicArn: string, message: OutboxMessage) {
  const { subject, text, sms } = message.summary;
  return {
    TopicArn: topicArn,
    Subject: subject,
    MessageStructure: "json",
    Message: JSON.stringify({ default: text, email: text, sms }),
    MessageAttributes: {
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

  async send(message: OutboxMessage): Promise<void> {
    await this.client.send(new PublishCommand(publishInput(this.topicArn, message)));
  }
}
