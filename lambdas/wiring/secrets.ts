/**
 * Secrets from Secrets Manager through Powertools Parameters, each fetched once per
 * container (the API keys once a minute); a failed fetch is tried again on the next use. The api function reads the reporter salt
 * (`REPORTER_SALT_SECRET_ARN`) and, when reads need a key, the API keys
 * (`API_KEY_SECRET_ARN`) and, behind the front door, its origin secret
 * (`FRONT_DOOR_SECRET_ARN`); the webhook function reads each webhook's URL.
 */
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import type { TrustedEdge } from "../api/trusted-edge";
import { OutcryError } from "../domain/outcry-error";
import { requiredEnv } from "./environment";

/** Powertools' provider caches each value for its `maxAge`; made on first use. */
let provider: SecretsProvider | undefined;
/** Secrets to read afresh on their next use, whatever the cache holds (a webhook not filled yet). */
const stale = new Set<string>();

/** API keys are read again after this long, so adding or removing one takes effect soon. */
export const API_KEYS_MAX_AGE_MS = 60_000;
/** "For the container's life": a year. */
const CONTAINER_LIFE_MS = 365 * 24 * 3_600_000;

/**
 * The string value of the secret `secretId` (a name or an ARN), read again once it is
 * older than `maxAgeMs` (by default kept for the container's life). A failed read is not
 * cached, so the next use tries again.
 * @throws Error when the secret has no string value
 */
export async function secretString(
  secretId: string,
  maxAgeMs = CONTAINER_LIFE_MS,
): Promise<string> {
  provider ??= new SecretsProvider();
  const forceFetch = stale.delete(secretId);
  const value = await provider.get(secretId, {
    maxAge: Math.max(1, Math.floor(maxAgeMs / 1000)),
    forceFetch,
  });
  if (typeof value !== "string") throw new Error(`the secret ${secretId} has no string value`);
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
      stale.add(secretId);
      throw new Error(
        `the secret of webhook ${webhook} does not hold its URL yet; put it there with: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string 'https://hooks.slack.com/services/...'`,
      );
    }
    return value;
  };
}

/** The front door's origin secret is read again after this long, as the API keys are. */
export const ORIGIN_SECRET_MAX_AGE_MS = 60_000;

/**
 * The values the front door's origin header may hold, from the secret's JSON: `current`
 * (what the distribution sends) and, during a rotation, `previous` (what edge locations
 * not yet updated still send).
 * @throws OutcryError naming the fix when the secret holds no `current` value
 * @example originSecretValues('{"current":"k9...","previous":"x2..."}') // ["k9...", "x2..."]
 */
export function originSecretValues(text: string): readonly string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const { current, previous } = (parsed ?? {}) as { current?: unknown; previous?: unknown };
  if (typeof current !== "string" || current.trim() === "") {
    throw new OutcryError(
      'the front door\'s origin secret must be JSON with a "current" value (and "previous" while rotating), e.g. {"current":"<40 random letters>"}; put it with aws secretsmanager put-secret-value',
    );
  }
  return typeof previous === "string" && previous.trim() !== ""
    ? [current.trim(), previous.trim()]
    : [current.trim()];
}

/**
 * The CloudFront front door the stack put in front of the API (`FRONT_DOOR_ORIGIN` and
 * `FRONT_DOOR_SECRET_ARN`), or undefined when it put none.
 * @throws Error naming the variable when the origin is set without the secret
 */
export function frontDoorFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): TrustedEdge | undefined {
  const origin = env.FRONT_DOOR_ORIGIN;
  if (!origin) return undefined;
  const secretId = env.FRONT_DOOR_SECRET_ARN;
  if (!secretId) {
    throw new Error(
      "environment variable FRONT_DOOR_SECRET_ARN is not set beside FRONT_DOOR_ORIGIN; deploy with the outcry CDK stack",
    );
  }
  return {
    origin,
    secrets: async () => originSecretValues(await secretString(secretId, ORIGIN_SECRET_MAX_AGE_MS)),
  };
}
