/**
 * Dependencies of the deployed functions, from the environment the CDK stack gives them
 * (`TABLE_NAME`, `OUTCRY_CONFIG_FILE`, and per function `TOPIC_ARN` or
 * `REPORTER_SALT_SECRET_ARN`). Built on first use and kept for the container's life.
 * Each handler passes in only the extra clients it uses, so a bundle carries no AWS
 * client it never calls.
 */
import type { EmbedFiles } from "../../contract/bundled-files";
import type { DeadLetterQueue, Notifier } from "../domain/ports";
import { configFromEnvironment } from "./bundled-config";
import { buildDependencies, type Dependencies, type RuntimeSettings } from "./dependencies";
import { requiredEnv } from "./environment";

/** What differs per function. */
export interface AwsExtras {
  notifiers?: () => Notifier[];
  deadLetters?: () => DeadLetterQueue;
  salt?: () => Promise<string>;
  dashboard?: () => Promise<string>;
  embed?: () => Promise<EmbedFiles>;
  atlas?: RuntimeSettings["atlas"];
  openApi?: () => Promise<string>;
  apiKeys?: () => Promise<readonly string[]>;
  sources?: RuntimeSettings["sources"];
  subscriptionGateway?: RuntimeSettings["subscriptionGateway"];
  edge?: RuntimeSettings["edge"];
}

let dependencies: Dependencies | undefined;

/** The dependencies of a deployed function. */
export function awsDependencies(extras: AwsExtras = {}): Dependencies {
  dependencies ??= buildDependencies({
    config: configFromEnvironment(),
    tableName: requiredEnv("TABLE_NAME"),
    notifiers: extras.notifiers ?? (() => []),
    ...(extras.deadLetters ? { deadLetters: extras.deadLetters } : {}),
    ...(extras.sources ? { sources: extras.sources } : {}),
    ...(extras.dashboard ? { dashboard: extras.dashboard } : {}),
    ...(extras.embed ? { embed: extras.embed } : {}),
    ...(extras.atlas ? { atlas: extras.atlas } : {}),
    ...(extras.openApi ? { openApi: extras.openApi } : {}),
    ...(extras.apiKeys ? { apiKeys: extras.apiKeys } : {}),
    ...(extras.subscriptionGateway ? { subscriptionGateway: extras.subscriptionGateway } : {}),
    ...(extras.edge ? { edge: extras.edge } : {}),
    salt:
      extras.salt ??
      (() =>
        Promise.reject(new Error("this function has no reporter salt; only api takes reports"))),
    now: Date.now,
  });
  return dependencies;
}
