/**
 * The function bundles as Lambda receives them: built by esbuild through the real
 * `cdk synth` path, loaded in a separate Node.js process where only the AWS SDK is
 * available outside the bundle (as in the Lambda runtime), and invoked.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type CfnElement } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { defineOutcryApp } from "../../lib/outcry-app";
import type { OutcryStack } from "../../lib/outcry-stack";
import { writeConfig } from "./synth";

const ROOT = join(import.meta.dirname, "..", "..");
const FUNCTIONS = ["collect", "detect", "api"] as const;

let outdir: string;
let stack: OutcryStack;
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
    },
    configDir,
  );
  outdir = mkdtempSync(join(tmpdir(), "outcry-bundles-"));
  // The Lambda runtime provides the AWS SDK (and its @smithy parts); nothing else.
  mkdirSync(join(outdir, "node_modules"));
  for (const scope of ["@aws-sdk", "@smithy"]) {
    symlinkSync(join(ROOT, "node_modules", scope), join(outdir, "node_modules", scope));
  }
  const app = new App({
    outdir,
    context: { ...JSON.parse(readFileSync(join(ROOT, "cdk.json"), "utf8")).context, config },
    builtinCloudFormationValidation: false,
  });
  stack = defineOutcryApp(app);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  for (const name of FUNCTIONS) {
    const fn = stack[name].function;
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const key: string = template.Resources[logicalId].Properties.Code.S3Key;
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
  it.each(FUNCTIONS)("%s is one ESM file under 600 KB exporting a handler", (name) => {
    const dir = bundleDirs[name] as string;
    const bundle = join(dir, "index.mjs");
    expect(statSync(bundle).size).toBeLessThan(600 * 1024);
    const out = runInBundle(
      dir,
      `const m = await import("./index.mjs"); console.log(typeof m.handler);`,
    );
    expect(out.trim()).toBe("function");
  });

  it.each(FUNCTIONS)("%s carries the validated config and its replay CSV", (name) => {
    const dir = bundleDirs[name] as string;
    const config = parseConfig(JSON.parse(readFileSync(join(dir, "outcry.config.json"), "utf8")));
    const [source] = config.services[0]?.sources ?? [];
    expect(source).toMatchObject({ kind: "replay", file: "replay/story.csv", align: "loop" });
    expect(existsSync(join(dir, "replay", "story.csv"))).toBe(true);
  });

  it("answers GET /health from the api bundle, reading its config from the bundle", () => {
    const dir = bundleDirs.api as string;
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/health",
      rawQueryString: "",
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        http: { method: "GET", path: "/health", sourceIp: "203.0.113.9", protocol: "HTTP/1.1" },
        requestId: "test",
        stage: "$default",
      },
    };
    const context = `{ functionName: "api", awsRequestId: "test", getRemainingTimeInMillis: () => 1000 }`;
    const out = runInBundle(
      dir,
      `const { handler } = await import("./index.mjs");
       console.log(JSON.stringify(await handler(${JSON.stringify(event)}, ${context})));`,
      {
        OUTCRY_CONFIG_FILE: "outcry.config.json",
        TABLE_NAME: "outcry-test",
        POWERTOOLS_LOG_LEVEL: "ERROR",
      },
    );
    const response = JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
    expect(response.statusCode, `function output:\n${out}`).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: "ok" });
  });
});
