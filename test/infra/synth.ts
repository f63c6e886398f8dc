/**
 * Builds the outcry stack the way `cdk synth` does (same app wiring, same cdk.json
 * feature flags, cdk-nag on), but without bundling the functions or running the
 * built-in CloudFormation validation, so a test synthesizes in about a second.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { defineOutcryApp } from "../../lib/outcry-app";
import type { OutcryStack } from "../../lib/outcry-stack";

const ROOT = join(import.meta.dirname, "..", "..");

/** The feature flags and defaults from cdk.json, so tests see what the CLI would build. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, "cdk.json"), "utf8"));
  return cdkJson.context as Record<string, unknown>;
}

/** A synthesized stack and its template. */
export interface Synthesized {
  readonly stack: OutcryStack;
  readonly template: Template;
}

/**
 * Synthesizes the stack for a raw configuration object (written to a temporary file and
 * loaded like a user's), or for the repository's `outcry.config.json` when none is given.
 *
 * @example const { template } = synthesize({ services: [...] });
 */
export function synthesize(config?: unknown, context: Record<string, unknown> = {}): Synthesized {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      config: config === undefined ? join(ROOT, "outcry.config.json") : writeConfig(config),
      // Skips esbuild for every stack; NodejsFunction then uses a placeholder asset.
      "aws:cdk:bundling-stacks": [],
      ...context,
    },
    builtinCloudFormationValidation: false,
    stackTraces: false,
    analyticsReporting: false,
  });
  const stack = defineOutcryApp(app);
  return { stack, template: Template.fromStack(stack) };
}

/** Writes `config` as JSON to a fresh temporary folder and returns the file path. */
export function writeConfig(config: unknown, dir = mkdtempSync(join(tmpdir(), "outcry-"))): string {
  const file = join(dir, "outcry.config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}
