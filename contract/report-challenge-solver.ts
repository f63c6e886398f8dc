/**
 * Solving the proof-of-work challenge of `GET /reports/challenge`, for the dashboard
 * (in the browser) and `outcry report` (in Node) alike: ALTCHA's own solver over Web
 * Crypto's PBKDF2, so each attempt runs natively and the page stays responsive.
 */
import { type Challenge, solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/web/pbkdf2";

/** Longest a solve may take before it is given up (the challenge is meant to take ~1 s). */
export const SOLVE_TIMEOUT_MS = 60_000;

/**
 * The `altcha` field of a report for `challenge`: the base64 of the challenge and its
 * solution, as the API reads it.
 * @throws Error when no solution is found in {@link SOLVE_TIMEOUT_MS}
 */
export async function solveReportChallenge(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey, timeout: SOLVE_TIMEOUT_MS });
  if (!solution) throw new Error("the report challenge could not be solved in time");
  return btoa(JSON.stringify({ challenge, solution }));
}
