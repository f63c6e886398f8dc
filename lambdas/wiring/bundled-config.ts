/**
 * The configuration a Lambda function runs with: the JSON file that `cdk synth` validated
 * with the config schema, normalized and copied into the bundle (`OUTCRY_CONFIG_FILE`,
 * relative to the function's code folder). It is read once per container and not
 * validated again, which keeps the schema library out of the collect and detect bundles.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Config } from "../domain/config";
import { resolveRelativePaths } from "./relative-paths";

let cached: Config | undefined;

/**
 * The bundled configuration.
 * @throws Error when the variable is missing or the file is not one synth wrote
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached) return cached;
  const file = env.OUTCRY_CONFIG_FILE;
  if (!file) throw new Error("OUTCRY_CONFIG_FILE is not set; deploy with the outcry CDK stack");
  const path = isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  const raw = JSON.parse(readFileSync(path, "utf8")) as Partial<Config>;
  // A cheap guard against a file synth did not write; the full check ran at synth.
  if (!Array.isArray(raw.services) || typeof raw.bucketMinutes !== "number" || !raw.detector) {
    throw new Error(`${path} is not a configuration written by 'cdk synth'; redeploy`);
  }
  cached = resolveRelativePaths(raw as Config, dirname(path));
  return cached;
}
