/**
 * The outcry stack synthesized for a configuration (without bundling, about a second),
 * and behind the IAM gate: dynalite holding the template's table, the wire fakes for SNS,
 * SQS and Secrets Manager, and for each function the SDK settings that sign its calls as
 * that function. Tests build the real use cases on top, each with its function's clients.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { CfnElement } from "aws-cdk-lib";
import type { Config } from "../../../lambdas/domain/config";
import { createDocumentClient, type TableRef } from "../../../lambdas/store/client";
import { loadConfigFile } from "../../../lambdas/wiring/config-file";
import type { OutcryStack } from "../../../lib/outcry-stack";
import { type EmbeddedStore, startEmbeddedStore } from "../../../local/embedded-store";
import { synthesize, writeConfig } from "../../infra/synth";
import { type FakeAws, startFakeAws } from "../fake-aws";
import { describeDecision, type IamGate, startIamGate } from "./gate";
import { type FunctionIdentity, stackModel } from "./stack-model";
import type { TemplateJson } from "./stand-ins";
import { type ToleratedGrant, unusedGrants } from "./unused-grants";

/** The functions of the outcry stack, by the access key id each signs with. */
export type FunctionName = "collect" | "detect" | "api" | "webhook";

/** The logical ids of the stack's functions (the webhook function only when configured). */
export function functionLogicalIds(stack: OutcryStack): Partial<Record<FunctionName, string>> {
  const id = (fn: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(fn.node.defaultChild as CfnElement);
  return {
    collect: id(stack.collect.function),
    detect: id(stack.detect.function),
    api: id(stack.api.function),
    ...(stack.webhooks ? { webhook: id(stack.webhooks.function.function) } : {}),
  };
}

/**
 * The statements of the policies attached to a function's role in `template`, as they
 * stand in it (editing them edits the template), for narrowing a grant in a test.
 */
export function roleStatements(
  template: TemplateJson,
  functionLogicalId: string,
): Record<string, unknown>[] {
  type Properties = {
    Role?: { "Fn::GetAtt": [string] };
    Roles?: { Ref: string }[];
    PolicyDocument?: { Statement: Record<string, unknown>[] };
  };
  const props = (logicalId: string) =>
    (template.Resources[logicalId]?.Properties ?? {}) as Properties;
  const role = props(functionLogicalId).Role?.["Fn::GetAtt"][0];
  if (!role) throw new Error(`${functionLogicalId} has no role in the template`);
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === "AWS::IAM::Policy")
    .map(([logicalId]) => props(logicalId))
    .filter((p) => (p.Roles ?? []).some((ref) => ref.Ref === role))
    .flatMap((p) => p.PolicyDocument?.Statement ?? []);
}

/** SDK client settings that sign as one function and go through the gate. */
export interface ClientSettings {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A synthesized stack behind a running gate. */
export interface GatedStack {
  stack: OutcryStack;
  template: TemplateJson;
  /** The configuration as the functions load it. */
  config: Config;
  gate: IamGate;
  aws: FakeAws;
  store: EmbeddedStore;
  /** The table's name, as the template gives it to every function (`TABLE_NAME`). */
  tableName: string;
  identity(name: FunctionName): FunctionIdentity;
  /** Settings for any AWS client of `name`. */
  clientSettings(name: FunctionName): ClientSettings;
  /** A document client of `name`, made as `createDocumentClient` makes it, through the gate. */
  documents(name: FunctionName): DynamoDBDocumentClient;
  /** The table without any function's rights, for a test's own set-up and checks. */
  unchecked: TableRef;
  /** Decides the calls Lambda makes with `name`'s role: its log writes, its failure destination. */
  lambdaServiceCalls(name: FunctionName): void;
  /** Parts of `name`'s policy no allowed call used. */
  unusedGrants(name: FunctionName, tolerated?: readonly ToleratedGrant[]): string[];
  /** Every decision of `name`, one line each, for reading what a function called. */
  calls(name: FunctionName): string[];
  close(): Promise<void>;
}

/** Options of {@link startGatedStack}. */
export interface GatedStackOptions {
  /** Files written beside the config (e.g. replay CSVs), by relative path. */
  files?: Record<string, string>;
  /** Changes the synthesized template before the gate reads it (to narrow a grant). */
  editTemplate?: (template: TemplateJson, functions: Partial<Record<FunctionName, string>>) => void;
  /** What Secrets Manager returns for a secret not set otherwise. */
  secret?: string;
}

/** dynalite with the template's table and the wire fakes, all behind one IAM gate. */
export interface GatedBackends {
  store: EmbeddedStore;
  aws: FakeAws;
  gate: IamGate;
}

/**
 * Starts the template's table on dynalite and SNS, SQS and Secrets Manager at the wire,
 * behind a gate that enforces the policies of `functions` (logical ids by name) from
 * `template`.
 * @example const { gate } = await startGatedBackends(template, functionLogicalIds(stack));
 */
export async function startGatedBackends(
  template: TemplateJson,
  functions: Record<string, string>,
  secret?: string,
): Promise<GatedBackends> {
  const [table] = stackModel(template, functions).tables;
  if (!table) throw new Error("the template has no table");
  const store = await startEmbeddedStore({ tableName: table.name });
  const aws = await startFakeAws(secret);
  const gate = await startIamGate({
    // Queue URLs point at the gate: the SQS client sends a call to its queue URL's host.
    model: (endpoint) => stackModel(template, functions, { queueOrigin: endpoint }),
    backends: {
      dynamodb: store.endpoint,
      sns: aws.endpoint,
      sqs: aws.endpoint,
      secretsmanager: aws.endpoint,
    },
  });
  return { store, aws, gate };
}

/**
 * Synthesizes the stack for `rawConfig` and starts everything behind the gate.
 *
 * @example
 * const gated = await startGatedStack({ services: [...] });
 * const deps = buildDependencies({ ..., client: gated.documents("collect") });
 * expect(gated.gate.refusals()).toEqual([]);
 */
export async function startGatedStack(
  rawConfig: unknown,
  options: GatedStackOptions = {},
): Promise<GatedStack> {
  const dir = mkdtempSync(join(tmpdir(), "outcry-iam-"));
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const configFile = writeConfig(rawConfig, dir);
  const { stack, template: synthesized } = synthesize(undefined, { config: configFile });
  const template = synthesized.toJSON() as TemplateJson;
  const functions = functionLogicalIds(stack) as Record<string, string>;
  options.editTemplate?.(template, functions);

  const { store, aws, gate } = await startGatedBackends(template, functions, options.secret);

  const identity = (name: FunctionName) => {
    const found = gate.model.identities.find((i) => i.accessKeyId === name);
    if (!found) throw new Error(`the stack has no ${name} function for this configuration`);
    return found;
  };
  const clientSettings = (name: FunctionName): ClientSettings => ({
    endpoint: gate.endpoint,
    region: gate.model.account.region,
    credentials: { accessKeyId: identity(name).accessKeyId, secretAccessKey: "test" },
  });
  const clients: { destroy(): void }[] = [];
  const unchecked = {
    client: createDocumentClient({ endpoint: store.endpoint }),
    tableName: store.tableName,
  };
  clients.push(unchecked.client);

  return {
    stack,
    template,
    config: loadConfigFile(configFile),
    gate,
    aws,
    store,
    tableName: store.tableName,
    identity,
    clientSettings,
    documents(name) {
      const client = DynamoDBDocumentClient.from(
        new DynamoDBClient({ ...clientSettings(name), maxAttempts: 4 }),
        {
          marshallOptions: { removeUndefinedValues: true },
        },
      );
      clients.push(client);
      return client;
    },
    unchecked,
    lambdaServiceCalls(name) {
      const { logGroupArn, onFailureDestination, eventSourceQueues } = identity(name);
      // Lambda's SQS polling reads, deletes and describes the queue with the function's
      // role (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
      for (const queue of eventSourceQueues) {
        for (const action of [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
        ]) {
          gate.authorize(name, "lambda", { action, resource: queue, context: {} });
        }
      }
      if (logGroupArn) {
        const stream = `${logGroupArn.replace(/:\*$/, "")}:log-stream:2024/01/01/[$LATEST]0123456789abcdef`;
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
          gate.authorize(name, "lambda", { action, resource: stream, context: {} });
        }
      }
      if (onFailureDestination) {
        gate.authorize(name, "lambda", {
          action: "sqs:SendMessage",
          resource: onFailureDestination,
          context: {},
        });
      }
    },
    unusedGrants(name, tolerated = []) {
      return unusedGrants(identity(name), gate.decisions, tolerated);
    },
    calls: (name) => gate.decisions.filter((d) => d.caller === name).map(describeDecision),
    async close() {
      // OUTCRY_PRINT_IAM_CALLS=1 npx vitest run test/iam: what each function called, once each.
      if (process.env.OUTCRY_PRINT_IAM_CALLS) {
        const lines = new Set(gate.decisions.map(describeDecision));
        process.stdout.write(`${[...lines].sort().join("\n")}\n`);
      }
      for (const client of clients) client.destroy();
      await gate.close();
      await aws.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
