/**
 * What `cdk synth` builds: the stack for the configuration named in context, checked by
 * cdk-nag's AWS Solutions rules on every synth.
 */
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadConfigFile } from "../lambdas/wiring/config-file";
import { OutcryStack } from "./outcry-stack";

/** Config file used when no `-c config=PATH` is given. */
export const DEFAULT_CONFIG_FILE = "outcry.config.json";
/** Stack name used when no `-c stackName=NAME` is given. */
export const DEFAULT_STACK_NAME = "Outcry";

/**
 * Adds the outcry stack to `app`, reading context `config` (a path) and `stackName`.
 *
 * @throws ConfigError when the configuration is missing or invalid
 * @example
 * const stack = defineOutcryApp(new App());
 */
export function defineOutcryApp(app: App): OutcryStack {
  const configFile = String(app.node.tryGetContext("config") ?? DEFAULT_CONFIG_FILE);
  const stackName = String(app.node.tryGetContext("stackName") ?? DEFAULT_STACK_NAME);
  const stack = new OutcryStack(app, stackName, {
    config: loadConfigFile(configFile),
    description: "outcry: outage report aggregator (collect, detect, notify, query API)",
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // cdk-nag 3 runs as a synth validation plugin: any unacknowledged finding fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
