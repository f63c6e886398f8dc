/**
 * Use case of the webhook function: post one message from the topic to each webhook in
 * its audience, once each.
 * 1. Keep the audience's ids that are configured webhooks (the rest are people SNS
 *    reaches itself).
 * 2. Claim each delivery (webhook, delivery key); one already made or in progress
 *    elsewhere is skipped, so a redelivered message posts nothing twice.
 * 3. Post the ready-made Slack body (timeouts and quick retries in `postWebhook`), note
 *    each success, release each failure for the next try.
 * The caller fails the invocation when one failed, so Lambda retries it (twice) and then
 * puts it in the dead-letter queue, which is alarmed.
 */
import type { SNSEventRecord } from "aws-lambda";
import { alarmSummary } from "../domain/alarm-message";
import { MESSAGE_ATTRIBUTES } from "../domain/catalog";
import type { WebhookDeliveryStore } from "../domain/ports";
import { isWebhookEnvelope, slackMessage, type WebhookEnvelope } from "../domain/slack-message";
import { postWebhook, type WebhookPostOptions } from "../notify/webhook-post";

/** What delivering needs. */
export interface WebhookDeliveryDependencies {
  deliveries: WebhookDeliveryStore;
  /** Webhook id → its URL (read from its secret on first use). */
  urls: ReadonlyMap<string, () => Promise<string>>;
  now: () => number;
  post?: WebhookPostOptions;
}

/** What one delivery did. */
export interface WebhookDeliveryResult {
  delivered: string[];
  /** Already delivered, or being delivered by another invocation. */
  skipped: string[];
  failed: { webhook: string; error: string }[];
}

/** How long a claimed delivery is reserved: past the function's 30 s timeout. */
export const WEBHOOK_LEASE_MS = 60_000;

/**
 * Delivers `envelope` to the webhooks in its audience.
 * @example const result = await deliverToWebhooks(deps, JSON.parse(record.Sns.Message));
 */
export async function deliverToWebhooks(
  deps: WebhookDeliveryDependencies,
  envelope: WebhookEnvelope,
): Promise<WebhookDeliveryResult> {
  const result: WebhookDeliveryResult = { delivered: [], skipped: [], failed: [] };
  const targets = [...new Set(envelope.audience)].filter((id) => deps.urls.has(id)).sort();
  await Promise.all(
    targets.map(async (id) => {
      const nowMs = deps.now();
      if (!(await deps.deliveries.claim(id, envelope.key, nowMs, nowMs + WEBHOOK_LEASE_MS))) {
        result.skipped.push(id);
        return;
      }
      try {
        const url = await (deps.urls.get(id) as () => Promise<string>)();
        await postWebhook(id, url, envelope.slack, deps.post);
        await deps.deliveries.markDelivered(id, envelope.key, deps.now());
        result.delivered.push(id);
      } catch (error) {
        await deps.deliveries.release(id, envelope.key);
        result.failed.push({ webhook: id, error: (error as Error).message });
      }
    }),
  );
  for (const list of [result.delivered, result.skipped]) list.sort();
  return result;
}

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
