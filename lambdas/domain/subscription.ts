/**
 * Self-service subscriptions: the rules of one, whatever stores it or carries it.
 *
 * - An address is personal data, so outcry keeps none: the address lives in the SNS
 *   subscription that delivers to it, and outcry's record names it only by a keyed hash
 *   ({@link destinationKey}), enough to refuse a second subscription and to count the
 *   confirmations sent to it, not to read it back.
 * - Nothing reaches an address until it is confirmed. Email is confirmed by SNS's own
 *   link (SNS delivers nothing to a subscription still pending), so an email subscriber
 *   is in audiences from the start; a text number is confirmed by a one-time code, and
 *   only then joins audiences ({@link recipientOfSubscription}).
 * - Unsubscribing needs a token only the subscriber was given ({@link unsubscribeToken}),
 *   signed with a key derived from the deployment's secret salt.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Recipient } from "./audience";

/** How a subscriber is reached. */
export type SubscriptionChannel = "email" | "sms";

/** A self-service subscription as stored (no address: see the module's note). */
export interface SelfSubscription {
  /** `self-` and 20 random hex digits: the id audiences and the SNS filter policy name. */
  id: string;
  channel: SubscriptionChannel;
  /** The keyed hash of the normalized address ({@link destinationKey}). */
  destination: string;
  /** Only these services, or (either matches) these categories; neither: everything. */
  services?: string[] | undefined;
  categories?: string[] | undefined;
  /** Also growth updates. */
  updates: boolean;
  state: "pending" | "confirmed";
  createdAt: number;
  confirmedAt: number | null;
  /** When a pending subscription is dropped; null once confirmed. */
  expiresAt: number | null;
  /** What delivers to it: the SNS subscription ARN (locally, the stand-in's id); "" before it exists. */
  endpoint: string;
  /** The keyed hash of the one-time code of a pending SMS subscription. */
  codeHash: string | null;
  /** Wrong codes given so far. */
  codeAttempts: number;
}

/** Prefix of self-service subscriber ids (configured ones start with `sub-` or are named). */
export const SELF_SUBSCRIBER_PREFIX = "self-";

/** Longest email address (RFC 5321's path limit less the brackets). */
const MAX_EMAIL_LENGTH = 254;
/**
 * A mailbox `local@domain`: no spaces, quotes or brackets in the local part, a domain of
 * dot-separated labels. Each label starts after a literal dot, so matching is linear.
 */
const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** E.164: a plus, a country code, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** An address read from a request, or why it is not one. */
export type NormalizedAddress = { ok: true; address: string } | { ok: false; problem: string };

/**
 * The address as outcry subscribes and hashes it: an email address trimmed and lower
 * case; a phone number without the spaces, dots, dashes and brackets people write.
 * @example normalizeAddress("sms", "+1 (555) 555-0123") // { ok: true, address: "+15555550123" }
 */
export function normalizeAddress(channel: SubscriptionChannel, raw: string): NormalizedAddress {
  if (channel === "email") {
    const address = raw.trim().toLowerCase();
    if (address.length > MAX_EMAIL_LENGTH || !EMAIL.test(address)) {
      return { ok: false, problem: "is not an email address such as 'name@example.org'" };
    }
    return { ok: true, address };
  }
  const address = raw.length <= 40 ? raw.replace(/[\s.()-]/g, "") : raw;
  if (!E164.test(address)) {
    return {
      ok: false,
      problem: "is not a phone number in E.164 form with its country code, e.g. '+15555550123'",
    };
  }
  return { ok: true, address };
}

/** The key subscription hashes and tokens are made with, derived from the deployment's salt. */
export function subscriptionKey(salt: string): string {
  return createHmac("sha256", salt).update("outcry subscriptions").digest("hex");
}

const keyed = (key: string, value: string) =>
  createHmac("sha256", key).update(value).digest("hex").slice(0, 32);

/** The keyed hash that stands for a normalized address in the store. */
export function destinationKey(key: string, channel: SubscriptionChannel, address: string): string {
  return keyed(key, `destination:${channel}:${address}`);
}

/** The keyed hash of a one-time code, bound to the subscription it was sent for. */
export function codeHash(key: string, id: string, code: string): string {
  return keyed(key, `code:${id}:${code}`);
}

/** True when `code` is the one whose hash is `expected` (compared in constant time). */
export function codeMatches(key: string, id: string, code: string, expected: string): boolean {
  const given = Buffer.from(codeHash(key, id, code));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * A one-time code of six digits from `randomInt` (crypto's, in the functions).
 * @example oneTimeCode(randomInt) // "048213"
 */
export function oneTimeCode(randomInt: (max: number) => number): string {
  return String(randomInt(1_000_000)).padStart(6, "0");
}

/**
 * The token that unsubscribes `id`: the id and an HMAC of it, so only whoever was given
 * it (the subscriber, at confirmation) can end the subscription.
 * @example unsubscribeToken(key, "self-0a1b…") // "self-0a1b….3f9c…"
 */
export function unsubscribeToken(key: string, id: string): string {
  return `${id}.${keyed(key, `unsubscribe:${id}`)}`;
}

/** The subscription a token names, or null when the token is not one of ours. */
export function subscriptionOfToken(key: string, token: string): string | null {
  const dot = token.lastIndexOf(".");
  if (dot <= 0 || token.length > 100) return null;
  const id = token.slice(0, dot);
  const given = Buffer.from(token);
  const expected = Buffer.from(unsubscribeToken(key, id));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

/**
 * The recipient a subscription is in audiences as, or null while it must hear nothing:
 * an SMS subscription before its code came back. An email subscription is one from the
 * start, because SNS itself holds every message back until the person clicks its link.
 */
export function recipientOfSubscription(subscription: SelfSubscription): Recipient | null {
  if (subscription.channel === "sms" && subscription.state !== "confirmed") return null;
  return {
    id: subscription.id,
    services: subscription.services,
    categories: subscription.categories,
    updates: subscription.updates,
    // The number itself is SNS's to keep; the cap only needs to know this one texts.
    ...(subscription.channel === "sms" ? { sms: "(kept by SNS)" } : {}),
    quietHours: [],
  };
}

/** How many subscriptions count against the limits, and how many of them wait. */
export function subscriptionCounts(subscriptions: readonly SelfSubscription[]): {
  total: number;
  pending: number;
} {
  return {
    total: subscriptions.length,
    pending: subscriptions.filter((s) => s.state === "pending").length,
  };
}
