/**
 * The configuration as the Lambda bundles carry it. `cdk synth` validates the user's file
 * once, writes the normalized result next to the cloud assembly, and each function bundle
 * gets the part it needs with its replay CSVs, so a function runs with exactly what synth
 * checked. No bundle carries a person's address or number, nor a webhook URL: anyone who
 * may read a function's code (`lambda:GetFunction`) reads its config.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type Config, ConfigError } from "../lambdas/domain/config";

/** File name of the config inside a bundle; the functions get it as `OUTCRY_CONFIG_FILE`. */
export const BUNDLED_CONFIG_FILE = "outcry.config.json";
/** Folder of the replay CSVs inside a bundle, relative to the config file. */
export const BUNDLED_REPLAY_DIR = "replay";

/** The functions, each bundled with its own part of the configuration. */
export type BundledFunction = "collect" | "detect" | "api" | "webhook";

/** A configuration ready to be copied into function bundles. */
export interface BundledConfig {
  /** The normalized configuration, with replay files renamed to their bundled paths. */
  readonly config: Config;
  /** Absolute path of the JSON file holding `config`. */
  readonly configFile: string;
  /** Absolute paths of the replay CSVs to copy into `replay/`, each with a unique base name. */
  readonly replayFiles: readonly string[];
}

/**
 * Rewrites every replay source `file` (absolute, as `loadConfigFile` returns it) to
 * `replay/<basename>` and lists the CSVs to ship; leaves webhook URLs (secrets) out.
 *
 * @throws ConfigError when a CSV is missing or two different CSVs share a base name
 *   (they would overwrite each other in the bundle)
 * @example
 * const { config, replayFiles } = normalizeForBundle(loadConfigFile("outcry.config.json"));
 */
export function normalizeForBundle(config: Config): Omit<BundledConfig, "configFile"> {
  const byName = new Map<string, string>();
  const problems: string[] = [];
  const services = config.services.map((service, i) => ({
    ...service,
    sources: service.sources.map((source, j) => {
      if (source.kind !== "replay") return source;
      const field = `services[${i}].sources[${j}].file`;
      const name = basename(source.file);
      const taken = byName.get(name);
      if (!existsSync(source.file)) {
        problems.push(`${field}: ${source.file} does not exist`);
      } else if (taken !== undefined && taken !== source.file) {
        problems.push(`${field}: ${source.file} has the same file name as ${taken}; rename one`);
      }
      byName.set(name, taken ?? source.file);
      return { ...source, file: `${BUNDLED_REPLAY_DIR}/${name}` };
    }),
  }));
  if (problems.length > 0) {
    throw new ConfigError(
      `configuration cannot be bundled:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      problems,
    );
  }
  // `$schema` points at a file next to the user's config, which the bundle does not carry.
  const { $schema: _schema, ...rest } = config;
  // A webhook URL is a secret: in AWS it is read from Secrets Manager, never bundled.
  const webhooks = config.webhooks.map(({ url: _url, ...webhook }) => webhook);
  // detect decides audiences by id; SNS alone holds the addresses (in the subscriptions).
  const subscribers = config.subscribers.map(({ email: _email, sms: _sms, ...rest }) => rest);
  return {
    config: { ...rest, services, subscribers, webhooks, operators: [] },
    replayFiles: [...byName.values()],
  };
}

/**
 * The part of a normalized configuration `fn` runs with: only detect decides who is
 * told, so only its copy lists subscribers and webhooks (by id and filters); the rest
 * get empty lists. Replay CSVs only go where sources are read (collect).
 *
 * @example configFor("api", normalizeForBundle(config).config).subscribers // []
 */
export function configFor(fn: BundledFunction, config: Config): Config {
  if (fn === "detect") return config;
  return { ...config, subscribers: [], webhooks: [] };
}

/**
 * Normalizes `config` and writes each function's part to `<dir>/<function>/outcry.config.json`.
 * @example const bundled = writeBundledConfigs(config, join(app.outdir, "outcry-config"));
 * bundled.detect.configFile; // …/outcry-config/detect/outcry.config.json
 */
export function writeBundledConfigs(
  config: Config,
  dir: string,
): Record<BundledFunction, BundledConfig> {
  const normalized = normalizeForBundle(config);
  const write = (fn: BundledFunction): BundledConfig => {
    const folder = join(dir, fn);
    mkdirSync(folder, { recursive: true });
    const configFile = join(folder, BUNDLED_CONFIG_FILE);
    const part = configFor(fn, normalized.config);
    writeFileSync(configFile, `${JSON.stringify(part, null, 2)}\n`);
    return {
      config: part,
      configFile,
      replayFiles: fn === "collect" ? normalized.replayFiles : [],
    };
  };
  return {
    collect: write("collect"),
    detect: write("detect"),
    api: write("api"),
    webhook: write("webhook"),
  };
}
