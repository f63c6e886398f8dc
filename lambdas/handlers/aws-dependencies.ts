/**
 * Dependencies of the deployed functions, from the environment the CDK stack gives them
 * (`TABLE_NAME`, `OUTCRY_CONFIG_FILE`, `TOPIC_ARN`, `REPORTER_SALT_SECRET_ARN`). Built on
 * first use and kept for the container's life.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SnsNotifier } from "../notify/sns-notifier";
import { configFromEnvironment } from "../runtime/config-file";
import { buildDependencies, type Dependencies } from "./dependencies";

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; deploy with the outcry CDK stack`);
  return value;
}

let salt: Promise<string> | undefined;

function loadSalt(): Promise<string> {
  salt ??= new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: required("REPORTER_SALT_SECRET_ARN") }))
    .then((secret) => {
      if (!secret.SecretString) throw new Error("the reporter salt secret has no string value");
      return secret.SecretString;
    });
  salt.catch(() => {
    salt = undefined;
  });
  return salt;
}

let dependencies: Dependencies | undefined;

/** The dependencies of the deployed functions. */
export function awsDependencies(): Dependencies {
  dependencies ??= buildDependencies({
    config: configFromEnvironment(),
    tableName: required("TABLE_NAME"),
    notifiers: () => [new SnsNotifier(new SNSClient({}), required("TOPIC_ARN"))],
    salt: loadSalt,
    now: Date.now,
  });
  return dependencies;
}
