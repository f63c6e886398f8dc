/**
 * The two {@link SecretReader}s: Secrets Manager for the deployed collect function (its
 * role may read exactly the secrets the config names), and environment variables for
 * `npm start`, where no AWS account is needed.
 */
import type { SecretReader } from "../domain/ports";
import { secretString } from "./secrets";

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
 * Secrets from Secrets Manager, by name. A secret that does not exist, or holds only
 * spaces, reads as null; any other failure (throttling, network) is thrown, so the
 * source's health shows it and the next tick tries again.
 * @example const password = await new SecretsManagerSecretReader().read("outcry/bluesky");
 */
export class SecretsManagerSecretReader implements SecretReader {
  async read(name: string): Promise<string | null> {
    try {
      const value = (await secretString(name, SOURCE_SECRET_MAX_AGE_MS)).trim();
      return value === "" ? null : value;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
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
