/**
 * Posting crowd reports in tests as a real client does: fetch a challenge, solve it and
 * send the solution with the report. Tests whose subject is not the challenge run it at
 * {@link CHEAP_CHALLENGE}, so the whole path is exercised in milliseconds.
 */
import type { Challenge } from "altcha-lib";
import { solveReportChallenge } from "../../contract/report-challenge-solver";

/** A challenge of a few PBKDF2 rounds: the real path, at a test's speed. */
export const CHEAP_CHALLENGE = { cost: 1, maxCounter: 40, expiresSeconds: 300 } as const;

/** A solved challenge of the API at `baseUrl`; undefined when it has them off (404). */
export async function solvedChallenge(baseUrl: string): Promise<string | undefined> {
  const response = await fetch(`${baseUrl}/reports/challenge`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET /reports/challenge answered ${response.status}`);
  return solveReportChallenge((await response.json()) as Challenge);
}

/**
 * `bodyText` with a freshly solved challenge added when it is a JSON object (a report);
 * anything else (malformed JSON, an array) is returned as it is, to be refused.
 */
export async function withSolvedChallenge(baseUrl: string, bodyText: string): Promise<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return bodyText;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return bodyText;
  return JSON.stringify({ ...parsed, altcha: await solvedChallenge(baseUrl) });
}
