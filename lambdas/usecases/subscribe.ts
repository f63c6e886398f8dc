/**
 * Use case: someone asks for alerts at an address (`POST /subscriptions`). Steps:
 * 1. Check the channel is open, hold the client address to its minute
 *    (`subscriptions.perClientPerMinute`) and redeem its solved challenge, as a report's.
 * 2. Check the address and the services or categories it names.
 * 3. Bring the records in line with SNS ({@link tidySubscriptions}): waiting ones past
 *    their time are dropped; where the limits are reached, emails confirmed or ended at
 *    SNS meanwhile are noted.
 * 4. An address already subscribed or waiting changes nothing and is sent nothing: the
 *    answer is the same, so it tells no one whether an address is subscribed.
 * 5. Refuse past `subscriptions.max` or `maxPending` (503), or when the address was sent
 *    `perDestinationPerDay` confirmations today (429): no one can flood an inbox or a
 *    phone bill through the form.
 * 6. Record the subscription, then subscribe the address at SNS, filtered on the new id
 *    (for email SNS sends its confirmation now); for SMS send the one-time code, once.
 *    The record comes first, so an SNS subscription never exists without one to end it.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Category } from "../../contract/catalog";
import { HOUR_MS, MINUTE_MS } from "../domain/buckets";
import type { Config } from "../domain/config";
import { echoed } from "../domain/echoed";
import { ReportRejected, type SpentChallenges } from "../domain/ports";
import { serviceById } from "../domain/service-lookup";
import {
  codeHash,
  destinationKey,
  normalizeAddress,
  oneTimeCode,
  SELF_SUBSCRIBER_PREFIX,
  type SelfSubscription,
  type SubscriptionChannel,
  subscriptionCounts,
  subscriptionKey,
} from "../domain/subscription";
import {
  type SubscriptionGateway,
  SubscriptionRefused,
  type SubscriptionStore,
} from "../domain/subscription-ports";
import { redeemReportChallenge } from "./report-challenge";
import {
  type AdmittedReporter,
  admitReporter,
  type ReporterAddressDependencies,
} from "./reporter-address";

/** What the subscription use cases need. */
export interface SubscriptionDependencies extends ReporterAddressDependencies {
  config: Config;
  subscriptions: SubscriptionStore;
  /** What delivers to subscribers; absent where no topic is (the route answers 503). */
  gateway?: SubscriptionGateway;
  spentChallenges: SpentChallenges;
  /** Random integers below `max` (crypto's by default): one-time codes. */
  randomInt?: (max: number) => number;
}

/** A subscription request, as the API read it. */
export interface SubscriptionRequest {
  channel: SubscriptionChannel;
  address: string;
  services?: string[] | undefined;
  categories?: Category[] | undefined;
  updates?: boolean | undefined;
  altcha?: string | undefined;
  sourceIp: string;
  nowMs: number;
}

/** What `POST /subscriptions` answers (202). */
export interface SubscriptionReceipt {
  status: "pending";
  channel: SubscriptionChannel;
  /** The id to confirm an SMS subscription with. */
  subscription: string;
  /** How it is confirmed: SNS's link in an email, or the code in a text. */
  confirmWith: "link" | "code";
}

/**
 * Codes and unsubscribes one address may send a minute: a person mistyping a code twice
 * and unsubscribing fits; guessing a code does not, since each subscription takes only
 * `subscriptions.codeAttempts` wrong ones.
 * @example codeRequestsPerMinute(3) // 10
 */
export function codeRequestsPerMinute(perClientPerMinute: number): number {
  return Math.max(10, 3 * perClientPerMinute);
}

/** The gateway, or a 503 when this runtime has none. */
export function gatewayOf(deps: Pick<SubscriptionDependencies, "gateway">): SubscriptionGateway {
  if (!deps.gateway) {
    throw new SubscriptionRefused("off", "this runtime has no notification topic to subscribe to");
  }
  return deps.gateway;
}

/**
 * The client admitted for a subscription route, its minute counted: a request for a
 * subscription within `subscriptions.perClientPerMinute`; a code or an unsubscribe (which
 * send nothing) within {@link codeRequestsPerMinute} of their own.
 */
export async function admitSubscriber(
  deps: SubscriptionDependencies,
  sourceIp: string,
  nowMs: number,
  purpose: "subscribe" | "subscription-code" = "subscribe",
): Promise<AdmittedReporter> {
  const { perClientPerMinute } = deps.config.subscriptions;
  try {
    return await admitReporter(deps, {
      sourceIp,
      purpose,
      limit:
        purpose === "subscribe" ? perClientPerMinute : codeRequestsPerMinute(perClientPerMinute),
      nowMs,
    });
  } catch (error) {
    if (!(error instanceof ReportRejected)) throw error;
    throw new SubscriptionRefused(
      error.reason === "rate-limited" ? "rate-limited" : "invalid",
      error.message,
      undefined,
      error.retryAfterSeconds,
    );
  }
}

/** Drops `subscription`: its SNS subscription first, then its record. */
export async function dropSubscription(
  deps: Pick<SubscriptionDependencies, "subscriptions" | "gateway">,
  subscription: SelfSubscription,
): Promise<void> {
  if (subscription.endpoint) await gatewayOf(deps).unsubscribe(subscription.endpoint);
  await deps.subscriptions.remove(subscription.id);
}

/**
 * Brings the records in line with SNS: waiting ones past their time are dropped; when the
 * waiting ones reach `maxPending` or all reach `max`, the topic's confirmed subscriptions
 * are listed once, an email confirmed meanwhile is noted, and a confirmed email whose
 * person left by SNS's link is forgotten. Returns what is left.
 */
export async function tidySubscriptions(
  deps: SubscriptionDependencies,
  all: readonly SelfSubscription[],
  nowMs: number,
): Promise<SelfSubscription[]> {
  const { max, maxPending } = deps.config.subscriptions;
  const expired = all.filter((s) => s.state === "pending" && (s.expiresAt ?? 0) <= nowMs);
  for (const subscription of expired) await dropSubscription(deps, subscription);
  let left = all.filter((s) => !expired.includes(s));
  const counts = subscriptionCounts(left);
  if (counts.pending < maxPending && counts.total < max) return left;
  const confirmed = await gatewayOf(deps).confirmedEndpoints();
  const emails = left.filter((s) => s.channel === "email" && s.endpoint !== "");
  for (const subscription of emails) {
    const listed = confirmed.has(subscription.endpoint);
    if (listed && subscription.state === "pending") {
      await deps.subscriptions.update(subscription.id, {
        state: "confirmed",
        confirmedAt: nowMs,
        expiresAt: null,
      });
    } else if (!listed && subscription.state === "confirmed") {
      await deps.subscriptions.remove(subscription.id);
    }
  }
  left = left.flatMap((s): SelfSubscription[] => {
    if (!emails.includes(s)) return [s];
    const listed = confirmed.has(s.endpoint);
    if (!listed && s.state === "confirmed") return [];
    return listed && s.state === "pending"
      ? [{ ...s, state: "confirmed", confirmedAt: nowMs, expiresAt: null }]
      : [s];
  });
  return left;
}

/** Refuses services or categories that are not the config's. */
function checkInterests(config: Config, request: SubscriptionRequest): void {
  request.services?.forEach((id, index) => {
    if (!serviceById(config, id)) {
      throw new SubscriptionRefused(
        "unknown-service",
        `no service has id ${echoed(id)}; GET /services lists them`,
        `services.${index}`,
      );
    }
  });
}

/**
 * Takes a subscription request: records it and has SNS confirm the address.
 * @throws SubscriptionRefused for anything the client must change, or when full
 */
export async function requestSubscription(
  deps: SubscriptionDependencies,
  request: SubscriptionRequest,
): Promise<SubscriptionReceipt> {
  const settings = deps.config.subscriptions;
  const { channel, nowMs } = request;
  // 1. Open, admitted, and paid for with a solved challenge.
  if (!settings[channel] || settings.max === 0) {
    throw new SubscriptionRefused(
      "off",
      `${channel === "email" ? "email" : "SMS"} subscriptions are off here (subscriptions.${channel} in the config)`,
    );
  }
  const gateway = gatewayOf(deps);
  const client = await admitSubscriber(deps, request.sourceIp, nowMs);
  if (deps.config.reports.challenge !== false) {
    try {
      await redeemReportChallenge(deps, client, request.altcha, nowMs);
    } catch (error) {
      if (!(error instanceof ReportRejected)) throw error;
      throw new SubscriptionRefused("invalid", error.message, "altcha");
    }
  }
  // 2. The address and what it asks for.
  const normalized = normalizeAddress(channel, request.address);
  const field = channel === "email" ? "email" : "phone";
  if (!normalized.ok) {
    throw new SubscriptionRefused("invalid", `${field} ${normalized.problem}`, field);
  }
  checkInterests(deps.config, request);
  const key = subscriptionKey(client.salt);
  const destination = destinationKey(key, channel, normalized.address);
  // 3. The records as SNS has them, where the limits are near.
  const all = await tidySubscriptions(deps, await deps.subscriptions.all(), nowMs);
  // 4. An address known already: the same answer, nothing sent.
  const confirmWith = channel === "email" ? "link" : "code";
  const known = all.find((s) => s.destination === destination && s.channel === channel);
  if (known) return { status: "pending", channel, subscription: known.id, confirmWith };
  // 5. The limits.
  const counts = subscriptionCounts(all);
  if (counts.total >= settings.max || counts.pending >= settings.maxPending) {
    throw new SubscriptionRefused(
      "full",
      counts.total >= settings.max
        ? "this deployment has as many subscribers as it takes; try again later"
        : "too many subscriptions wait for their confirmation; try again in an hour",
      undefined,
      3600,
    );
  }
  if (
    !(await deps.subscriptions.takeConfirmation(destination, settings.perDestinationPerDay, nowMs))
  ) {
    throw new SubscriptionRefused(
      "limit-per-destination",
      `this ${channel === "email" ? "address" : "number"} was sent ${settings.perDestinationPerDay} confirmations today; try again tomorrow (UTC)`,
      field,
      Math.ceil((86_400_000 - (nowMs % 86_400_000)) / 1000),
    );
  }
  // 6. Recorded, subscribed, and for SMS sent its code.
  const id = `${SELF_SUBSCRIBER_PREFIX}${randomBytes(10).toString("hex")}`;
  const code = channel === "sms" ? oneTimeCode(deps.randomInt ?? randomInt) : null;
  const subscription: SelfSubscription = {
    id,
    channel,
    destination,
    services: request.services,
    categories: request.categories,
    updates: request.updates ?? false,
    state: "pending",
    createdAt: nowMs,
    confirmedAt: null,
    expiresAt: nowMs + (code ? settings.codeMinutes * MINUTE_MS : settings.pendingHours * HOUR_MS),
    endpoint: "",
    codeHash: code ? codeHash(key, id, code) : null,
    codeAttempts: 0,
  };
  await deps.subscriptions.add(subscription);
  let endpoint: string;
  try {
    endpoint = await gateway.subscribe(channel, normalized.address, id);
  } catch (error) {
    await deps.subscriptions.remove(id);
    throw error;
  }
  await deps.subscriptions.update(id, { endpoint });
  if (code) {
    await gateway.sendText(
      id,
      `outcry code ${code}: enter it to get outage texts. Valid ${settings.codeMinutes} min. Not you? Ignore this.`,
    );
  }
  return { status: "pending", channel, subscription: id, confirmWith };
}
