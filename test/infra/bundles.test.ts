/**
 * The function bundles as Lambda receives them: built by esbuild through the real
 * `cdk synth` path, loaded in a separate Node.js process with no node_modules in reach
 * (each bundle carries its own AWS SDK clients), and invoked, every AWS call going
 * through the IAM gate with that function's policies from the same synthesized template.
 */

import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, type CfnElement } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleBudgetBytes } from "../../bench/bundles";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import { bucketStart, MINUTE_MS } from "../../lambdas/domain/buckets";
import { type Config, defaultSubscriberId } from "../../lambdas/domain/config";
import { parseJobBody } from "../../lambdas/domain/shards";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { ALLOW_PRIVATE_NETWORKS } from "../../lambdas/wiring/environment";
import { defineOutcryApp } from "../../lib/outcry-app";
import type { OutcryStack } from "../../lib/outcry-stack";
import { sqsEvent } from "../../local/shard-queue";
import { startFixtureServer } from "../support/fixture-server";
import { functionLogicalIds, startGatedBackends } from "../support/iam/gated-stack";
import type { TemplateJson } from "../support/iam/stand-ins";
import { httpEvent, scheduledEvent } from "../support/lambda-events";
import { writeConfig } from "./synth";

const execFileAsync = promisify(execFile);

const ROOT = join(import.meta.dirname, "..", "..");
const FUNCTIONS = ["collect", "detect", "api", "webhook"] as const;
type FunctionName = (typeof FUNCTIONS)[number];
/** The webhook URL the bundles test gives its webhook locally: it must not be bundled. */
const LOCAL_WEBHOOK_URL = "https://hooks.slack.com/services/T0/B0/local-only";

/** The Lambda function of `name` in the stack. */
function functionOf(name: FunctionName) {
  if (name !== "webhook") return stack[name].function;
  if (!stack.webhooks) throw new Error("the stack has no webhook function");
  return stack.webhooks.function.function;
}

let outdir: string;
let stack: OutcryStack;
let template: TemplateJson;
const bundleDirs: Record<string, string> = {};

beforeAll(() => {
  const configDir = mkdtempSync(join(tmpdir(), "outcry-config-"));
  mkdirSync(join(configDir, "data"));
  writeFileSync(
    join(configDir, "data", "story.csv"),
    "timestamp,service,count\n2023-02-13T00:00:00Z,t-mobile,12\n",
  );
  const config = writeConfig(
    {
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [{ kind: "replay", file: "data/story.csv", align: "loop" }],
        },
      ],
      subscribers: [{ email: "noc@example.org" }],
      webhooks: [{ id: "noc-slack", url: LOCAL_WEBHOOK_URL }],
    },
    configDir,
  );
  outdir = mkdtempSync(join(tmpdir(), "outcry-bundles-"));
  const app = new App({
    outdir,
    context: { ...JSON.parse(readFileSync(join(ROOT, "cdk.json"), "utf8")).context, config },
    builtinCloudFormationValidation: false,
  });
  stack = defineOutcryApp(app);
  const assembly = app.synth();
  template = assembly.getStackByName(stack.stackName).template;
  for (const name of FUNCTIONS) {
    const fn = functionOf(name);
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const code = template.Resources[logicalId]?.Properties?.Code as { S3Key: string };
    const key = code.S3Key;
    bundleDirs[name] = join(outdir, `asset.${key.replace(/\.zip$/, "")}`);
  }
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs `script` as an ES module in a fresh Node.js process inside `dir`; returns stdout. */
function runInBundle(dir: string, script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, AWS_REGION: "us-east-1", ...env },
    encoding: "utf8",
  });
}

describe("function bundles", () => {
  it.each(FUNCTIONS)("%s is one ESM file within its size budget exporting a handler", (name) => {
    const dir = bundleDirs[name] as string;
    const bundle = join(dir, "index.mjs");
    expect(statSync(bundle).size).toBeLessThanOrEqual(bundleBudgetBytes(name));
    const out = runInBundle(
      dir,
      `const m = await import("./index.mjs"); console.log(typeof m.handler);`,
    );
    expect(out.trim()).toBe("function");
  });

  it.each(FUNCTIONS)("%s carries its part of the config, and no address or URL", (name) => {
    const dir = bundleDirs[name] as string;
    const text = readFileSync(join(dir, "outcry.config.json"), "utf8");
    const config = JSON.parse(text) as Config;
    const [source] = config.services[0]?.sources ?? [];
    expect(source).toMatchObject({ kind: "replay", file: "replay/story.csv", align: "loop" });
    // Only collect reads sources, so only its bundle has the CSV.
    expect(existsSync(join(dir, "replay", "story.csv"))).toBe(name === "collect");
    // Anyone who may read the code reads this file: no address, number or webhook URL.
    expect(text).not.toContain("noc@example.org");
    expect(text).not.toContain("local-only");
    // Only detect decides audiences, by id.
    expect(config.subscribers.map((s) => s.id)).toEqual(
      name === "detect" ? [defaultSubscriberId("noc@example.org")] : [],
    );
    expect(config.webhooks.map((w) => w.id)).toEqual(name === "detect" ? ["noc-slack"] : []);
  });

  it("run the pipeline through the IAM gate with the environment the template gives them", async () => {
    // Prepare: the template's table on dynalite and SNS, SQS and Secrets Manager at the
    // wire, all behind the gate; each function signs as itself, with its environment
    // from the template, references resolved to the stand-ins the gate knows.
    const functions = functionLogicalIds(stack) as Record<string, string>;
    const { store, aws, gate } = await startGatedBackends(template, functions, "bundle-salt");
    const table = {
      client: createDocumentClient({ endpoint: store.endpoint }),
      tableName: store.tableName,
    };
    const identity = (name: FunctionName) =>
      gate.model.identities.find(
        (i) => i.accessKeyId === name,
      ) as (typeof gate.model.identities)[number];
    // The webhook's own endpoint, its URL in the secret the template names for it.
    const hook = await startFixtureServer();
    hook.route("/services/T0/B0/deployed", { body: "ok" });
    const webhookSecrets = JSON.parse(identity("webhook").environment.WEBHOOK_SECRETS as string);
    aws.setSecret(`${hook.url}/services/T0/B0/deployed`, webhookSecrets["noc-slack"]);
    const TOPIC_ARN = identity("detect").environment.TOPIC_ARN;
    try {
      const endpoints = {
        AWS_ENDPOINT_URL_DYNAMODB: gate.endpoint,
        AWS_ENDPOINT_URL_SNS: gate.endpoint,
        AWS_ENDPOINT_URL_SQS: gate.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: gate.endpoint,
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      };
      /** The SQS events of the shard jobs sent to `queueUrl` so far, taken off the fake. */
      const shardEvents = (queueUrl: string | undefined) => {
        const taken = aws.sqsMessages.filter((m) => m.queueUrl === queueUrl);
        aws.sqsMessages.splice(
          0,
          aws.sqsMessages.length,
          ...aws.sqsMessages.filter((m) => !taken.includes(m)),
        );
        return taken.map((m) => sqsEvent(parseJobBody(m.body), "shards", Date.now()));
      };
      // Each invocation must have been allowed every call it made, as its role allows them.
      const invoke = async (name: FunctionName, events: unknown[]) => {
        const results = await runInBundleAsync(
          bundleDirs[name] as string,
          `const { handler } = await import("./index.mjs");
           const results = [];
           for (const event of ${JSON.stringify(events)}) results.push(await handler(event, ${CONTEXT}));
           console.log(JSON.stringify(results));`,
          {
            ...identity(name).environment,
            ...endpoints,
            // The webhook's endpoint is a fixture server on loopback: the opening is the
            // test's, the template gives no function the variable.
            ...(name === "webhook" ? { [ALLOW_PRIVATE_NETWORKS]: "1" } : {}),
            AWS_ACCESS_KEY_ID: identity(name).accessKeyId,
          },
        );
        expect(gate.refusals(), `calls of the ${name} bundle refused`).toEqual([]);
        return results;
      };

      // Act 1: a crowd report through the api bundle, twice, each with a challenge of the
      // bundle's own at the default cost, then the service list, the page, the API
      // description and the report button's page and loader that synth put beside the bundle.
      const challenges = await invoke("api", [
        httpEvent("GET", "/reports/challenge"),
        httpEvent("GET", "/reports/challenge"),
      ]);
      const [first, second] = await Promise.all(
        challenges.map((answer) => solveReportChallenge(JSON.parse(answer?.body ?? "{}"))),
      );
      const report = (altcha: string | undefined) =>
        httpEvent("POST", "/reports", {
          body: { service: "t-mobile", problem: "no-signal", altcha },
        });
      const [accepted, duplicate, services, page, openApi, button, loader] = await invoke("api", [
        report(first),
        report(second),
        httpEvent("GET", "/services"),
        httpEvent("GET", "/"),
        httpEvent("GET", "/openapi.json"),
        httpEvent("GET", "/embed/report", { query: "service=t-mobile" }),
        httpEvent("GET", "/embed.js"),
      ]);
      // Assess 1
      expect(accepted?.statusCode).toBe(202);
      expect(duplicate?.statusCode).toBe(200);
      expect(JSON.parse(services?.body ?? "{}").services.map((s: { id: string }) => s.id)).toEqual([
        "t-mobile",
      ]);
      expect(page?.statusCode).toBe(200);
      expect(page?.body).toContain("<!doctype html>");
      expect(JSON.parse(openApi?.body ?? "{}").openapi).toBe("3.1.0");
      expect(button?.statusCode).toBe(200);
      expect(button?.body).toContain("<title>Report a problem with T-Mobile</title>");
      expect(loader?.statusCode).toBe(200);
      expect(loader?.body).toContain("embed/report?service=");

      // Act 2: collect after the report's bucket has closed.
      const reportBucket = bucketStart(Date.now(), 5);
      await invoke("collect", [scheduledEvent(reportBucket + 6 * MINUTE_MS)]);
      // The tick handed its one shard to the collect queue; Lambda's polling hands it back.
      const collectJobs = shardEvents(identity("collect").environment.SHARD_QUEUE_URL);
      expect(collectJobs).toHaveLength(1);
      const [collected] = await invoke("collect", collectJobs);
      expect(collected).toMatchObject({ batchItemFailures: [] });
      // Assess 2: the report is counted in its bucket.
      const series = new DynamoSeriesStore(table, 30);
      const [point] = await series.range("t-mobile", reportBucket, reportBucket);
      expect(point?.counts.reports).toBe(1);

      // Act 3: two quiet hours, then a surge, and one detect tick after it.
      const start = Date.parse("2024-01-01T00:00:00Z");
      for (let i = 0; i < 30; i++) {
        await series.putCount("t-mobile", "reports", start + i * 5 * MINUTE_MS, i < 27 ? 10 : 900);
      }
      await invoke("detect", [scheduledEvent(start + 32 * 5 * MINUTE_MS)]);
      const detectJobs = shardEvents(identity("detect").environment.SHARD_QUEUE_URL);
      expect(detectJobs).toHaveLength(1);
      const [detected] = await invoke("detect", detectJobs);
      expect(detected).toMatchObject({ batchItemFailures: [] });

      // Assess 3: exactly one opened notification, as SNS would receive it.
      expect(aws.publishes).toHaveLength(1);
      const [publish] = aws.publishes;
      expect(publish?.topicArn).toBe(TOPIC_ARN);
      expect(publish?.messageStructure).toBe("json");
      expect(publish?.subject).toMatch(/^T-Mobile outage: .{1,80}$/);
      expect(publish?.attributes).toMatchObject({
        service: "t-mobile",
        category: "carrier",
        transition: "opened",
      });
      // The audience: the subscriber (by its hashed id) and the webhook.
      expect(JSON.parse(publish?.attributes.audience ?? "[]")).toEqual([
        "noc-slack",
        defaultSubscriberId("noc@example.org"),
      ]);
      const message = JSON.parse(publish?.message ?? "{}");
      expect(Object.keys(message).sort()).toEqual(["default", "email", "lambda", "sms"]);
      expect(message.email).toContain("reached 900");

      // Act 4: SNS hands the webhook function the topic's `lambda` entry, twice (it
      // delivers at least once); the function reads the URL from its secret.
      const snsEvent = {
        Records: [
          {
            EventSource: "aws:sns",
            Sns: { MessageId: "m-1", TopicArn: TOPIC_ARN, Message: message.lambda },
          },
        ],
      };
      const [delivered, again] = (await invoke("webhook", [snsEvent, snsEvent])) as unknown as {
        delivered: string[];
        skipped: string[];
      }[][];

      // Assess 4: one post, of the Slack body detect wrote
      expect(delivered?.[0]).toMatchObject({ delivered: ["noc-slack"] });
      expect(again?.[0]).toMatchObject({ delivered: [], skipped: ["noc-slack"] });
      const posts = hook.requests.filter((r) => r.path === "/services/T0/B0/deployed");
      expect(posts).toHaveLength(1);
      const body = JSON.parse(posts[0]?.body ?? "{}");
      expect(body).toEqual(JSON.parse(message.lambda).slack);
      expect(body.text).toContain("reached 900");
      // Every bundle signed its calls as itself, so the gate decided each against its role.
      expect(new Set(gate.decisions.map((d) => d.caller))).toEqual(new Set(FUNCTIONS));
    } finally {
      await gate.close();
      await aws.close();
      await hook.close();
      table.client.destroy();
      await store.close();
    }
  }, 60_000);
});

const CONTEXT = `{ functionName: "outcry", awsRequestId: "test", getRemainingTimeInMillis: () => 30000 }`;

/** Like {@link runInBundle}, without blocking the event loop that serves dynalite. */
async function runInBundleAsync(dir: string, script: string, env: Record<string, string>) {
  const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, AWS_REGION: "us-east-1", ...env },
    encoding: "utf8",
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]") as {
    statusCode: number;
    body: string;
  }[];
}
