/**
 * Use case: the proof of work a crowd report carries (`reports.challenge`), so that each
 * counted report costs its sender about a CPU-second and a botnet pays for every one.
 * - Issuing is stateless: an ALTCHA challenge (PBKDF2/SHA-256) signed with an HMAC key
 *   derived from the reporter salt, with its expiry and its reporter inside the signed
 *   parameters. One address gets at most {@link challengesPerMinute} a minute.
 * - A challenge is bound to the reporter it was issued to (a salted hash of the address
 *   key), so work cannot be farmed out: a page whose visitors solve challenges, or a
 *   solver service, hands over solutions that count from no other address.
 * - Redeeming checks the signature, the expiry, the reporter and the solution (against
 *   the key signature, so the server never repeats the client's work), then spends the
 *   challenge in the store: a solution counts once, whichever container sees it.
 * The client sends `altcha`: the base64 of `{"challenge": …, "solution": …}`, as the
 * ALTCHA widget does; the dashboard and `outcry report` solve it with the same library.
 */
import { createHmac } from "node:crypto";
import {
  type Challenge,
  createChallenge,
  type Payload,
  randomInt,
  verifySolution,
} from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/web/pbkdf2";
import type * as z from "zod";
import type { ReportChallengeSchema } from "../domain/config";
import { ReportRejected, type SpentChallenges } from "../domain/ports";
import {
  type AdmittedReporter,
  admitReporter,
  type ReporterAddressDependencies,
  saltedHash,
} from "./reporter-address";

/** The challenge settings of the config (`reports.challenge`), or false for none. */
export type ChallengeSettings = z.infer<typeof ReportChallengeSchema>;

/** The key derivation every report challenge uses. */
export const CHALLENGE_ALGORITHM = "PBKDF2/SHA-256";

/** The signed data field that holds a challenge's expiry (ms since the epoch). */
const EXPIRES_AT = "expiresAtMs";
/** The signed data field that names the reporter a challenge was issued to. */
const REPORTER = "reporter";

/** Longest `altcha` field read; a real payload is about 600 characters. */
export const MAX_CHALLENGE_PAYLOAD = 2000;

/** What issuing and redeeming challenges need. */
export interface ChallengeDependencies extends ReporterAddressDependencies {
  spentChallenges: SpentChallenges;
}

/**
 * Challenges one address may fetch a minute: twice its reports, and never under 60, so
 * a person whose page retries, or a shared address, is not turned away.
 * @example challengesPerMinute(30) // 60
 */
export function challengesPerMinute(reportsPerMinute: number): number {
  return Math.max(60, 2 * reportsPerMinute);
}

/** The signed name of the reporter a challenge belongs to. */
function reporterTag(reporter: AdmittedReporter): string {
  return saltedHash(reporter.salt, `challenge:${reporter.key}`);
}

/** The two HMAC keys of challenges: one signs the parameters, one the expected key. */
function signingKeys(salt: string): {
  hmacSignatureSecret: string;
  hmacKeySignatureSecret: string;
} {
  const derive = (purpose: string) => createHmac("sha256", salt).update(purpose).digest("hex");
  return {
    hmacSignatureSecret: derive("outcry report challenge: parameters"),
    hmacKeySignatureSecret: derive("outcry report challenge: key"),
  };
}

/**
 * A fresh challenge for the client at `sourceIp`, valid for `settings.expiresSeconds`
 * from `nowMs`.
 * @throws ReportRejected "invalid-address" or "rate-limited" (see `reporter-address.ts`)
 */
export async function issueReportChallenge(
  deps: ChallengeDependencies,
  request: {
    settings: ChallengeSettings;
    sourceIp: string;
    reportsPerMinute: number;
    nowMs: number;
  },
): Promise<Challenge> {
  const { settings, nowMs } = request;
  const reporter = await admitReporter(deps, {
    sourceIp: request.sourceIp,
    purpose: "challenge",
    limit: challengesPerMinute(request.reportsPerMinute),
    nowMs,
  });
  return createChallenge({
    algorithm: CHALLENGE_ALGORITHM,
    cost: settings.cost,
    counter: randomInt(Math.floor(settings.maxCounter / 2), settings.maxCounter),
    deriveKey,
    // The expiry rides in the signed data rather than the library's own `expiresAt`,
    // which it checks against the machine clock: outcry's clock is injected (the local
    // runtime and tests run at other times), and one clock must decide.
    data: {
      [EXPIRES_AT]: nowMs + settings.expiresSeconds * 1000,
      [REPORTER]: reporterTag(reporter),
    },
    ...signingKeys(reporter.salt),
  });
}

const refused = (why: string) =>
  new ReportRejected(
    "challenge-failed",
    `${why}; GET /reports/challenge, solve it and send the solution as 'altcha' (the dashboard and 'outcry report' do this)`,
  );

/** The payload a client sent, or null when it is not one. */
function decodePayload(altcha: string): Payload | null {
  try {
    const payload = JSON.parse(Buffer.from(altcha, "base64").toString("utf8")) as Payload;
    const { challenge, solution } = payload ?? {};
    const ok =
      typeof challenge?.signature === "string" &&
      typeof challenge.parameters === "object" &&
      challenge.parameters !== null &&
      typeof solution?.counter === "number" &&
      typeof solution.derivedKey === "string";
    return ok ? payload : null;
  } catch {
    return null;
  }
}

/**
 * Redeems the solved challenge a report of `reporter` carries, once.
 * @throws ReportRejected "challenge-failed" when it is missing, malformed, forged, wrong,
 *   expired, issued to another address or already used
 */
export async function redeemReportChallenge(
  deps: Pick<ChallengeDependencies, "spentChallenges">,
  reporter: AdmittedReporter,
  altcha: string | undefined,
  nowMs: number,
): Promise<void> {
  if (altcha === undefined || altcha === "")
    throw refused("a report must carry a solved challenge");
  const payload = altcha.length <= MAX_CHALLENGE_PAYLOAD ? decodePayload(altcha) : null;
  if (!payload) throw refused("'altcha' is not a challenge solution");
  const { parameters, signature } = payload.challenge;
  if (parameters.algorithm !== CHALLENGE_ALGORITHM)
    throw refused("the challenge is not one of ours");
  const expiresAtMs = Number(parameters.data?.[EXPIRES_AT] ?? 0);
  if (!(expiresAtMs > nowMs)) throw refused("the challenge has expired");
  const result = await verifySolution({
    challenge: payload.challenge,
    solution: payload.solution,
    deriveKey,
    ...signingKeys(reporter.salt),
  }).catch(() => ({ verified: false }));
  if (!result.verified) throw refused("the challenge solution is not valid");
  // Checked after the signature, which vouches for the field.
  if (parameters.data?.[REPORTER] !== reporterTag(reporter)) {
    throw refused("the challenge was issued to another address");
  }
  if (!(await deps.spentChallenges.spend(signature as string, expiresAtMs))) {
    throw refused("the challenge was already used");
  }
}
