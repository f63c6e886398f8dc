/**
 * Signing in to Bluesky for a search: one session per server and account, kept in the
 * container's memory (never in the source's stored memory, which the API's health
 * record sits beside), so a warm container signs in once and the sign-in rate limit
 * (a few dozen an account every few minutes) is never near.
 *
 * A call that finds its access token expired (`400 {"error":"ExpiredToken"}`) refreshes
 * the session with its refresh token (`com.atproto.server.refreshSession`) and is tried
 * once more; when the refresh fails too, a new session is created with the app password.
 */

import { OutcryError } from "../../domain/outcry-error";
import type { SecretReader } from "../../domain/ports";
import {
  fetchWithPolicy,
  type OutboundPolicy,
  parseJsonBody,
  SourceHttpError,
} from "../../http/fetch-with-policy";
import { type BlueskySession, parseSession, xrpcError } from "./payload";

/** What a sign-in needs: the account, where its password is, and the read's limits. */
export interface SignIn {
  /** The server's address without a trailing slash, e.g. `https://bsky.social`. */
  server: string;
  identifier: string;
  /** The name of the secret holding the app password. */
  secret: string;
  secrets: SecretReader | undefined;
  outbound: OutboundPolicy;
  signal: AbortSignal;
  deadlineAt?: number | undefined;
}

/** XRPC errors that mean "sign in again": the access token ran out or is no longer good. */
const EXPIRED = new Set(["ExpiredToken", "InvalidToken"]);
/** Enough of an error body to read its XRPC error name. */
const ERROR_BODY_BYTES = 4096;

/** Server and account → its session, or the sign-in under way. */
const sessions = new Map<string, Promise<BlueskySession>>();

/** Forgets every session (a test starts from a cold container). */
export function forgetBlueskySessions(): void {
  sessions.clear();
}

/** POSTs to an XRPC procedure and reads its JSON answer as a session. */
async function sessionCall(
  signIn: SignIn,
  procedure: string,
  headers: Record<string, string>,
  body?: string,
): Promise<BlueskySession> {
  const url = `${signIn.server}/xrpc/${procedure}`;
  const result = await fetchWithPolicy(url, {
    method: "POST",
    signal: signIn.signal,
    outbound: signIn.outbound,
    deadlineAt: signIn.deadlineAt,
    expect: "json",
    headers,
    errorBodyBytes: ERROR_BODY_BYTES,
    ...(body === undefined ? {} : { body }),
  });
  if (result.status !== "fresh") {
    throw new SourceHttpError(`POST ${url} answered 304; a sign-in cannot be cached`, {
      url,
      retryable: false,
      reason: "invalid-payload",
    });
  }
  return parseSession(parseJsonBody(result), result.url);
}

/**
 * Creates a session with the app password.
 * @throws OutcryError naming what to set when the password is not set
 * @throws SourceHttpError saying to check the password when the server refuses it
 */
async function createSession(signIn: SignIn): Promise<BlueskySession> {
  if (!signIn.secrets) {
    throw new OutcryError(
      `the bluesky source of ${signIn.identifier} needs its app password, but this runtime reads no secrets; run it through collect or npm start`,
    );
  }
  const password = await signIn.secrets.read(signIn.secret);
  if (password === null) {
    throw new OutcryError(
      `the Bluesky app password of ${signIn.identifier} is not set (secret '${signIn.secret}'): make one in Bluesky's Settings → Privacy and security → App passwords, then ${signIn.secrets.howToSet(signIn.secret)}`,
    );
  }
  try {
    return await sessionCall(
      signIn,
      "com.atproto.server.createSession",
      { "content-type": "application/json" },
      JSON.stringify({ identifier: signIn.identifier, password }),
    );
  } catch (error) {
    if (error instanceof SourceHttpError && (error.status === 400 || error.status === 401)) {
      const name = xrpcError(error.body) ?? String(error.status);
      throw new SourceHttpError(
        `Bluesky refused the sign-in of ${signIn.identifier} at ${signIn.server} (${name}); check the identifier and the app password in the secret '${signIn.secret}'`,
        { url: error.url, status: error.status, retryable: false, cause: error },
      );
    }
    throw error;
  }
}

/** Keeps `pending` as the session of `key` unless it fails (then the next call signs in). */
function remember(key: string, pending: Promise<BlueskySession>): Promise<BlueskySession> {
  sessions.set(key, pending);
  pending.catch(() => {
    if (sessions.get(key) === pending) sessions.delete(key);
  });
  return pending;
}

/**
 * A fresh session in place of `stale`: the one another read already renewed it to, else
 * a refreshed one, else (the refresh token ran out too) a new one.
 */
async function renewed(
  key: string,
  stale: BlueskySession,
  signIn: SignIn,
): Promise<BlueskySession> {
  const current = await sessions.get(key)?.catch(() => null);
  if (current && current !== stale) return current;
  return remember(
    key,
    sessionCall(signIn, "com.atproto.server.refreshSession", {
      authorization: `Bearer ${stale.refreshJwt}`,
    }).catch(() => createSession(signIn)),
  );
}

/** True when the call failed because its access token is expired or no longer good. */
function expired(error: unknown): boolean {
  return (
    error instanceof SourceHttpError &&
    (error.status === 400 || error.status === 401) &&
    EXPIRED.has(xrpcError(error.body) ?? "")
  );
}

/**
 * Runs `call` with an access token of the account's session (signing in first when the
 * container has none), renewing the session and trying once more when the token expired.
 * `call` should fetch with `errorBodyBytes`, so that its error names why it failed.
 * @example const page = await withSession(signIn, (token) => fetchPage(token));
 */
export async function withSession<T>(
  signIn: SignIn,
  call: (accessJwt: string) => Promise<T>,
): Promise<T> {
  const key = `${signIn.server}\n${signIn.identifier}`;
  const session = await (sessions.get(key) ?? remember(key, createSession(signIn)));
  try {
    return await call(session.accessJwt);
  } catch (error) {
    if (!expired(error)) throw error;
  }
  return call((await renewed(key, session, signIn)).accessJwt);
}

/** The error-body size a call under {@link withSession} should ask for. */
export const SESSION_ERROR_BODY_BYTES = ERROR_BODY_BYTES;
