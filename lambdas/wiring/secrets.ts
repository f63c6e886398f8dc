/**
 * Secrets from Secrets Manager, each fetched once per container; a failed fetch is tried
 * again on the next use. The api function reads the reporter salt
 * (`REPORTER_SALT_SECRET_ARN`) and, when reads need a key, the API keys
 * (`API_KEY_SECRET_ARN`); the webhook function reads each webhook's URL.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { requiredEnv } from "./environment";

let client: SecretsManagerClient | undefined;
const values = new Map<string, { value: Promise<string>; readAt: number }>();

/** API keys are read again after this long, so adding or removing one takes effect soon. */
export const API_KEYS_MAX_AGE_MS = 60_000;

/**
 * The string value of the secret `secretId` (a name or an ARN), read again once it is
 * older than `maxAgeMs` (by default kept for the container's life).
 * @throws Error when the secret has no string value
 */
export function secretString(
  secretId: string,
  maxAgeMs = Number.POSITIVE_INFINITY,
): Promise<string> {
  const cached = values.get(secretId);
  if (cached && Date.now() - cached.readAt < maxAgeMs) return cached.value;
  client ??= new SecretsManagerClient({});
  const value = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((secret) => {
    if (!secret.SecretString) throw new Error(`the secret ${secretId} has no string value`);
    return secret.SecretString;
  });
  value.catch(() => values.delete(secretId));
  values.set(secretId, { value, readAt: Date.now() });
  return value;
}

/** The reporter salt. */
export function reporterSaltFromSecret(): Promise<string> {
  return secretString(requiredEnv("REPORTER_SALT_SECRET_ARN"));
}

/**
 * The accepted API keys: one per line of the secret, so a new key can be added before
 * the old one is removed (rotation without downtime). Read again every minute, so a new
 * key works and a removed one stops working within a minute in every container.
 */
export async function apiKeysFromSecret(): Promise<readonly string[]> {
  return (await secretString(requiredEnv("API_KEY_SECRET_ARN"), API_KEYS_MAX_AGE_MS))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * A webhook's URL from its secret. A secret the operator has not filled yet is an error
 * that says how to fill it, and is read again next time.
 */
export function webhookUrlFromSecret(webhook: string, secretId: string): () => Promise<string> {
  return async () => {
    const value = (await secretString(secretId)).trim();
    if (!/^https?:\/\/\S+$/.test(value)) {
      values.delete(secretId);
      throw new Error(
        `the secret of webhook ${webhook} does not hold its URL yet; put it there with: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string 'https://hooks.slack.com/services/...'`,
      );
    }
    return value;
  };
}
