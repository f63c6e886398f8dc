/**
 * Posting a JSON body to a webhook, with the manners the HTTP sources have: a timeout per
 * attempt, retries with backoff on network errors, timeouts, 5xx and 429 (honouring
 * `Retry-After` up to a cap), and no retry of an answer that will not change (a 404 for a
 * deleted webhook). The retry loop and the `Retry-After` reading are the HTTP client's,
 * the same as the sources'. The URL is a secret, so errors name the webhook by its id and never
 * carry the URL into logs, the outbox or a dead-letter queue.
 *
 * @example await postWebhook("noc-slack", url, slackMessage(summary));
 */
import { USER_AGENT } from "../http/fetch-with-policy";
import { HttpFailure, retryableStatus } from "../http/http-failure";
import { withRetries } from "../http/retry";
import { parseRetryAfter } from "../http/retry-after";

/** How hard to try. */
export interface WebhookPostOptions {
  /** Per attempt, headers and body: default 5 s (Slack answers in well under a second). */
  attemptTimeoutMs?: number;
  /** Default 2, so up to 3 attempts. */
  retries?: number;
  /** First backoff, doubled each retry: default 500 ms. */
  backoffMs?: number;
  /** Longest wait before a retry, `Retry-After` included: default 5 s. */
  maxRetryWaitMs?: number;
}

/**
 * A failed delivery; `retryable` says whether trying later could help. Its message names
 * the webhook by its id, never by its URL (a secret).
 */
export class WebhookError extends HttpFailure {
  override readonly name = "WebhookError";
}

/** One attempt; resolves on 2xx, throws a {@link WebhookError} otherwise. */
async function attempt(name: string, url: string, body: string, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": USER_AGENT },
      body,
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the answer within the same timeout: Slack says why it refused ("no_service").
    const answer = (await response.text()).slice(0, 200).replace(/\s+/g, " ").trim();
    if (response.ok) return;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
    throw new WebhookError(
      `webhook ${name} answered ${response.status}${answer ? ` ${answer}` : ""}`,
      {
        retryable: retryableStatus(response.status),
        status: response.status,
        ...(retryAfterMs === null ? {} : { retryAfterMs }),
      },
    );
  } catch (error) {
    if (error instanceof WebhookError) throw error;
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    // The cause names the host at most (ECONNREFUSED, ENOTFOUND), never the secret path.
    const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
    const why = cause?.code ?? cause?.message ?? (error as Error).name;
    throw new WebhookError(
      timedOut
        ? `webhook ${name} did not answer within ${timeoutMs} ms`
        : `webhook ${name} could not be reached (${why})`,
      { retryable: true },
    );
  }
}

/**
 * Posts `payload` as JSON to `url`, retrying what may pass on a later try.
 * @throws WebhookError after the last attempt, or at once when the answer is final
 */
export async function postWebhook(
  name: string,
  url: string,
  payload: unknown,
  options: WebhookPostOptions = {},
): Promise<void> {
  const timeoutMs = options.attemptTimeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 500;
  const maxWaitMs = options.maxRetryWaitMs ?? 5_000;
  const body = JSON.stringify(payload);
  await withRetries(() => attempt(name, url, body, timeoutMs), {
    retries,
    backoff: { firstMs: backoffMs, maxMs: maxWaitMs, jitter: false },
    // A server that asks for longer than we may wait is left to the next invocation's
    // retry (minutes later) rather than hit again too soon.
    maxWaitMs: () => maxWaitMs,
    waitTooLong: (failure) => failure,
  });
}
