/**
 * `outcry demo`: the T-Mobile outage of 13 February 2023 replayed through the local
 * runtime on a virtual clock that moves one bucket per tick, so a new user watches an
 * incident open, peak, fall off and resolve, with its notifications, in under a minute.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { loadConfigFile } from "../../lambdas/wiring/config-file";
import { startLocalRuntime } from "../../local/local-runtime";
import { parseDuration, parsePort, UsageError } from "./usage-error";

const EXAMPLES = resolve(fileURLToPath(new URL("../../examples", import.meta.url)));

/** Usage of `outcry demo`. */
export const DEMO_USAGE = `usage: npm run demo -- [--tick DURATION] [--from ISO] [--to ISO] [--port N] [--data-dir DIR]

  --tick DURATION   real time per virtual bucket (default: 100ms)
  --from ISO        virtual start (default: 2023-02-13T20:00:00Z, six hours before the outage)
  --to ISO          virtual end (default: 2023-02-14T10:00:00Z)
  --port N          HTTP port for the API while the demo runs (default: any free port)
  --data-dir DIR    keep the demo's data here (default: a temporary folder, removed after)`;

/** Runs the demo; returns the exit code. */
export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tick: { type: "string", default: "100ms" },
      from: { type: "string", default: "2023-02-13T20:00:00Z" },
      to: { type: "string", default: "2023-02-14T10:00:00Z" },
      port: { type: "string", default: "0" },
      "data-dir": { type: "string" },
    },
    strict: true,
  });
  const from = parseIso(values.from);
  const to = parseIso(values.to);
  if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
    throw new UsageError("--from and --to take ISO-8601 times, --from first");
  }
  // Every argument is checked before anything starts, so a bad one leaves nothing running.
  const tickMs = parseDuration(values.tick, "--tick");
  const port = parsePort(values.port);
  const config = loadConfigFile(join(EXAMPLES, "demo.config.json"));
  const dataDir = values["data-dir"] ?? (await mkdtemp(join(tmpdir(), "outcry-demo-")));
  const step = config.bucketMinutes * MINUTE_MS;
  // Each tick happens just after a bucket closes, one bucket later than the last.
  let virtualNow = from + config.scheduleMinutes * MINUTE_MS;
  const runtime = await startLocalRuntime({
    config,
    dataDir,
    port,
    autoTick: false,
    clock: {
      now: () => virtualNow,
      advance: () => {
        virtualNow += step;
      },
    },
  });
  process.stdout.write(
    `Replaying T-Mobile, Verizon and AT&T from ${values.from} to ${values.to}, one ${config.bucketMinutes}-minute bucket per tick.\n` +
      `API while it runs: ${runtime.url}/services\n\n`,
  );
  try {
    while (virtualNow <= to) {
      const started = Date.now();
      await runtime.tick();
      await new Promise((done) => setTimeout(done, Math.max(0, tickMs - (Date.now() - started))));
    }
  } finally {
    await runtime.stop();
  }
  const sent = (await readFile(runtime.outboxFile, "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { service: string; transition: string });
  const opened = sent.filter((m) => m.transition === "opened").map((m) => m.service);
  const resolved = sent.filter((m) => m.transition === "resolved").map((m) => m.service);
  process.stdout.write(
    `\nDemo finished: ${sent.length} notifications (opened: ${opened.join(", ") || "none"}; resolved: ${resolved.join(", ") || "none"}).\n`,
  );
  if (values["data-dir"])
    process.stdout.write(
      `Data kept in ${dataDir}; 'npm start -- --data-dir ${dataDir} --config examples/demo.config.json' serves it.\n`,
    );
  else await rm(dataDir, { recursive: true, force: true });
  return opened.length > 0 && resolved.length > 0 ? 0 : 1;
}
