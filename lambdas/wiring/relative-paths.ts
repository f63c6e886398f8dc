/**
 * File paths inside a configuration (replay CSVs) are relative to the config file.
 */
import { isAbsolute, resolve } from "node:path";
import type { Config } from "../domain/config";

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
