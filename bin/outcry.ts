#!/usr/bin/env -S npx tsx
/**
 * The outcry command line: `start` (local runtime), `demo` (the seed story on a fast
 * clock), `backtest` (a CSV through the detector) and `report` (one crowd report).
 */
import { ConfigError } from "../lambdas/domain/config";
import { CountsCsvError } from "../lambdas/domain/counts-csv";
import { OutcryError } from "../lambdas/domain/outcry-error";
import { UsageError } from "./commands/usage-error";

const USAGE = `usage: outcry <command> [options]

commands:
  start      run the pipeline locally (npm start)
  demo       replay the T-Mobile outage of 13 Feb 2023 on a fast clock (npm run demo)
  backtest   replay a CSV of counts through the detector (npm run backtest -- --input FILE.csv)
  report     post one crowd report, solving the API's challenge (npx outcry report t-mobile no-signal)
  config-schema  print the JSON Schema of the configuration file

'outcry <command> --help' describes a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  // The handlers' JSON logs are for CloudWatch; locally only warnings are worth a line.
  process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
  // Node 20 is supported here; the SDK's notice about its own future support is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const help = args.includes("--help") || args.includes("-h");
  switch (command) {
    case "start": {
      const { START_USAGE, startCommand } = await import("./commands/start");
      if (help) return print(START_USAGE);
      await startCommand(args);
      return 0;
    }
    case "demo": {
      const { DEMO_USAGE, demoCommand } = await import("./commands/demo");
      if (help) return print(DEMO_USAGE);
      return demoCommand(args);
    }
    case "backtest": {
      const { BACKTEST_USAGE, backtestCommand } = await import("./commands/backtest");
      if (help) return print(BACKTEST_USAGE);
      return backtestCommand(args);
    }
    case "report": {
      const { REPORT_USAGE, reportCommand } = await import("./commands/report");
      if (help) return print(REPORT_USAGE);
      return reportCommand(args);
    }
    case "config-schema": {
      const { configJsonSchema } = await import("../lambdas/domain/config");
      return print(JSON.stringify(configJsonSchema(), null, 2));
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return print(USAGE);
    default:
      throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const parseArgs = (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
    // outcry's own errors are worded for whoever runs the command; others show their stack.
    const worded = error instanceof OutcryError || parseArgs;
    // Exit code 2: the command, its config or its CSV needs fixing; 1: it failed.
    const badInput =
      parseArgs ||
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof CountsCsvError;
    process.stderr.write(`outcry: ${worded ? (error as Error).message : (error as Error).stack}\n`);
    process.exitCode = badInput ? 2 : 1;
  },
);
