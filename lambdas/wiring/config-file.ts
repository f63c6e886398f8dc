/**
 * Reads the configuration file that the CDK app, the Lambda bundles and the local
 * runtime share. Relative paths inside it (replay CSVs) are resolved against the
 * file's own folder, so a config works wherever it is copied with its data.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Config, ConfigError, parseConfig } from "../domain/config";
import { resolveRelativePaths } from "./relative-paths";

export { resolveRelativePaths } from "./relative-paths";

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
  const config = resolveRelativePaths(parseConfig(raw, path), dirname(absolute));
  // Checked here as synth checks it, so a missing CSV fails `npm start` at once too.
  const missing = config.services.flatMap((service, i) =>
    service.sources.flatMap((source, j) =>
      source.kind === "replay" && !existsSync(source.file)
        ? [`services[${i}].sources[${j}].file: ${source.file} does not exist`]
        : [],
    ),
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `${path} is not valid:\n${missing.map((p) => `  - ${p}`).join("\n")}`,
      missing,
    );
  }
  return config;
}
