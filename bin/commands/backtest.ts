/**
 * `outcry backtest`: a CSV of counts through the same detector and summarizer as the
 * detect Lambda. JSON on stdout for programs, text for people. Bad input exits 2 with
 * the line and the problem, and prints nothing on stdout.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { runBacktest } from "../../backtest/backtest";
import { renderBacktestText } from "../../backtest/render-text";
import { isIanaTimeZone } from "../../contract/catalog";
import { DetectorSettingsSchema } from "../../lambdas/domain/config";
import { parseCountsCsv } from "../../lambdas/domain/counts-csv";
import { loadConfigFile } from "../../lambdas/wiring/config-file";
import { UsageError } from "./usage-error";

const DEFAULT_CONFIG = "outcry.config.json";

/** Usage of `outcry backtest`. */
export const BACKTEST_USAGE = `usage: npm run --silent backtest -- --input FILE.csv [--timezone IANA] [--format json|text] [--config PATH]

  --input FILE.csv   counts with header timestamp,service,count (bucket starts, ISO-8601 UTC)
  --timezone IANA    zone the timelines are told in (default: UTC)
  --format json|text json (default) for programs, text for people
  --config PATH      take detector thresholds and service names from this config
                     (default: outcry.config.json when it exists)`;

/** Runs `outcry backtest`; returns the exit code. */
export async function backtestCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: "string" },
      timezone: { type: "string", default: "UTC" },
      format: { type: "string", default: "json" },
      config: { type: "string" },
    },
    strict: true,
  });
  if (!values.input) throw new UsageError(`--input FILE.csv is required\n\n${BACKTEST_USAGE}`);
  if (!isIanaTimeZone(values.timezone)) {
    throw new UsageError(
      `--timezone '${values.timezone}' is not an IANA zone; use e.g. America/New_York`,
    );
  }
  if (values.format !== "json" && values.format !== "text") {
    throw new UsageError(`--format takes json or text; got '${values.format}'`);
  }
  // Without --config, the project's default config (when there is one) gives display
  // names and thresholds, so a backtest reads like the deployed notifications.
  const configFile = values.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const config = configFile ? loadConfigFile(configFile) : undefined;
  let text: string;
  try {
    text = await readFile(values.input, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read --input ${values.input}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const series = parseCountsCsv(text, values.input);
  const result = runBacktest(series, {
    timeZone: values.timezone,
    settings: config?.detector ?? DetectorSettingsSchema.parse({}),
    names: Object.fromEntries((config?.services ?? []).map((s) => [s.id, s.name])),
  });
  const output =
    values.format === "json"
      ? `${JSON.stringify({ incidents: result.incidents }, null, 2)}\n`
      : renderBacktestText(result.incidents, series);
  process.stdout.write(output);
  return 0;
}
