/**
 * `npm run bench`: prints the figures outcry's targets are judged by. It measures; it
 * does not pass or fail tests (a budget that is exceeded is marked OVER and the exit code
 * is 1, so a script can notice).
 *
 * Usage: npm run bench [-- SECTION ...]
 *   sections: nab, delays, throughput, bundles, store-reads, collect-tick, crowd-ingestion,
 *   report-integrity, crash-injection, notify-latency, series-latency,
 *   services-listing, dashboard, hostile-parsing, cost, scale, forecast (default: all)
 *
 *   cost: DynamoDB calls and capacity units per service per tick (by function, command
 *   and store method) on a metered store, priced as USD per service-month (target
 *   DynamoDB ≤ 0.05). scale: tick durations, calls and GET /services latency at 1,000
 *   and 10,000 services, and the notification drain of 1,000 opening at once
 *   (OUTCRY_BENCH_SCALE=1000 runs only the first size, or any list;
 *   POWERTOOLS_LOG_LEVEL=ERROR hides the line each unread source logs).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { measureBacktestThroughput, THROUGHPUT_TARGET_ROWS_PER_S } from "./backtest-throughput";
import { benchBundles } from "./bundles";
import { benchCollectTick } from "./collect-tick";
import { benchCost } from "./cost";
import { benchCrashInjection } from "./crash-injection";
import { benchCrowdIngestion } from "./crowd-ingestion";
import { dashboardBench } from "./dashboard";
import { formatDelays, seedDelays, syntheticDelays } from "./detection-delay";
import { benchForecast } from "./forecast";
import { benchHostileParsing } from "./hostile-parsing";
import { DEFAULT_DATA, formatNabResult, runNabBench } from "./nab";
import { benchNotifyLatency } from "./notify-latency";
import { benchReportIntegrity } from "./report-integrity";
import { benchScale } from "./scale";
import { benchSeriesLatency } from "./series-latency";
import { benchServicesListing } from "./services-listing";
import { benchStoreReads } from "./store-reads";

const SEED = join(import.meta.dirname, "..", "examples/data/tmobile-2023-02-13.csv");

const sections: Record<string, () => boolean | Promise<boolean>> = {
  nab: () => {
    if (!existsSync(DEFAULT_DATA)) {
      console.log(`\nNAB: no data at ${DEFAULT_DATA}; run npm run bench:nab -- --data DIR instead`);
      return true;
    }
    const result = runNabBench();
    console.log(`\n${formatNabResult(result).join("\n")}`);
    const scores = result.realTweets;
    return (
      !scores || (scores.standard.normalized >= 75 && scores.reward_low_FP_rate.normalized >= 70)
    );
  },
  delays: () => {
    console.log(`\n${formatDelays(syntheticDelays(), seedDelays(SEED)).join("\n")}`);
    return true;
  },
  throughput: () => {
    const result = measureBacktestThroughput();
    console.log(
      `\nBacktest throughput: ${result.rows.toLocaleString("en-US")} bucket-rows (${result.services.toLocaleString("en-US")} services x 14 days at 5-minute buckets) in ${result.seconds.toFixed(2)} s = ${Math.round(result.rowsPerSecond).toLocaleString("en-US")} rows/s on one core (target ${THROUGHPUT_TARGET_ROWS_PER_S.toLocaleString("en-US")})`,
    );
    return result.rowsPerSecond >= THROUGHPUT_TARGET_ROWS_PER_S;
  },
  bundles: () => benchBundles(),
  "store-reads": () => benchStoreReads(),
  "collect-tick": () => benchCollectTick(),
  "crowd-ingestion": () => benchCrowdIngestion(),
  "report-integrity": () => benchReportIntegrity(),
  "crash-injection": () => benchCrashInjection(),
  "notify-latency": () => benchNotifyLatency(),
  dashboard: dashboardBench,
  "series-latency": () => benchSeriesLatency(),
  "services-listing": () => benchServicesListing(),
  "hostile-parsing": () => benchHostileParsing(),
  cost: () => benchCost(),
  forecast: () => benchForecast(),
  scale: () => benchScale(),
};

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in sections));
  if (unknown.length > 0) {
    console.error(`unknown section ${unknown.join(", ")}; use ${Object.keys(sections).join(", ")}`);
    return 2;
  }
  let ok = true;
  for (const name of asked.length > 0 ? asked : Object.keys(sections)) {
    ok = (await sections[name]?.()) !== false && ok;
  }
  return ok ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
});
