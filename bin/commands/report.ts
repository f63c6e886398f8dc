/**
 * `outcry report SERVICE PROBLEM`: posts one crowd report as the dashboard does, for
 * scripts and terminals. It fetches the API's proof-of-work challenge, solves it (about a
 * second at the default cost) and posts the report with the solution; an API with
 * `reports.challenge` off (404) takes the report without one.
 */
import { parseArgs } from "node:util";
import type { Challenge } from "altcha-lib";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import { OutcryError } from "../../lambdas/domain/outcry-error";
import { UsageError } from "./usage-error";

/** Usage of `outcry report`. */
export const REPORT_USAGE = `usage: npx outcry report SERVICE PROBLEM [--region CODE] [--url URL]

  SERVICE        the id of a watched service (GET /services lists them), e.g. t-mobile
  PROBLEM        a problem kind of the service's category, e.g. no-signal
  --region CODE  where you are, coarsely: a US state (US-TX) for a service whose area
                 is us, a country (DE) for one whose area is world; left out: unsaid
  --url URL      the outcry API (default: http://127.0.0.1:3000, what npm start serves;
                 in AWS the stack's ApiUrl output)`;

const DEFAULT_URL = "http://127.0.0.1:3000";
/** Longest wait for one answer of the API. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A report the API refused or could not take; its `detail` says why. */
class ReportFailed extends OutcryError {
  constructor(
    message: string,
    /** True when the report itself needs changing (4xx but 429). */
    readonly badInput: boolean,
  ) {
    super(message);
    this.name = "ReportFailed";
  }
}

/** The `detail` of a problem+json answer, or its status line. */
async function problemDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail === "string") return detail;
  } catch {
    // not problem details: the status says enough
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** Fails with the API's own words for an answer that is not a success. */
async function failure(response: Response, doing: string): Promise<ReportFailed> {
  const detail = await problemDetail(response);
  const retry = response.headers.get("retry-after");
  const wait = response.status === 429 && retry ? ` (try again in ${retry} s)` : "";
  const badInput = response.status >= 400 && response.status < 500 && response.status !== 429;
  return new ReportFailed(`${doing} answered ${response.status}: ${detail}${wait}`, badInput);
}

/** The solved challenge for the next report, or undefined when the API asks for none. */
async function solvedChallenge(base: URL): Promise<string | undefined> {
  const response = await fetch(new URL("reports/challenge", base), {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw await failure(response, "GET /reports/challenge");
  return solveReportChallenge((await response.json()) as Challenge);
}

/** The API's base URL from `--url`, with a trailing slash so relative paths append. */
function baseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url takes the API's address, e.g. ${DEFAULT_URL}; got '${text}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must be an http or https address; got '${text}'`);
  }
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return url;
}

/** Runs `outcry report`; returns the exit code (2 when the report itself is wrong). */
export async function reportCommand(
  args: string[],
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { url: { type: "string", default: DEFAULT_URL }, region: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [service, problem, ...extra] = positionals;
  if (!service || !problem || extra.length > 0) {
    throw new UsageError(`give a service and a problem kind\n\n${REPORT_USAGE}`);
  }
  const base = baseUrl(values.url);
  try {
    const altcha = await solvedChallenge(base);
    const response = await fetch(new URL("reports", base), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ service, problem, altcha, region: values.region }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 200 && response.status !== 202) {
      throw await failure(response, "POST /reports");
    }
    const { status } = (await response.json()) as { status: string };
    print(OUTCOMES[status] ?? `the API answered '${status}'`);
    return 0;
  } catch (error) {
    if (error instanceof ReportFailed) {
      process.stderr.write(`outcry: ${error.message}\n`);
      return error.badInput ? 2 : 1;
    }
    if (error instanceof TypeError || (error as Error).name === "TimeoutError") {
      throw new OutcryError(
        `could not reach the API at ${base.href} (${(error as Error).message}); is it running, and is --url right?`,
      );
    }
    throw error;
  }
}

/** What each outcome of `POST /reports` means for the person who sent it. */
const OUTCOMES: Record<string, string> = {
  accepted: "counted: thank you",
  duplicate:
    "already counted: one report per address and service counts in each dedup window (15 minutes unless configured otherwise)",
  capped: "kept, not counted: your network has given its share of reports for now",
};
