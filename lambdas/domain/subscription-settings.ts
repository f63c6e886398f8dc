/**
 * The settings of self-service subscriptions (`subscriptions` in the config): who may
 * subscribe at `POST /subscriptions`, and the limits that keep the form from being used
 * against anyone (subscribing a victim, running up an SMS bill, filling SNS's quota).
 */
import * as z from "zod";

/**
 * Filter policies SNS allows on one topic unless AWS raised the quota: every subscriber
 * (configured or self-service) is a subscription with a filter policy, and so is the
 * webhook function.
 */
export const SNS_FILTER_POLICIES_PER_TOPIC = 200;

const count = (min: number, max: number, fallback: number, description: string) =>
  z.number().int().min(min).max(max).default(fallback).describe(description);

/** Self-service subscriptions. */
export const SubscriptionSettingsSchema = z
  .object({
    email: z
      .boolean()
      .default(true)
      .describe(
        "take email subscriptions at POST /subscriptions; SNS sends the confirmation, and nothing else reaches the address until it is confirmed",
      ),
    sms: z
      .boolean()
      .default(false)
      .describe(
        "take SMS subscriptions, confirmed by a one-time code (each text costs money; an account in the SMS sandbox texts only verified numbers)",
      ),
    max: count(
      0,
      100_000,
      150,
      "self-service subscriptions kept at once, confirmed or waiting; each is an SNS subscription with a filter policy (see filterPolicyQuota)",
    ),
    maxPending: count(
      1,
      1000,
      20,
      "subscriptions waiting for confirmation at once; past it POST /subscriptions answers 503 until some are confirmed or expire",
    ),
    perClientPerMinute: count(
      1,
      100,
      3,
      "subscription requests one client address may make per minute (429 past it)",
    ),
    perDestinationPerDay: count(
      1,
      20,
      3,
      "confirmation emails or codes one address or number may be sent per UTC day",
    ),
    codeMinutes: count(5, 60, 15, "minutes an SMS confirmation code is valid"),
    codeAttempts: count(1, 10, 5, "wrong codes after which a waiting SMS subscription is dropped"),
    pendingHours: count(
      1,
      72,
      48,
      "hours an email subscription may wait for its confirmation before outcry drops it",
    ),
    filterPolicyQuota: count(
      1,
      1_000_000,
      SNS_FILTER_POLICIES_PER_TOPIC,
      "filter policies SNS allows on the notification topic (200 by default); raise it only after AWS raised the quota of your account",
    ),
  })
  .strict();

/** Validated subscription settings. */
export type SubscriptionSettings = z.infer<typeof SubscriptionSettingsSchema>;

/** True when `POST /subscriptions` takes anything. */
export function subscriptionsOpen(settings: SubscriptionSettings): boolean {
  return (settings.email || settings.sms) && settings.max > 0;
}
