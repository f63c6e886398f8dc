/**
 * webhook: subscribed to the notification topic with a filter policy naming the
 * configured webhooks, it posts each message's ready-made Slack body (the topic's `lambda`
 * entry) to the webhooks in its audience, once each. Each URL is read from its Secrets
 * Manager secret (`WEBHOOK_SECRETS`: webhook id → secret) once per container. A failed
 * post fails the invocation: Lambda retries it twice, then it goes to the dead-letter
 * queue, which is alarmed.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import type { SNSEvent, SNSEventRecord } from "aws-lambda";
import { MESSAGE_ATTRIBUTES } from "../domain/catalog";
import { isWebhookEnvelope, slackMessage, type WebhookEnvelope } from "../domain/slack-message";
import { createDocumentClient } from "../store/client";
import { DynamoWebhookDeliveryStore } from "../store/webhook-delivery-store";
import {
  deliverToWebhooks,
  type WebhookDeliveryDependencies,
  type WebhookDeliveryResult,
} from "../usecases/deliver-webhooks";
import { requiredEnv } from "./aws-dependencies";
import { logger } from "./logger";

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

/** The webhook handler over the given dependencies. */
export function createWebhookHandler(dependencies: () => WebhookDeliveryDependencies) {
  return middy(async (event: SNSEvent): Promise<WebhookDeliveryResult[]> => {
    const results: WebhookDeliveryResult[] = [];
    for (const record of event.Records) {
      const envelope = envelopeOf(record.Sns);
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

/**
 * A webhook's URL from its secret, fetched on first use and kept for the container's
 * life; a failed or empty read is tried again next time.
 */
export function urlFromSecret(
  client: SecretsManagerClient,
  webhook: string,
  secretId: string,
): () => Promise<string> {
  let url: Promise<string> | undefined;
  return () => {
    url ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then((secret) => {
      const value = secret.SecretString?.trim() ?? "";
      if (!/^https?:\/\/\S+$/.test(value)) {
        throw new Error(
          `the secret of webhook ${webhook} does not hold its URL yet; put it there with: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string 'https://hooks.slack.com/services/...'`,
        );
      }
      return value;
    });
    url.catch(() => {
      url = undefined;
    });
    return url;
  };
}

let dependencies: WebhookDeliveryDependencies | undefined;

/** Entry point of the webhook function. */
export const handler = createWebhookHandler(() => {
  if (!dependencies) {
    const secrets = JSON.parse(requiredEnv("WEBHOOK_SECRETS")) as Record<string, string>;
    const client = new SecretsManagerClient({});
    dependencies = {
      deliveries: new DynamoWebhookDeliveryStore({
        client: createDocumentClient(),
        tableName: requiredEnv("TABLE_NAME"),
      }),
      urls: new Map(
        Object.entries(secrets).map(([id, secret]) => [id, urlFromSecret(client, id, secret)]),
      ),
      now: Date.now,
    };
  }
  return dependencies;
});
