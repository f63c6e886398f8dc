/**
 * The interfaces self-service subscriptions depend on: where they are recorded (DynamoDB
 * in `lambdas/store/subscription-store.ts`) and what delivers to them (SNS in
 * `lambdas/notify/sns-subscriptions.ts`, a stand-in in the local runtime).
 */
import { OutcryError } from "./outcry-error";
import type { SelfSubscription, SubscriptionChannel } from "./subscription";

/** The self-service subscriptions, recorded without their addresses. */
export interface SubscriptionStore {
  /** Every subscription, confirmed or waiting (few: `subscriptions.max` at most, and a handful more in a race). */
  all(): Promise<SelfSubscription[]>;
  /** One subscription, or null. */
  get(id: string): Promise<SelfSubscription | null>;
  /** Records a new subscription; false when one has the id already. */
  add(subscription: SelfSubscription): Promise<boolean>;
  /** Writes what changed of a recorded one (its endpoint, its state, its wrong codes). */
  update(
    id: string,
    changes: Partial<
      Pick<SelfSubscription, "endpoint" | "state" | "confirmedAt" | "expiresAt" | "codeHash">
    >,
  ): Promise<void>;
  /** Counts a wrong code and returns how many were given. */
  countWrongCode(id: string): Promise<number>;
  /** Forgets a subscription. */
  remove(id: string): Promise<void>;
  /**
   * Takes one of the `limit` confirmations that may go to `destination` on the UTC day of
   * `nowMs`; false when they are spent.
   */
  takeConfirmation(destination: string, limit: number, nowMs: number): Promise<boolean>;
}

/** What delivers to subscribers: SNS subscriptions of the notification topic. */
export interface SubscriptionGateway {
  /**
   * Subscribes `address` to the topic, filtered to the messages whose audience names
   * `id`, and returns what names the subscription (its ARN). For email SNS sends its
   * confirmation message now.
   * @throws SubscriptionRefused "full" when SNS's quota of filter policies or subscriptions is spent
   */
  subscribe(channel: SubscriptionChannel, address: string, id: string): Promise<string>;
  /** Sends `text` to the one subscription filtered on `id` (a one-time code). */
  sendText(id: string, text: string): Promise<void>;
  /**
   * The endpoints (ARNs) of the topic's confirmed subscriptions: one still waiting for its
   * email confirmation is not among them, nor one its person ended by SNS's link.
   */
  confirmedEndpoints(): Promise<Set<string>>;
  /** Ends the subscription `endpoint`; one already gone is no error. */
  unsubscribe(endpoint: string): Promise<void>;
}

/** Why a subscription request was not taken. */
export type SubscriptionRefusal =
  | "off"
  | "invalid"
  | "unknown-service"
  | "full"
  | "rate-limited"
  | "limit-per-destination"
  | "code"
  | "token";

/** Raised when a subscription request is not taken; the API decides how to answer. */
export class SubscriptionRefused extends OutcryError {
  constructor(
    readonly reason: SubscriptionRefusal,
    message: string,
    /** The request field at fault, when one is. */
    readonly field?: string,
    /** For "rate-limited", "full" and "limit-per-destination": seconds until trying again helps. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "SubscriptionRefused";
  }
}
