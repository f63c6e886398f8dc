/**
 * A webhook as a channel of the local runtime: posts the Slack-compatible body straight
 * from the delivery round (in AWS the webhook function does, from the topic), with the
 * same body and the same posting code. Each webhook is a channel of its own, so the
 * outbox delivers to it once and retries it alone.
 */
import type { Notifier, OutgoingMessage } from "../domain/ports";
import { slackMessage } from "../domain/wording/slack-message";
import type { OutboundPolicy } from "../http/outbound-policy";
import { postWebhook, type WebhookPostOptions } from "./webhook-post";

/** A {@link Notifier} posting to one webhook the messages whose audience names it. */
export class WebhookNotifier implements Notifier {
  readonly name: string;

  constructor(
    private readonly id: string,
    private readonly url: string,
    private readonly options: WebhookPostOptions,
  ) {
    this.name = `webhook:${id}`;
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (!message.audience.includes(this.id)) return;
    await postWebhook(this.id, this.url, slackMessage(message.summary), this.options);
  }
}

/** The environment variable a webhook's URL may come from locally: `OUTCRY_WEBHOOK_URL_NOC_SLACK`. */
export function webhookUrlVariable(id: string): string {
  return `OUTCRY_WEBHOOK_URL_${id.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * The local URL of a webhook: its environment variable, else the config's `url`; null
 * when neither is set.
 */
export function localWebhookUrl(
  webhook: { id: string; url?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  return env[webhookUrlVariable(webhook.id)] || webhook.url || null;
}

/**
 * The webhook channels of the local runtime: one per configured webhook that has a URL,
 * posting only where `outbound` allows; for one that has none, `warn` says how to give it
 * one (its messages are still printed).
 */
export function localWebhookNotifiers(
  webhooks: readonly { id: string; url?: string | undefined }[],
  warn: (line: string) => void,
  outbound: OutboundPolicy,
  env: NodeJS.ProcessEnv = process.env,
): WebhookNotifier[] {
  return webhooks.flatMap((webhook) => {
    const url = localWebhookUrl(webhook, env);
    if (url) return [new WebhookNotifier(webhook.id, url, { outbound })];
    warn(
      `webhook ${webhook.id} has no URL here: set ${webhookUrlVariable(webhook.id)} (or its url in the config); its messages are only printed`,
    );
    return [];
  });
}
