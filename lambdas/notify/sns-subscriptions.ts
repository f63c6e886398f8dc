/**
 * Self-service subscribers on the SNS notification topic. Each is an SNS subscription
 * (protocol `email` or `sms`) whose filter policy asks for its own id in the `audience`
 * attribute, exactly as the stack subscribes configured subscribers
 * (`lib/constructs/notifications.ts`), so one Publish of detect reaches both alike. The
 * address is kept by SNS only. For email SNS sends the confirmation itself and delivers
 * nothing until the link in it is followed; each email then carries SNS's unsubscribe
 * link, and a text number can reply STOP.
 */
import {
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { MESSAGE_ATTRIBUTES } from "../../contract/catalog";
import type { SubscriptionChannel } from "../domain/subscription";
import { type SubscriptionGateway, SubscriptionRefused } from "../domain/subscription-ports";

/** SNS's errors that say its quota is spent, not that the request was wrong. */
const QUOTA_ERRORS = new Set([
  "FilterPolicyLimitExceededException",
  "SubscriptionLimitExceededException",
]);

const errorName = (error: unknown) =>
  typeof error === "object" && error !== null && "name" in error ? String(error.name) : "";

/**
 * The Subscribe input for one subscriber (exported for tests of what would be sent).
 * @example subscribeInput(topicArn, "email", "ana@example.org", "self-0a1b…")
 */
export function subscribeInput(
  topicArn: string,
  channel: SubscriptionChannel,
  address: string,
  id: string,
) {
  return {
    TopicArn: topicArn,
    Protocol: channel,
    Endpoint: address,
    Attributes: {
      FilterPolicy: JSON.stringify({ [MESSAGE_ATTRIBUTES.audience]: [id] }),
      FilterPolicyScope: "MessageAttributes",
    },
    // The ARN even while the email waits for its confirmation, so it can be ended.
    ReturnSubscriptionArn: true,
  };
}

/** A {@link SubscriptionGateway} on one SNS topic. */
export class SnsSubscriptionGateway implements SubscriptionGateway {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async subscribe(channel: SubscriptionChannel, address: string, id: string): Promise<string> {
    try {
      const { SubscriptionArn } = await this.client.send(
        new SubscribeCommand(subscribeInput(this.topicArn, channel, address, id)),
      );
      if (!SubscriptionArn) throw new Error("SNS answered Subscribe without a SubscriptionArn");
      return SubscriptionArn;
    } catch (error) {
      if (QUOTA_ERRORS.has(errorName(error))) {
        throw new SubscriptionRefused(
          "full",
          "the notification topic has as many subscriptions as SNS allows; try again later",
          undefined,
          3600,
        );
      }
      throw error;
    }
  }

  async sendText(id: string, text: string): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        MessageStructure: "json",
        // Only the subscription filtered on `id` takes it; the webhook function's filter
        // names webhook ids only.
        Message: JSON.stringify({ default: text, sms: text, email: text }),
        MessageAttributes: {
          [MESSAGE_ATTRIBUTES.audience]: {
            DataType: "String.Array",
            StringValue: JSON.stringify([id]),
          },
          "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
        },
      }),
    );
  }

  async confirmedEndpoints(): Promise<Set<string>> {
    // The topic's listing, rather than each subscription's attributes: it is authorized on
    // the topic alone, and a waiting subscription shows there as "PendingConfirmation".
    const confirmed = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: this.topicArn, NextToken }),
      );
      for (const { SubscriptionArn } of page.Subscriptions ?? []) {
        if (SubscriptionArn?.startsWith("arn:")) confirmed.add(SubscriptionArn);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return confirmed;
  }

  async unsubscribe(endpoint: string): Promise<void> {
    try {
      await this.client.send(new UnsubscribeCommand({ SubscriptionArn: endpoint }));
    } catch (error) {
      if (errorName(error) !== "NotFoundException") throw error;
    }
  }
}
