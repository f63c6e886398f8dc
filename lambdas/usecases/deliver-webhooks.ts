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
import type { WebhookDeliveryStore } from "../domain/ports";
import type { SlackMessage, WebhookEnvelope } from "../domain/wording/slack-message";

/** What delivering needs. */
export interface WebhookDeliveryDependencies {
  deliveries: WebhookDeliveryStore;
  /** Webhook id → its URL (read from its secret on first use). */
  urls: ReadonlyMap<string, () => Promise<string>>;
  now: () => number;
  /** Posts one body to one webhook URL, with its own timeouts and retries; throws when it failed. */
  post: (webhook: string, url: string, body: SlackMessage) => Promise<void>;
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
        await deps.post(id, url, envelope.slack);
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
