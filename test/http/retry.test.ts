/**
 * The one retry loop both sources and webhooks use: what it retries, how long it waits
 * (back-off, or the server's Retry-After when longer), and how it stops early.
 */
import { describe, expect, it } from "vitest";
import { HttpFailure } from "../../lambdas/http/http-failure";
import { backoffMs, type RetryPolicy, withRetries } from "../../lambdas/http/retry";

const QUICK: RetryPolicy = {
  retries: 2,
  backoff: { firstMs: 1, maxMs: 10, jitter: false },
  maxWaitMs: () => 1_000,
  waitTooLong: (failure) => new HttpFailure(`too long after: ${failure.message}`, failure),
};

/** An attempt that fails with `failures` in turn, then answers "ok"; counts its calls. */
function scripted(...failures: unknown[]) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    const failure = failures[n - 1];
    if (failure !== undefined) throw failure;
    return "ok";
  };
  return { attempt, calls };
}

const busy = (retryAfterMs?: number) =>
  new HttpFailure("answered 503", {
    retryable: true,
    status: 503,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

describe("withRetries", () => {
  it("retries retryable failures and returns the success that follows", async () => {
    const { attempt, calls } = scripted(busy(), busy());
    await expect(withRetries(attempt, QUICK)).resolves.toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
  });

  it("does not retry a final answer, nor an error that is no HttpFailure", async () => {
    const gone = new HttpFailure("answered 404", { retryable: false, status: 404 });
    const bug = new TypeError("x is undefined");
    for (const error of [gone, bug]) {
      const { attempt, calls } = scripted(error);
      await expect(withRetries(attempt, QUICK)).rejects.toBe(error);
      expect(calls).toEqual([1]);
    }
  });

  it("stops after the retries, with what gaveUp makes of the last failure", async () => {
    const { attempt, calls } = scripted(busy(), busy(), busy());
    const error = await withRetries(attempt, {
      ...QUICK,
      gaveUp: (failure, attempts) => new HttpFailure(`${failure.message} ×${attempts}`, failure),
    }).catch((e: unknown) => e);
    expect(calls).toEqual([1, 2, 3]);
    expect((error as HttpFailure).message).toBe("answered 503 ×3");
    expect((error as HttpFailure).retryable).toBe(true);
  });

  it("waits as long as Retry-After asks when that is longer than the back-off", async () => {
    const { attempt } = scripted(busy(300));
    const started = Date.now();
    await withRetries(attempt, QUICK);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("fails at once, without another attempt, when the wait is longer than allowed", async () => {
    const { attempt, calls } = scripted(busy(120_000));
    const started = Date.now();
    const error = await withRetries(attempt, QUICK).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toEqual([1]);
    expect((error as Error).message).toBe("too long after: answered 503");
  });

  it("stops waiting when the signal aborts, with the policy's error", async () => {
    const { attempt, calls } = scripted(busy(5_000));
    const signal = AbortSignal.timeout(100);
    const started = Date.now();
    const error = await withRetries(attempt, {
      ...QUICK,
      maxWaitMs: () => 10_000,
      signal,
      abortedWhileWaiting: (_, waitMs) =>
        new HttpFailure(`aborted while waiting ${waitMs} ms`, { retryable: true }),
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toEqual([1]);
    expect((error as Error).message).toBe("aborted while waiting 5000 ms");
  });
});

describe("backoffMs", () => {
  it("doubles from the first step up to the cap", () => {
    const backoff = { firstMs: 500, maxMs: 1_500, jitter: false };
    expect([0, 1, 2, 3].map((i) => backoffMs(i, backoff))).toEqual([500, 1_000, 1_500, 1_500]);
  });

  it("with jitter, waits between half a step and a step", () => {
    const backoff = { firstMs: 200, maxMs: 5_000, jitter: true };
    for (let i = 0; i < 200; i++) {
      const wait = backoffMs(1, backoff);
      expect(wait).toBeGreaterThanOrEqual(200);
      expect(wait).toBeLessThan(400);
    }
  });
});
