/**
 * Posting a JSON body to a webhook, with the manners the HTTP sources have: a timeout per
 * attempt, retries with backoff on network errors, timeouts, 5xx and 429 (honouring
 * `Retry-After` up to a cap), and no retry of an answer that will not change (a 404 for a
 * deleted webhook). The URL is a secret, so errors name the webhook by its id and never
 * carry the URL into logs, the outbox or a dead-letter queue.
 *
 * @example await postWebhook("noc-slack", url, slackMessage(summary));
 */
import { USER_AGENT } from "../http/fetch-with-policy";

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

/** A failed delivery; `retryable` says whether trying later could help. */
export class WebhookError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = "WebhookError";
  }
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds or an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** One attempt; resolves on 2xx, throws a {@link WebhookError} otherwise. */
async function attempt(
  name: string,
  url: string,
  body: string,
  timeoutMs: number,
): Promise<{ retryAfter?: number }> {
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
    if (response.ok) return {};
    const retryable = response.status === 429 || response.status >= 500;
    const error = new WebhookError(
      `webhook ${name} answered ${response.status}${answer ? ` ${answer}` : ""}`,
      retryable,
      response.status,
    );
    const after = retryAfterMs(response.headers.get("retry-after"), Date.now());
    throw Object.assign(error, { retryAfter: after });
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
      true,
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
  for (let tried = 0; ; tried++) {
    try {
      await attempt(name, url, body, timeoutMs);
      return;
    } catch (error) {
      const failure = error as WebhookError & { retryAfter?: number };
      if (!failure.retryable || tried >= retries) throw failure;
      // A server that asks for longer than we may wait is left to the next invocation's
      // retry (minutes later) rather than hit again too soon.
      if (failure.retryAfter !== undefined && failure.retryAfter > maxWaitMs) throw failure;
      const backoff = backoffMs * 2 ** tried;
      const delay = Math.min(maxWaitMs, Math.max(backoff, failure.retryAfter ?? 0));
      await wait(delay);
    }
  }
}
