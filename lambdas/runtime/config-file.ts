/**
 * Reads the configuration file that the CDK app, the Lambda bundles and the local
 * runtime share. Relative paths inside it (replay CSVs) are resolved against the
 * file's own folder, so a config works wherever it is copied with its data.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { type Config, ConfigError, parseConfig } from "../domain/config";

/**
 * Loads, validates and normalizes a configuration file.
 * @throws ConfigError when the file is missing, is not JSON, or does not validate
 * @example const config = loadConfigFile("outcry.config.json");
 */
export function loadConfigFile(path: string): Config {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(error);
    throw new ConfigError(
      `config file ${path} ${reason}; pass another with --config PATH (or -c config=PATH for cdk)`,
      [`${path}: ${reason}`],
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const detail = (error as Error).message;
    throw new ConfigError(`${path} is not valid JSON: ${detail}`, [`${path}: ${detail}`]);
  }
  return resolveRelativePaths(parseConfig(raw, path), dirname(absolute));
}

/** Makes every file path in the config absolute, relative to `baseDir`. */
export function resolveRelativePaths(config: Config, baseDir: string): Config {
  return {
    ...config,
    services: config.services.map((service) => ({
      ...service,
      sources: service.sources.map((source) =>
        source.kind === "replay" && !isAbsolute(source.file)
          ? { ...source, file: resolve(baseDir, source.file) }
          : source,
      ),
    })),
  };
}

/**
 * The configuration a Lambda function runs with: the file named by `OUTCRY_CONFIG_FILE`
 * (relative to the function's code folder, where the CDK app copies it), read once per
 * container.
 */
let cached: Config | undefined;
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached) return cached;
  const file = env.OUTCRY_CONFIG_FILE;
  if (!file)
    throw new ConfigError("OUTCRY_CONFIG_FILE is not set", ["OUTCRY_CONFIG_FILE: missing"]);
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  cached = loadConfigFile(isAbsolute(file) ? file : resolve(root, file));
  return cached;
}
