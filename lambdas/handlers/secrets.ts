/**
 * The api function's secrets from Secrets Manager: the reporter salt
 * (`REPORTER_SALT_SECRET_ARN`) and, when reads need a key, the API keys
 * (`API_KEY_SECRET_ARN`). Each is fetched once per container; a failed fetch is retried
 * on the next request.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { requiredEnv } from "./aws-dependencies";

let client: SecretsManagerClient | undefined;
const values = new Map<string, Promise<string>>();

/** The string value of the secret whose ARN the variable `envName` holds. */
function secretString(envName: string): Promise<string> {
  let value = values.get(envName);
  if (!value) {
    client ??= new SecretsManagerClient({});
    value = client
      .send(new GetSecretValueCommand({ SecretId: requiredEnv(envName) }))
      .then((secret) => {
        if (!secret.SecretString) throw new Error(`the secret in ${envName} has no string value`);
        return secret.SecretString;
      });
    value.catch(() => values.delete(envName));
    values.set(envName, value);
  }
  return value;
}

/** The reporter salt. */
export function reporterSaltFromSecret(): Promise<string> {
  return secretString("REPORTER_SALT_SECRET_ARN");
}

/**
 * The accepted API keys: one per line of the secret, so a new key can be added before
 * the old one is removed (rotation without downtime).
 */
export async function apiKeysFromSecret(): Promise<readonly string[]> {
  return (await secretString("API_KEY_SECRET_ARN"))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
