/**
 * Bundle figures: each Lambda bundle as `cdk synth` builds it, its size, and how long a
 * fresh Node.js process takes to import it, side by side with an empty module in the
 * same run (interleaved, so machine noise hits both alike).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
/**
 * Budget per bundle (minified): each carries its own AWS SDK clients, the outbound
 * request's address ranges (ipaddr.js, 13 KB) where it calls other servers, and where it
 * reads detector states (the API), their migration and both packing formats.
 */
export const BUNDLE_BUDGET_BYTES = 380 * 1024;
/**
 * collect's budget: it alone reads third-party formats, with an XML parser for feeds and
 * the HTML tokenizer and its entity table (45 KB) that read markup in linear time, and it
 * carries the SQS client (25 KB) that hands out its shards, the marking of the buckets
 * a failed source leaves partial, the payload checks of the Status.io and Instatus
 * readers (zod's mini build: the full one would add 80 KB), the Google Cloud and AWS
 * Health feed readers (9 KB: their checks, filters and stated incidents, and the AWS
 * feed's byte-order-mark decoding), the Better Stack and Cachet readers (10 KB: their
 * payload checks, levels, annotations and stated incidents), and the Secrets Manager
 * client (15 KB) that reads the app passwords of the sources that sign in, with the
 * Bluesky reader and its sign-in and refresh (6 KB), the keyword classes of the text
 * sources (2 KB: the setting's checks and the split of a count by class), and the regions'
 * tallies and the replay's split of its counts into kinds and regions (1 KB).
 */
export const COLLECT_BUDGET_BYTES = 540 * 1024;

/**
 * detect's budget: beside the detector (its windows, its memory of what recurs, the
 * 3-hour means and the bursts of rules 4c and 4d) it
 * carries the SNS and SQS clients, the shard hand-out, the whole delivery of a mass
 * outage (grouped openings and resolutions) and the likely-upstream inference with the
 * folding of dependents' openings (4 KB), and the "still elevated" reminders and the
 * digests of what quiet hours and maintenance held, with their held-message store (8 KB),
 * and what and where an incident's reports were: the regions of an area (4 KB: state
 * names and country codes; country names come from Intl), the mix and its phrases (2 KB).
 */
export const DETECT_BUDGET_BYTES = 420 * 1024;

/**
 * api's budget: beside the routes, the use cases they read and the report challenge, the
 * self-service subscriptions carry the SNS client (39 KB: Subscribe, the topic's listing,
 * Unsubscribe and the code's Publish) and their routes and use cases (14 KB); and the
 * followers' feeds and badges (8 KB: the Atom, JSON Feed and SVG writers, XML escaping and
 * Verdana's width table); the regions a report may name with the mix of a span (4 KB);
 * the front door's check of its origin secret and viewer headers (2 KB); and the routes
 * of the embeddable report button and the map's atlases (3 KB; the pages and atlases
 * themselves are files beside the bundle).
 */
export const API_BUDGET_BYTES = 455 * 1024;

/** The size budget of the bundle of function `name`. */
export function bundleBudgetBytes(name: string): number {
  if (name === "collect") return COLLECT_BUDGET_BYTES;
  if (name === "api") return API_BUDGET_BYTES;
  return name === "detect" ? DETECT_BUDGET_BYTES : BUNDLE_BUDGET_BYTES;
}
/** Budget of import time above an empty module. */
export const LOAD_BUDGET_MS = 100;

interface Bundle {
  name: string;
  dir: string;
}

/**
 * The repository's config plus one webhook, so that the webhook function (built only
 * when the config has webhooks) is measured too.
 */
function benchConfig(dir: string): string {
  const config = JSON.parse(readFileSync(join(ROOT, "outcry.config.json"), "utf8"));
  const { $schema: _schema, ...rest } = config;
  const file = join(dir, "bench.config.json");
  writeFileSync(file, JSON.stringify({ ...rest, webhooks: [{ id: "bench" }] }));
  return file;
}

function synthBundles(outdir: string): Bundle[] {
  const config = benchConfig(outdir);
  const assembly = join(outdir, "cdk.out");
  execFileSync(
    join(ROOT, "node_modules/.bin/cdk"),
    [
      "synth",
      "--quiet",
      "-o",
      assembly,
      "-c",
      `config=${config}`,
      "-c",
      "acknowledgeExampleAddresses=true",
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  const template = JSON.parse(readFileSync(join(assembly, "Outcry.template.json"), "utf8"));
  const bundles: Bundle[] = [];
  for (const resource of Object.values<{ Type: string; Properties: Record<string, never> }>(
    template.Resources,
  )) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    const description: string = resource.Properties.Description ?? "";
    const key: string = (resource.Properties.Code as unknown as { S3Key: string }).S3Key;
    const name = /^outcry (\w+)/.exec(description)?.[1] ?? key;
    bundles.push({ name, dir: join(assembly, `asset.${key.replace(/\.zip$/, "")}`) });
  }
  return bundles;
}

/** Milliseconds to import `file` in a fresh process (measured inside it). */
function importTime(dir: string, file: string): number {
  const out = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const t = performance.now(); await import("./${file}"); console.log(performance.now() - t);`,
    ],
    { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, AWS_REGION: "us-east-1" } },
  );
  return Number(out.trim());
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Prints the bundle table; returns false when a budget is exceeded. */
export function benchBundles(runs = 15): boolean {
  const outdir = mkdtempSync(join(tmpdir(), "outcry-bench-"));
  try {
    const bundles = synthBundles(outdir);
    writeFileSync(join(outdir, "empty.mjs"), "export const handler = async () => {};\n");
    const times = new Map<string, number[]>([["(empty module)", []]]);
    for (const bundle of bundles) times.set(bundle.name, []);
    for (let run = 0; run < runs; run++) {
      times.get("(empty module)")?.push(importTime(outdir, "empty.mjs"));
      for (const bundle of bundles)
        times.get(bundle.name)?.push(importTime(bundle.dir, "index.mjs"));
    }
    const empty = median(times.get("(empty module)") ?? []);
    let ok = true;
    console.log(
      `\nLambda bundles (cdk synth, minified ESM; import time: median of ${runs} fresh processes)`,
    );
    console.log("function   size (KB)  budget  import (ms)  above empty (ms)  budget");
    console.log(`(empty)    ${"-".padStart(9)}  ${"".padEnd(6)}  ${empty.toFixed(1).padStart(11)}`);
    for (const bundle of bundles) {
      const size = statSync(join(bundle.dir, "index.mjs")).size;
      const load = median(times.get(bundle.name) ?? []);
      const sizeOk = size <= bundleBudgetBytes(bundle.name);
      const loadOk = load - empty <= LOAD_BUDGET_MS;
      ok &&= sizeOk && loadOk;
      console.log(
        `${bundle.name.padEnd(9)}  ${(size / 1024).toFixed(1).padStart(9)}  ${(sizeOk ? "ok" : "OVER").padEnd(6)}  ${load.toFixed(1).padStart(11)}  ${(load - empty).toFixed(1).padStart(16)}  ${loadOk ? "ok" : "OVER"}`,
      );
    }
    return ok;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
