/**
 * Posting a JSON body to a webhook, with the manners the HTTP sources have: a timeout per
 * attempt, retries with backoff on network errors, timeouts, 5xx and 429 (honouring
 * `Retry-After` up to a cap), and no retry of an answer that will not change (a 404 for a
 * deleted webhook). The retry loop, the `Retry-After` reading and the outbound request
 * (public addresses only, unless the {@link OutboundPolicy} opens private networks) are
 * the HTTP client's, the same as the sources'. A webhook answers where it was configured,
 * so a redirect is not followed but fails the post. The URL is a secret, so errors name
 * the webhook by its id and never carry the URL into logs, the outbox or a dead-letter
 * queue.
 *
 * @example await postWebhook("noc-slack", url, slackMessage(summary), { outbound });
 */
import { USER_AGENT } from "../http/fetch-with-policy";
import { HttpFailure, retryableStatus } from "../http/http-failure";
import type { OutboundPolicy } from "../http/outbound-policy";
import { outboundRequest, RequestRefused } from "../http/outbound-request";
import { BodyRefused } from "../http/response-body";
import { withRetries } from "../http/retry";
import { parseRetryAfter } from "../http/retry-after";

/** How hard to try, and where a post may go. */
export interface WebhookPostOptions {
  /** Which addresses the post may reach. */
  outbound: OutboundPolicy;
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

/** The most of a webhook's answer read: its first words say why it refused. */
const ANSWER_BYTES = 4096;

/** A refused post, worded without the URL (the refusal names the host at most). */
function refusedError(name: string, refusal: RequestRefused): WebhookError {
  const { reason, status } = refusal.details;
  return new WebhookError(
    reason === "redirect"
      ? `webhook ${name} ${refusal.message}, which outcry does not follow for a webhook; check the webhook's URL (it must be the address that answers the post)`
      : `webhook ${name} was refused: ${refusal.message}; outcry posts to public addresses only`,
    { retryable: false, ...(status === undefined ? {} : { status }) },
  );
}

/** One attempt; resolves on 2xx, throws a {@link WebhookError} otherwise. */
async function attempt(
  name: string,
  url: string,
  body: string,
  timeoutMs: number,
  outbound: OutboundPolicy,
): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await outboundRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": USER_AGENT },
      body,
      policy: outbound,
      redirects: "none",
      signal,
    });
    // Read the answer within the same timeout: Slack says why it refused ("no_service").
    // A longer answer than anyone reads is dropped, not held.
    const bytes = await response.read(ANSWER_BYTES).catch((error: unknown) => {
      if (error instanceof BodyRefused) return new Uint8Array(0);
      throw error;
    });
    const answer = new TextDecoder().decode(bytes).slice(0, 200).replace(/\s+/g, " ").trim();
    if (response.status >= 200 && response.status <= 299) return;
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
    if (error instanceof RequestRefused) throw refusedError(name, error);
    // The code names the host at most (ECONNREFUSED, ENOTFOUND), never the secret path.
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    throw new WebhookError(
      signal.aborted
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
  options: WebhookPostOptions,
): Promise<void> {
  const timeoutMs = options.attemptTimeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 500;
  const maxWaitMs = options.maxRetryWaitMs ?? 5_000;
  const body = JSON.stringify(payload);
  await withRetries(() => attempt(name, url, body, timeoutMs, options.outbound), {
    retries,
    backoff: { firstMs: backoffMs, maxMs: maxWaitMs, jitter: false },
    // A server that asks for longer than we may wait is left to the next invocation's
    // retry (minutes later) rather than hit again too soon.
    maxWaitMs: () => maxWaitMs,
    waitTooLong: (failure) => failure,
  });
}
