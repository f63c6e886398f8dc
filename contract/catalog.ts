/**
 * Facts about services every step shares, the dashboard included, with no dependency
 * (the Lambda bundles import these without the config schema): problem kinds per
 * category, the crowd source id, the kinds of source, message attributes, bucket widths,
 * time-zone lookups.
 */

/** Problem kinds a crowd reporter may choose, per service category. */
export const PROBLEM_KINDS = {
  carrier: ["no-signal", "mobile-data", "calls", "texts", "total-outage"],
  isp: ["no-internet", "slow", "wifi", "tv", "phone", "total-outage"],
  cloud: ["console", "api", "login", "degraded", "total-outage"],
  app: ["login", "app-crash", "website", "payments", "total-outage"],
  other: ["partial", "total-outage"],
} as const;

/** A service category; it decides which problem kinds crowd reports may name. */
export type Category = keyof typeof PROBLEM_KINDS;

/** Any problem kind of any category. */
export type ProblemKind = (typeof PROBLEM_KINDS)[Category][number];

/**
 * The words for each problem kind, as a page shows them ("No signal"); a timeline writes
 * them in lower case. A kind added to {@link PROBLEM_KINDS} without a label fails the
 * type check.
 */
export const PROBLEM_LABELS: Readonly<Record<ProblemKind, string>> = {
  "no-signal": "No signal",
  "mobile-data": "Mobile data",
  calls: "Calls",
  texts: "Texts",
  "total-outage": "Total outage",
  "no-internet": "No internet",
  slow: "Slow connection",
  wifi: "Wi-Fi",
  tv: "TV",
  phone: "Phone",
  console: "Console",
  api: "API",
  login: "Logging in",
  degraded: "Slow or degraded",
  "app-crash": "App crashes",
  website: "Website",
  payments: "Payments",
  partial: "Partly down",
};

/**
 * How a service is doing: normal (as expected), elevated (above what the detector counts
 * as quiet), outage (an incident is open).
 */
export const SERVICE_STATUSES = ["normal", "elevated", "outage"] as const;

/** Source id of crowd reports in series, weights and health records. */
export const CROWD_SOURCE_ID = "reports";

/** The kinds of source, as the API names them: crowd reports, then each configurable kind. */
export const SOURCE_KINDS = [
  "crowd-reports",
  "replay",
  "statuspage",
  "mastodon",
  "http-json",
  "rss",
  "statusio",
  "instatus",
  "gcp-status",
  "aws-health",
  "betterstack",
  "cachet",
  "bluesky",
] as const;

/** A kind of source. */
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Message attributes every notification carries; subscription filter policies match them. */
export const MESSAGE_ATTRIBUTES = {
  service: "service",
  category: "category",
  transition: "transition",
  /** Ids of the subscribers and webhooks that may receive the message (String.Array). */
  audience: "audience",
  /** The message's delivery key, which a redelivered or republished message keeps. */
  key: "key",
} as const;

/** Bucket widths the detector and the store support, in minutes. */
export const BUCKET_MINUTES = [1, 5, 10, 15] as const;

/** True when `zone` is an IANA time zone this Node build knows. */
export function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
