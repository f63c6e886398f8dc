/**
 * The salt that hashes reporters' addresses, from Secrets Manager
 * (`REPORTER_SALT_SECRET_ARN`), fetched once per container; a failed fetch is retried on
 * the next request.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { requiredEnv } from "./aws-dependencies";

let salt: Promise<string> | undefined;

/** The reporter salt. */
export function reporterSaltFromSecret(): Promise<string> {
  salt ??= new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: requiredEnv("REPORTER_SALT_SECRET_ARN") }))
    .then((secret) => {
      if (!secret.SecretString) throw new Error("the reporter salt secret has no string value");
      return secret.SecretString;
    });
  salt.catch(() => {
    salt = undefined;
  });
  return salt;
}
