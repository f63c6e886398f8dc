/**
 * CDK app entry (`cdk synth`, `cdk deploy`). Options: `-c config=PATH` (default
 * outcry.config.json), `-c stackName=NAME` (default Outcry).
 */
import { App } from "aws-cdk-lib";
import { ConfigError } from "../lambdas/domain/config";
import { defineOutcryApp } from "../lib/outcry-app";

const app = new App();
try {
  defineOutcryApp(app);
} catch (error) {
  // A configuration mistake is the user's to fix: show what is wrong, not where it was thrown.
  if (!(error instanceof ConfigError)) throw error;
  console.error(`outcry: ${error.message}`);
  process.exit(1);
}
