/**
 * webhook: subscribed to the notification topic with a filter policy naming the
 * configured webhooks, it posts each message's ready-made Slack body (the topic's `lambda`
 * entry) to the webhooks in its audience, once each. When operators include webhooks, it
 * is also subscribed to the alarm topic (`ALARM_TOPIC_ARN`) and posts every alarm to
 * them (`ALARM_WEBHOOKS`). Each URL is read from its Secrets
 * Manager secret (`WEBHOOK_SECRETS`: webhook id → secret) once per container. A failed
 * post fails the invocation: Lambda retries it twice, then it goes to the dead-letter
 * queue, which is alarmed.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { SNSEvent } from "aws-lambda";
import { alarmEnvelopeOf, envelopeOf } from "../notify/webhook-envelope";
import { postWebhook } from "../notify/webhook-post";
import { createDocumentClient } from "../store/client";
import { DynamoWebhookDeliveryStore } from "../store/webhook-delivery-store";
import {
  deliverToWebhooks,
  type WebhookDeliveryDependencies,
  type WebhookDeliveryResult,
} from "../usecases/deliver-webhooks";
import { outboundPolicyFromEnvironment, requiredEnv } from "../wiring/environment";
import { webhookUrlFromSecret } from "../wiring/secrets";
import { logger } from "./logger";

/** The webhook handler over the given dependencies. */
export function createWebhookHandler(
  dependencies: () => WebhookDeliveryDependencies,
  alarms: { topicArn?: string | undefined; operators: readonly string[] } = { operators: [] },
) {
  return middy(async (event: SNSEvent): Promise<WebhookDeliveryResult[]> => {
    const results: WebhookDeliveryResult[] = [];
    for (const record of event.Records) {
      const envelope =
        alarms.topicArn !== undefined && record.Sns.TopicArn === alarms.topicArn
          ? alarmEnvelopeOf(record.Sns, alarms.operators)
          : envelopeOf(record.Sns);
      const result = await deliverToWebhooks(dependencies(), envelope);
      for (const failure of result.failed) {
        logger.warn("webhook delivery failed; Lambda retries it", {
          key: envelope.key,
          ...failure,
        });
      }
      results.push(result);
    }
    const failed = results.flatMap((r) => r.failed);
    if (failed.length > 0) {
      throw new Error(`webhook delivery failed: ${failed.map((f) => f.error).join("; ")}`);
    }
    return results;
  }).use(injectLambdaContext(logger));
}

let dependencies: WebhookDeliveryDependencies | undefined;

/** Entry point of the webhook function. */
export const handler = createWebhookHandler(
  () => {
    if (!dependencies) {
      const secrets = JSON.parse(requiredEnv("WEBHOOK_SECRETS")) as Record<string, string>;
      const outbound = outboundPolicyFromEnvironment();
      dependencies = {
        deliveries: new DynamoWebhookDeliveryStore({
          client: createDocumentClient(),
          tableName: requiredEnv("TABLE_NAME"),
        }),
        urls: new Map(
          Object.entries(secrets).map(([id, secret]) => [id, webhookUrlFromSecret(id, secret)]),
        ),
        now: Date.now,
        post: (webhook, url, body) => postWebhook(webhook, url, body, { outbound }),
      };
    }
    return dependencies;
  },
  {
    topicArn: process.env.ALARM_TOPIC_ARN,
    operators: JSON.parse(process.env.ALARM_WEBHOOKS ?? "[]") as string[],
  },
);
