/**
 * `npm run bench:nab -- --data ../shared/datasets/nab/data --out DIR`: runs outcry's
 * detector, with the default settings and nothing tuned per file, over every NAB data
 * file; writes NAB's results layout (`DIR/<category>/outcry_<file>.csv`, columns
 * `timestamp,value,anomaly_score`, score 1 at the bucket where an incident opens and 0
 * elsewhere); then scores realTweets with `shared/tools/nab_score.py` on NAB's three
 * profiles and prints the scores beside the published detectors' (ANCHORS.md table A).
 *
 * Each file starts from a fresh detector state, is read one row at a time and never
 * looks ahead (NAB's rules for reported results). Timestamps are read as UTC and the
 * time zone is UTC.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { type DetectorSettings, DetectorSettingsSchema } from "../lambdas/domain/config";
import { type DetectorState, initialDetectorState, stepDetector } from "../lambdas/domain/detector";
import { type NabSeries, readNabCsv } from "./nab-csv";

const ROOT = join(import.meta.dirname, "..");
/** The scorer shipped beside the data (validated against NAB's published results). */
export const DEFAULT_SCORER = resolve(ROOT, "../shared/tools/nab_score.py");
export const DEFAULT_DATA = resolve(ROOT, "../shared/datasets/nab/data");

/** NAB's profiles, as the scorer names them. */
export const NAB_PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"] as const;
export type NabProfile = (typeof NAB_PROFILES)[number];

/**
 * realTweets scores of published detectors, threshold re-optimised on realTweets
 * (ANCHORS.md §3 table A): standard / low_FP / low_FN.
 */
export const NAB_ANCHORS: readonly { detector: string; scores: Record<NabProfile, number> }[] = [
  { detector: "ARTime", scores: s(83.2, 74.6, 88.8) },
  { detector: "contextOSE", scores: s(74.5, 73.1, 76.9) },
  { detector: "numenta HTM", scores: s(69.3, 63.5, 73.5) },
  { detector: "Twitter ADVec", scores: s(59.6, 35.8, 69.0) },
  { detector: "random", scores: s(26.4, 15.8, 38.8) },
];

function s(standard: number, lowFp: number, lowFn: number): Record<NabProfile, number> {
  return { standard, reward_low_FP_rate: lowFp, reward_low_FN_rate: lowFn };
}

/** One profile's realTweets result for outcry. */
export interface NabProfileScore {
  normalized: number;
  windowsDetected: number;
  windowsMissed: number;
  falsePositives: number;
  /** Median minutes from the labelled anomaly to the first detection in its window. */
  medianDelayFromLabelMin: number | null;
}

/** What a run of the NAB benchmark found. */
export interface NabBenchResult {
  /** Files run, incidents opened over all of them, rows fed, and the detector's time. */
  files: number;
  incidents: number;
  rows: number;
  detectorMs: number;
  /** realTweets scores per profile; null when scoring was skipped. */
  realTweets: Record<NabProfile, NabProfileScore> | null;
}

/** Options of {@link runNabBench}. */
export interface NabBenchOptions {
  /** NAB's data directory (holds `<category>/<file>.csv`). */
  data?: string;
  /** Where to write results; a temporary directory (removed afterwards) when absent. */
  out?: string;
  /** Detector settings; the defaults when absent (the benchmark's rule: one set for all). */
  settings?: DetectorSettings;
  /** Path of nab_score.py; false skips scoring. */
  scorer?: string | false;
}

/**
 * Runs the detector over one series, one row at a time: 1 where an incident opens.
 * @example detectNab(readNabCsv(text)) // [0, 0, ..., 1, 0, ...]
 */
export function detectNab(
  series: NabSeries,
  settings: DetectorSettings = DetectorSettingsSchema.parse({}),
  service = "nab",
): number[] {
  const context = { service, timeZone: "UTC", bucketMinutes: series.bucketMinutes, settings };
  let state: DetectorState = initialDetectorState();
  const scores = new Array<number>(series.times.length).fill(0);
  for (let i = 0; i < series.times.length; i++) {
    const step = stepDetector(
      state,
      { bucketStart: series.times[i] ?? 0, count: series.counts[i] ?? null },
      context,
    );
    state = step.state;
    if (step.events.some((event) => event.type === "opened")) scores[i] = 1;
  }
  return scores;
}

/** NAB's data files, as `[category, file name]` pairs, sorted. */
function nabFiles(data: string): [string, string][] {
  const files: [string, string][] = [];
  for (const category of readdirSync(data, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const file of readdirSync(join(data, category.name))) {
      if (file.endsWith(".csv")) files.push([category.name, file]);
    }
  }
  return files.sort((a, b) => a.join("/").localeCompare(b.join("/")));
}

/**
 * Runs and scores the benchmark; returns the numbers (`bench/run.ts` prints them).
 * @example const { realTweets } = runNabBench({ out: "/tmp/nab" }); realTweets?.standard.normalized
 */
export function runNabBench(options: NabBenchOptions = {}): NabBenchResult {
  const data = resolve(options.data ?? DEFAULT_DATA);
  const settings = options.settings ?? DetectorSettingsSchema.parse({});
  const out = options.out ? resolve(options.out) : mkdtempSync(join(tmpdir(), "outcry-nab-"));
  const result: NabBenchResult = {
    files: 0,
    incidents: 0,
    rows: 0,
    detectorMs: 0,
    realTweets: null,
  };
  try {
    for (const [category, file] of nabFiles(data)) {
      const series = readNabCsv(readFileSync(join(data, category, file), "utf8"), file);
      const started = performance.now();
      const scores = detectNab(series, settings, basename(file, ".csv"));
      result.detectorMs += performance.now() - started;
      result.files++;
      result.rows += scores.length;
      const lines = ["timestamp,value,anomaly_score"];
      for (let i = 0; i < scores.length; i++) {
        result.incidents += scores[i] ?? 0;
        lines.push(`${series.timestamps[i]},${series.values[i]},${scores[i]}`);
      }
      mkdirSync(join(out, category), { recursive: true });
      writeFileSync(join(out, category, `outcry_${file}`), `${lines.join("\n")}\n`);
    }
    if (options.scorer !== false) {
      result.realTweets = scoreRealTweets(data, out, options.scorer ?? DEFAULT_SCORER);
    }
  } finally {
    if (!options.out) rmSync(out, { recursive: true, force: true });
  }
  return result;
}

interface ScorerProfile {
  normalized: number;
  windows_detected: number;
  windows_missed: number;
  fp_detections: number;
  median_delay_from_label_min: number | null;
}

function scoreRealTweets(
  data: string,
  out: string,
  scorer: string,
): Record<NabProfile, NabProfileScore> {
  const nab = resolve(data, "..");
  const json = join(mkdtempSync(join(tmpdir(), "outcry-nab-score-")), "scores.json");
  try {
    execFileSync(
      "python3",
      [
        scorer,
        ...["--data", data, "--results", out, "--detector", "outcry"],
        ...["--files-glob", "realTweets/*.csv", "--profile", "all", "--json", json],
        ...["--windows", join(nab, "labels/combined_windows.json")],
        ...["--labels", join(nab, "labels/combined_labels.json")],
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const profiles: Record<string, ScorerProfile> = JSON.parse(readFileSync(json, "utf8")).profiles;
    const scores = {} as Record<NabProfile, NabProfileScore>;
    for (const profile of NAB_PROFILES) {
      const p = profiles[profile];
      if (!p) throw new Error(`the scorer reported no '${profile}' profile`);
      scores[profile] = {
        normalized: p.normalized,
        windowsDetected: p.windows_detected,
        windowsMissed: p.windows_missed,
        falsePositives: p.fp_detections,
        medianDelayFromLabelMin: p.median_delay_from_label_min,
      };
    }
    return scores;
  } finally {
    rmSync(resolve(json, ".."), { recursive: true, force: true });
  }
}

/** The scores beside the anchors, as printed lines. */
export function formatNabResult(result: NabBenchResult): string[] {
  const lines = [
    `NAB: ${result.files} files, ${result.rows} rows, ${result.incidents} incidents opened; ` +
      `detector ${Math.round(result.rows / (result.detectorMs / 1000)).toLocaleString("en-US")} rows/s`,
  ];
  const tweets = result.realTweets;
  if (!tweets) return lines;
  const row = (name: string, values: number[]) =>
    `${name.padEnd(16)}${values.map((v) => v.toFixed(1).padStart(10)).join("")}`;
  lines.push(
    "realTweets (threshold re-optimised on realTweets; anchors: ANCHORS.md table A)",
    `${"detector".padEnd(16)}${["standard", "low_FP", "low_FN"].map((h) => h.padStart(10)).join("")}`,
    row(
      "outcry",
      NAB_PROFILES.map((p) => tweets[p].normalized),
    ),
    ...NAB_ANCHORS.map((a) =>
      row(
        a.detector,
        NAB_PROFILES.map((p) => a.scores[p]),
      ),
    ),
  );
  const std = tweets.standard;
  lines.push(
    `outcry (standard): ${std.windowsDetected}/${std.windowsDetected + std.windowsMissed} windows detected, ` +
      `${std.falsePositives} false detections, median delay vs label ${std.medianDelayFromLabelMin ?? "-"} min`,
  );
  return lines;
}

function parseArgs(argv: readonly string[]): NabBenchOptions & { help?: boolean } {
  const options: NabBenchOptions & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--data") options.data = value();
    else if (arg === "--out") options.out = value();
    else if (arg === "--scorer") options.scorer = value();
    else if (arg === "--no-score") options.scorer = false;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else throw new Error(`unknown argument '${arg}'`);
  }
  return options;
}

const USAGE =
  "usage: npm run bench:nab -- --data NAB_DATA_DIR --out RESULTS_DIR [--scorer nab_score.py] [--no-score]";

function main(argv: readonly string[]): number {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error(`bench:nab: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (!options.data || !options.out) {
    console.error(`bench:nab: --data and --out are required\n${USAGE}`);
    return 2;
  }
  try {
    if (!readdirSync(options.data).some((name) => name === "realTweets")) {
      console.error(
        `bench:nab: ${options.data} holds no realTweets/ directory; is it NAB's data/?`,
      );
      return 2;
    }
  } catch {
    console.error(`bench:nab: cannot read the data directory ${options.data}\n${USAGE}`);
    return 2;
  }
  for (const line of formatNabResult(runNabBench(options))) console.log(line);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = main(process.argv.slice(2));
}
