/**
 * The two {@link SecretReader}s: Secrets Manager for the deployed collect function (its
 * role may read exactly the secrets the config names), and environment variables for
 * `npm start`, where no AWS account is needed.
 */

import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from "@aws-sdk/client-secrets-manager";
import type { SecretReader } from "../domain/ports";

/**
 * A source's secret is read again after this long, so a rotated app password is picked up
 * within minutes without a redeploy; in between it costs no call.
 */
const SOURCE_SECRET_MAX_AGE_MS = 10 * 60_000;

/** True when a read failed because the secret does not exist (or was deleted). */
function notFound(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 4; depth++) {
    if ((cause as { name?: unknown }).name === "ResourceNotFoundException") return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Secrets from Secrets Manager, by name, each kept for ten minutes. A secret that does
 * not exist, or holds only spaces, reads as null (and is asked for again next time: the
 * operator may create it any minute); any other failure (throttling, network) is thrown,
 * so the source's health shows it and the next tick tries again.
 *
 * It calls the SDK client itself rather than through Powertools' provider (as
 * `secrets.ts` does for the api and webhook functions): collect's bundle is the tightest,
 * and the provider's cache and transforms cost 5 KB more there than this map.
 * @example const password = await new SecretsManagerSecretReader().read("outcry/bluesky");
 */
export class SecretsManagerSecretReader implements SecretReader {
  private client: SecretsManagerClient | undefined;
  private readonly cache = new Map<string, { value: string; until: number }>();

  /**
   * @param clientConfig - the client's settings (tests point it at a local endpoint)
   * @param now - the clock the cache ages by
   */
  constructor(
    private readonly clientConfig: SecretsManagerClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async read(name: string): Promise<string | null> {
    const cached = this.cache.get(name);
    if (cached && cached.until > this.now()) return cached.value;
    this.client ??= new SecretsManagerClient(this.clientConfig);
    let value: string | null;
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      value = answer.SecretString?.trim() || null;
    } catch (error) {
      if (!notFound(error)) throw error;
      value = null;
    }
    if (value !== null)
      this.cache.set(name, { value, until: this.now() + SOURCE_SECRET_MAX_AGE_MS });
    return value;
  }

  howToSet(name: string): string {
    return `create the secret in Secrets Manager in the stack's region: aws secretsmanager create-secret --name ${name} --secret-string '<app password>'`;
  }
}

/**
 * The environment variable that holds the secret `name` for a local run:
 * `OUTCRY_SECRET_` and the name upper-cased, every run of other characters than letters
 * and digits an underscore.
 * @example secretVariable("outcry/bluesky") // "OUTCRY_SECRET_OUTCRY_BLUESKY"
 */
export function secretVariable(name: string): string {
  return `OUTCRY_SECRET_${name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")}`;
}

/**
 * Secrets from environment variables ({@link secretVariable}), for `npm start`: a laptop
 * has no Secrets Manager, and a password in the config file would end up in the bundle.
 * @example new EnvironmentSecretReader(process.env).read("outcry/bluesky")
 */
export class EnvironmentSecretReader implements SecretReader {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async read(name: string): Promise<string | null> {
    const value = this.env[secretVariable(name)]?.trim() ?? "";
    return value === "" ? null : value;
  }

  howToSet(name: string): string {
    return `set the environment variable ${secretVariable(name)} to it before npm start`;
  }
}
