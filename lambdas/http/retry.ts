/**
 * The one retry loop of outbound HTTP, for sources and webhooks alike: try, and after a
 * retryable {@link HttpFailure} wait (exponential back-off, or longer when the server's
 * `Retry-After` asks for it) and try again, up to the policy's number of retries; fail at
 * once when the wait would be longer than the policy allows (a source's deadline, a
 * webhook's cap), and stop when the caller's signal aborts.
 *
 * p-retry runs the loop: it counts the attempts and stops on what `shouldRetry` refuses.
 * Its own delay is switched off (`minTimeout: 0`) and the wait happens in
 * `onFailedAttempt`, because p-retry's delay depends on the attempt number alone: it can
 * neither honour a `Retry-After` nor fail fast when the wait would pass a deadline (its
 * `maxRetryTime` shortens the last wait and tries once more instead).
 *
 * @example
 * const body = await withRetries(() => postOnce(url), {
 *   retries: 2,
 *   backoff: { firstMs: 500, maxMs: 5_000, jitter: false },
 *   maxWaitMs: () => 5_000,
 *   waitTooLong: (failure) => failure,
 * });
 */
import pRetry from "p-retry";
import { HttpFailure } from "./http-failure";

/** Exponential back-off: `firstMs`, doubled after each retry, at most `maxMs`. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
  /**
   * Wait a random time between half the step and the step, so that many clients failing
   * together do not all come back at the same instant.
   */
  jitter: boolean;
}

/** How hard to try, and what to say when the loop stops early. */
export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` attempts at most). */
  retries: number;
  backoff: Backoff;
  /** The longest wait allowed now before another attempt (e.g. what is left until a deadline). */
  maxWaitMs: () => number;
  /** The error to throw when the next wait would be longer than {@link maxWaitMs}. */
  waitTooLong: (failure: HttpFailure, waitMs: number) => HttpFailure;
  /** When it aborts, no attempt starts and no wait goes on. */
  signal?: AbortSignal;
  /** The error to throw when {@link signal} aborts during a wait (default: the last failure). */
  abortedWhileWaiting?: (failure: HttpFailure, waitMs: number) => HttpFailure;
  /** The error to throw when the last retry failed too (default: that failure). */
  gaveUp?: (failure: HttpFailure, attempts: number) => HttpFailure;
}

/**
 * The wait before retry number `retryIndex` (0 for the first retry), in ms.
 * @example backoffMs(1, { firstMs: 500, maxMs: 5_000, jitter: false }) // 1000
 */
export function backoffMs(retryIndex: number, backoff: Backoff): number {
  const step = Math.min(backoff.maxMs, backoff.firstMs * 2 ** retryIndex);
  return backoff.jitter ? step / 2 + Math.random() * (step / 2) : step;
}

/** Waits `ms`; resolves false at once if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve(true);
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/**
 * Runs `attempt` until it resolves, or fails with what cannot pass on a retry: an error
 * that is not a retryable {@link HttpFailure} (thrown as it is), the last failure once
 * the retries are spent, or the policy's error for a wait too long or an abort.
 * @param attempt gets the attempt's number, 1 for the first
 */
export function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  const mayRetry = (error: unknown): error is HttpFailure =>
    error instanceof HttpFailure && error.retryable && !policy.signal?.aborted;
  return pRetry(attempt, {
    retries: Math.max(0, policy.retries),
    minTimeout: 0,
    shouldRetry: ({ error }) => mayRetry(error),
    // Called before p-retry checks the retries left, so it checks them itself.
    onFailedAttempt: async ({ error, attemptNumber, retriesConsumed, retriesLeft }) => {
      if (!mayRetry(error)) return;
      if (retriesLeft === 0) throw policy.gaveUp?.(error, attemptNumber) ?? error;
      // Retry-After is the least the server asked for; back-off may add to a short one.
      const waitMs = Math.max(backoffMs(retriesConsumed, policy.backoff), error.retryAfterMs ?? 0);
      if (waitMs > policy.maxWaitMs()) throw policy.waitTooLong(error, waitMs);
      if (!(await pause(waitMs, policy.signal))) {
        throw policy.abortedWhileWaiting?.(error, waitMs) ?? error;
      }
    },
  });
}
