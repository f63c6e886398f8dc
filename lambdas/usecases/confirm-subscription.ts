/**
 * Use case: the one-time code of an SMS subscription comes back
 * (`POST /subscriptions/confirm`). Steps:
 * 1. Hold the client address to its minute, as every subscription route.
 * 2. Find the waiting SMS subscription; one past its time is dropped.
 * 3. Check the code in constant time; a wrong one is counted, and after
 *    `subscriptions.codeAttempts` the subscription is dropped, so six digits cannot be
 *    guessed through the API.
 * 4. Confirm it: from now on it is in audiences. The answer carries the token that
 *    unsubscribes it, for the subscriber alone.
 */
import {
  codeMatches,
  type SelfSubscription,
  subscriptionKey,
  unsubscribeToken,
} from "../domain/subscription";
import { SubscriptionRefused } from "../domain/subscription-ports";
import { admitSubscriber, dropSubscription, type SubscriptionDependencies } from "./subscribe";

/** What `POST /subscriptions/confirm` answers. */
export interface ConfirmedSubscription {
  status: "confirmed";
  subscription: string;
  /** Unsubscribes at `POST /subscriptions/unsubscribe`; kept by the subscriber. */
  unsubscribeToken: string;
}

const noSuch = () =>
  new SubscriptionRefused(
    "code",
    "no SMS subscription waits for a code under this id, or its code expired; subscribe again",
    "subscription",
  );

/**
 * Confirms the SMS subscription `subscription` with `code`.
 * @throws SubscriptionRefused "code" when there is no such waiting subscription or the code is wrong
 */
export async function confirmSubscription(
  deps: SubscriptionDependencies,
  request: { subscription: string; code: string; sourceIp: string; nowMs: number },
): Promise<ConfirmedSubscription> {
  const { nowMs } = request;
  // 1. Admitted.
  const client = await admitSubscriber(deps, request.sourceIp, nowMs, "subscription-code");
  // 2. Waiting, and in time.
  const found: SelfSubscription | null = await deps.subscriptions.get(request.subscription);
  if (found?.channel !== "sms" || found.state !== "pending" || !found.codeHash) {
    throw noSuch();
  }
  if ((found.expiresAt ?? 0) <= nowMs) {
    await dropSubscription(deps, found);
    throw noSuch();
  }
  // 3. The code.
  const key = subscriptionKey(client.salt);
  if (!codeMatches(key, found.id, request.code, found.codeHash)) {
    const wrong = await deps.subscriptions.countWrongCode(found.id);
    const left = deps.config.subscriptions.codeAttempts - wrong;
    if (left <= 0) {
      await dropSubscription(deps, found);
      throw new SubscriptionRefused(
        "code",
        "that code is not right, and no tries are left; subscribe again for a new code",
        "code",
      );
    }
    throw new SubscriptionRefused(
      "code",
      `that code is not right; ${left} ${left === 1 ? "try" : "tries"} left`,
      "code",
    );
  }
  // 4. Confirmed.
  await deps.subscriptions.update(found.id, {
    state: "confirmed",
    confirmedAt: nowMs,
    expiresAt: null,
    codeHash: null,
  });
  return {
    status: "confirmed",
    subscription: found.id,
    unsubscribeToken: unsubscribeToken(key, found.id),
  };
}
