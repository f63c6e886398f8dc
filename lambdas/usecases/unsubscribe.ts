/**
 * Use case: a subscriber ends their subscription with the token they were given
 * (`POST /subscriptions/unsubscribe`). Steps:
 * 1. Hold the client address to its minute, as every subscription route.
 * 2. Read the subscription the token names; a token that is not ours is refused.
 * 3. End the SNS subscription and delete the record: nothing of the subscriber is kept.
 *    A subscription already gone answers the same, so the call can be repeated.
 */
import { subscriptionKey, subscriptionOfToken } from "../domain/subscription";
import { SubscriptionRefused } from "../domain/subscription-ports";
import { admitSubscriber, dropSubscription, type SubscriptionDependencies } from "./subscribe";

/** What `POST /subscriptions/unsubscribe` answers. */
export interface Unsubscribed {
  status: "unsubscribed";
}

/**
 * Ends the subscription `token` names.
 * @throws SubscriptionRefused "token" when the token is not one outcry gave
 */
export async function unsubscribe(
  deps: SubscriptionDependencies,
  request: { token: string; sourceIp: string; nowMs: number },
): Promise<Unsubscribed> {
  // 1. Admitted.
  const client = await admitSubscriber(deps, request.sourceIp, request.nowMs, "subscription-code");
  // 2. A token of ours.
  const id = subscriptionOfToken(subscriptionKey(client.salt), request.token);
  if (!id) {
    throw new SubscriptionRefused(
      "token",
      "this is not an unsubscribe token of this deployment; use the one the confirmation gave, the link at the foot of an email, or reply STOP to a text",
      "token",
    );
  }
  // 3. Ended and forgotten.
  const found = await deps.subscriptions.get(id);
  if (found) await dropSubscription(deps, found);
  return { status: "unsubscribed" };
}
