/**
 * The one configuration schema shared by the CDK app, the local runtime and the
 * backtest. Everything a user can set lives here, validated with zod so that a mistake
 * fails `cdk synth` or `npm start` with a message naming the field. The Lambda functions
 * receive the configuration already validated and normalized at synth, so their bundles
 * do not carry this schema (see `lambdas/wiring/bundled-config.ts`).
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import {
  BUCKET_MINUTES,
  type Category,
  CROWD_SOURCE_ID,
  isIanaTimeZone,
  PROBLEM_KINDS,
} from "../../contract/catalog";
import { REGION_AREAS, regionOf } from "../../contract/regions";
import { AwsHealthSourceSchema } from "../sources/aws-health/config";
import { BetterstackSourceSchema } from "../sources/betterstack/config";
import { BlueskySourceSchema } from "../sources/bluesky/config";
import { CachetSourceSchema } from "../sources/cachet/config";
import { GcpStatusSourceSchema } from "../sources/gcp-status/config";
import { HttpJsonSourceSchema } from "../sources/http-json/config";
import { InstatusSourceSchema } from "../sources/instatus/config";
import { MastodonSourceSchema } from "../sources/mastodon/config";
import { ReplaySourceSchema } from "../sources/replay/config";
import { RssSourceSchema } from "../sources/rss/config";
import { StatusioSourceSchema } from "../sources/statusio/config";
import { StatuspageSourceSchema } from "../sources/statuspage/config";
import { parseIso } from "./buckets";
import {
  ConcurrencySchema,
  DEFAULT_CONCURRENCY,
  e164,
  OperatorSchema,
  ShardSettingsSchema,
  SmsSettingsSchema,
} from "./deployment-schema";
import { recipientIdSchema, serviceIdSchema, webOriginSchema } from "./field-schemas";
import { WEEKDAYS } from "./maintenance";
import { OutcryError } from "./outcry-error";
import { SubscriptionSettingsSchema, subscriptionsOpen } from "./subscription-settings";

const categories = Object.keys(PROBLEM_KINDS) as [Category, ...Category[]];

const timeZone = z
  .string()
  .refine(isIanaTimeZone, "not an IANA time zone; use a name such as 'America/New_York'");

/** One configured source of counts for a service, by `kind`. */
export const SourceSchema = z.discriminatedUnion("kind", [
  ReplaySourceSchema,
  StatuspageSourceSchema,
  MastodonSourceSchema,
  HttpJsonSourceSchema,
  RssSourceSchema,
  StatusioSourceSchema,
  InstatusSourceSchema,
  GcpStatusSourceSchema,
  AwsHealthSourceSchema,
  BetterstackSourceSchema,
  CachetSourceSchema,
  BlueskySourceSchema,
]);

/** Crowd reports posted to `POST /reports` for one service. */
export const CrowdReportsSchema = z
  .object({
    enabled: z.boolean().default(true),
    weight: z.number().positive().max(1000).default(1),
  })
  .strict();

const clockTime = z
  .string()
  // "24:00" ends a window at midnight, so a whole day is "00:00" to "24:00".
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "use a 24-hour local time such as '02:00'")
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

const instant = z
  .string()
  .refine(
    (text) => !Number.isNaN(parseIso(text)),
    "use an ISO-8601 time with a zone, e.g. '2024-06-01T02:00:00Z'",
  )
  .transform(parseIso);

/**
 * A maintenance window: one-off (`start`, `end`: ISO-8601 times) or recurring (`days`,
 * default every day, and `from`/`to` local times in the service's zone; `to` before
 * `from` runs past midnight, and `to` may be "24:00" to end at midnight). No notification goes out for an incident opening inside.
 */
export const MaintenanceWindowSchema = z.union(
  [
    z
      .object({ start: instant, end: instant })
      .strict()
      .refine((w) => w.end > w.start, { message: "end must be after start", path: ["end"] }),
    z
      .object({
        days: z
          .array(z.enum(WEEKDAYS, { error: `use ${WEEKDAYS.join(", ")}` }))
          .min(1)
          .default([...WEEKDAYS]),
        from: clockTime,
        to: clockTime,
      })
      .strict()
      .refine((w) => w.from !== w.to, { message: "from and to must differ", path: ["to"] })
      .refine((w) => w.from < 24 * 60, {
        message: "a window starts before '24:00'; use '00:00' for midnight",
        path: ["from"],
      }),
  ],
  {
    error:
      "give either {start, end} (ISO-8601 times) or {days, from, to} (e.g. ['sun'], '02:00', '04:00')",
  },
);

/** A watched service. */
export const ServiceSchema = z
  .object({
    id: serviceIdSchema.describe("stable id used in URLs, e.g. 't-mobile'"),
    name: z.string().trim().min(1).max(60).describe("display name, e.g. 'T-Mobile'"),
    category: z.enum(categories, {
      error: () => `unknown category; use one of ${categories.join(", ")}`,
    }),
    timeZone: timeZone.default("America/New_York").describe("IANA zone the timelines are told in"),
    area: z
      .enum(REGION_AREAS, { error: () => `unknown area; use ${REGION_AREAS.join(" or ")}` })
      .default("world")
      .describe(
        "where its reports come from: 'us' (a reporter picks a US state) or 'world' (a country); the map and the timeline's 'where' use it",
      ),
    reports: CrowdReportsSchema.default({ enabled: true, weight: 1 }),
    sources: z.array(SourceSchema).max(10).default([]),
    maintenance: z
      .array(MaintenanceWindowSchema)
      .max(50)
      .default([])
      .describe("windows of planned work: incidents opening inside are recorded, not notified"),
    provider: z
      .boolean()
      .optional()
      .describe(
        "true for infrastructure other services run on (a cloud, a CDN): the incidents its status sources state may be named as the likely upstream of a wave of other services' openings; default true for a service read from aws-health or gcp-status",
      ),
    dependsOn: z
      .array(
        z
          .string()
          .regex(
            /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?(?::[a-z0-9][a-z0-9 ._/-]{0,79})?$/,
            "use a service id, or a service id and a scope (region, product or component, lower-case), e.g. 'aws:us-east-1'",
          ),
      )
      .max(20)
      .default([])
      .describe(
        "what this service runs on: service ids, or 'service:scope' for a provider's region, product or component (e.g. 'aws:us-east-1'); an opening inside an upstream's incident names it and goes out with it",
      ),
  })
  .strict()
  .superRefine((service, ctx) => {
    const seen = new Set<string>(service.reports.enabled ? [CROWD_SOURCE_ID] : []);
    service.sources.forEach((source, index) => {
      if (seen.has(source.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["sources", index, "id"],
          message: `source id '${source.id}' is used twice in this service; give each source its own id`,
        });
      }
      seen.add(source.id);
    });
    if (seen.size === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["sources"],
        message: "the service has no source of counts; enable reports or add a source",
      });
    }
    service.sources.forEach((source, index) => {
      if (source.kind !== "replay" || !source.split) return;
      const kinds: readonly string[] = PROBLEM_KINDS[service.category];
      for (const kind of Object.keys(source.split.problems ?? {})) {
        if (kinds.includes(kind)) continue;
        ctx.addIssue({
          code: "custom",
          path: ["sources", index, "split", "problems", kind],
          message: `'${kind}' is not a problem kind of the ${service.category} category; use ${kinds.join(", ")}`,
        });
      }
      for (const code of Object.keys(source.split.regions ?? {})) {
        if (regionOf(service.area, code)) continue;
        ctx.addIssue({
          code: "custom",
          path: ["sources", index, "split", "regions", code],
          message: `'${code}' is not a region of the service's area '${service.area}'; use ${service.area === "us" ? "a state code such as US-TX" : "a country code such as DE"}`,
        });
      }
    });
  });

/**
 * The default id of a subscriber: a short hash of its address. It stays the same when the
 * entry is moved or its filters change (so an open incident's recorded audience still
 * names it after a redeploy), and it keeps addresses out of message attributes and logs.
 * @example defaultSubscriberId("noc@example.com") // "sub-" + 10 hex digits
 */
export function defaultSubscriberId(endpoint: string): string {
  return `sub-${createHash("sha256").update(endpoint).digest("hex").slice(0, 10)}`;
}

/** What a subscriber or a webhook receives, and when it does not. */
const recipientFields = {
  services: z.array(serviceIdSchema).min(1).optional(),
  categories: z.array(z.enum(categories)).min(1).optional(),
  updates: z
    .boolean()
    .default(false)
    .describe("also receive updates when an incident keeps growing"),
  timeZone: timeZone.optional().describe("IANA zone the recurring quiet hours are read in"),
  quietHours: z
    .array(MaintenanceWindowSchema)
    .max(20)
    .default([])
    .describe(
      "windows with no opened or update message; a resolved still reaches whoever was told of the opening",
    ),
};

/** Recurring quiet hours need a zone to be read in. */
function quietHoursHaveZone(
  recipient: { timeZone?: string | undefined; quietHours: readonly object[] },
  ctx: z.core.$RefinementCtx,
): void {
  if (recipient.timeZone === undefined && recipient.quietHours.some((w) => "days" in w)) {
    ctx.addIssue({
      code: "custom",
      path: ["timeZone"],
      message: "recurring quietHours are local times; give the IANA zone, e.g. 'Europe/Berlin'",
    });
  }
}

/** Someone who receives notifications, optionally only for some services or categories. */
export const SubscriberSchema = z
  .object({
    id: recipientIdSchema
      .optional()
      .describe("stable id in the audience attribute; default: a hash of the address"),
    email: z.email("not an email address").optional(),
    sms: e164.optional(),
    ...recipientFields,
  })
  .strict()
  .refine((s) => (s.email === undefined) !== (s.sms === undefined), {
    message: "give exactly one of 'email' or 'sms' per subscriber (add two entries for both)",
  })
  .superRefine(quietHoursHaveZone)
  .transform((s) => ({ ...s, id: s.id ?? defaultSubscriberId(s.email ?? s.sms ?? "") }));

/**
 * A webhook that receives a Slack-compatible JSON body, filtered like a subscriber. Its
 * URL is a secret: in AWS it is read from Secrets Manager (`secret`, or one the stack
 * creates), never from the bundled config; locally from `OUTCRY_WEBHOOK_URL_<ID>` or `url`.
 */
export const WebhookSchema = z
  .object({
    id: recipientIdSchema.describe(
      "names the webhook: its secret in AWS, OUTCRY_WEBHOOK_URL_<ID> locally",
    ),
    url: z
      .url({
        protocol: /^https?$/,
        error: "use an http(s) URL, e.g. 'https://hooks.slack.com/...'",
      })
      .optional()
      .describe("the webhook URL for npm start only; never deployed (AWS reads `secret`)"),
    secret: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+|[\w/+=.@-]{1,512})$/,
        "give the name or ARN of a Secrets Manager secret",
      )
      .optional()
      .describe(
        "name or ARN of an existing Secrets Manager secret holding the URL; default: the stack creates one to fill in",
      ),
    ...recipientFields,
  })
  .strict()
  .superRefine(quietHoursHaveZone);

/** A whole number of minutes from 1 to a day, with its default and what it means. */
function minutesUpToADay(fallback: number, description: string) {
  return z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(fallback)
    .describe(description);
}

/**
 * Thresholds of the detector, in reports and minutes, so they mean the same at any
 * bucket width. `minExcess` and `confirmBuckets`, the per-bucket thresholds of earlier
 * releases, are still read (see `effectiveThresholds` in detector-thresholds.ts).
 */
export const DetectorSettingsSchema = z
  .object({
    /** An incident needs the count at least this many times the baseline... */
    minRatio: z
      .number()
      .min(1)
      .max(1000)
      .default(4)
      .describe(
        "an incident needs the count at least this many times the baseline (over 5 minutes, or the bucket when wider)",
      ),
    /** ...and at least this many reports above the baseline over `confirmMinutes`. */
    minReports: z
      .number()
      .min(1)
      .default(20)
      .describe("...and at least this many reports above the baseline over confirmMinutes"),
    /** How long a surge must last before it opens an incident (an extreme one opens at once). */
    confirmMinutes: minutesUpToADay(
      15,
      "minutes a surge must last before an incident opens (at least one bucket; an extreme surge opens at once)",
    ),
    /** Earlier releases: reports above the baseline each bucket must have. */
    minExcess: z
      .number()
      .min(1)
      .optional()
      .describe(
        "deprecated, per bucket (earlier releases): when set, minReports = minExcess x confirmBuckets and confirmMinutes = confirmBuckets x bucketMinutes, the other at its old default (20, 3); use minReports and confirmMinutes",
      ),
    /** Earlier releases: abnormal buckets in a row before an incident opens. */
    confirmBuckets: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe("deprecated, per bucket (earlier releases): see minExcess; use confirmMinutes"),
    /** An incident resolves after the count stays below `resolveRatio` x baseline this long. */
    resolveRatio: z
      .number()
      .min(1)
      .max(100)
      .default(1.5)
      .describe("quiet means below this many times the baseline"),
    resolveMinutes: minutesUpToADay(30, "minutes of quiet that resolve an incident"),
    /** Incidents of other services that overlap by this much are correlated. */
    correlationWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(30)
      .describe("incidents of other services this close in time are named as correlated"),
  })
  .strict();

/** Crowd-report intake settings. */
/**
 * The proof of work of a report (an ALTCHA challenge, PBKDF2/SHA-256): the client tries
 * counters until one derives the key the challenge names. Expected work is `cost` x
 * `maxCounter` x 3/4 PBKDF2 rounds: about a second in a current browser by default, so a
 * person barely notices and a botnet pays a CPU-second for each report.
 */
export const ReportChallengeSchema = z
  .object({
    cost: z.number().int().min(1).max(100_000).default(1000).describe("PBKDF2 rounds per attempt"),
    maxCounter: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .default(5000)
      .describe(
        "the secret counter is drawn from maxCounter/2 to maxCounter: attempts a solver needs",
      ),
    expiresSeconds: z
      .number()
      .int()
      .min(30)
      .max(3600)
      .default(300)
      .describe("how long a challenge may be solved and used (once)"),
  })
  .strict();

export const ReportSettingsSchema = z
  .object({
    /** One report per reporter per service counts within this many minutes. */
    dedupMinutes: minutesUpToADay(
      15,
      "one report per reporter per service counts in each window of this many minutes (UTC-aligned)",
    ),
    /** Reports one client address may post per minute before getting 429. */
    ratePerMinute: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(30)
      .describe("reports one address may post per minute before getting 429"),
    /** Partitions report items are spread over (DynamoDB allows ~1,000 writes/s each). */
    shards: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe("partitions reports of one bucket are spread over (~1,000 writes/s each)"),
    /** Counted reports one network may give per service and dedup window. */
    perNetwork: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(10)
      .describe(
        "reports from one network (see networkPrefixes) that count per service and dedup window; later ones are kept but not counted, so a botnet in one network cannot open an incident alone",
      ),
    /** How wide one network is, by address family. */
    networkPrefixes: z
      .object({
        ipv4: z
          .number()
          .int()
          .min(8)
          .max(32)
          .default(24)
          .describe("prefix length of one IPv4 network"),
        ipv6: z
          .number()
          .int()
          .min(16)
          .max(64)
          .default(48)
          .describe("prefix length of one IPv6 network"),
      })
      .strict()
      .default({ ipv4: 24, ipv6: 48 })
      .describe("how wide one network is for perNetwork: an IPv4 /24 and an IPv6 /48 by default"),
    /** The proof of work a report must carry, or false for none. */
    challenge: z
      .union([
        z.literal(false),
        ReportChallengeSchema,
        z.literal(true).transform(() => ReportChallengeSchema.parse({})),
      ])
      .default(ReportChallengeSchema.parse({}))
      .describe(
        "the proof of work each report carries (GET /reports/challenge, solved by the dashboard and `outcry report`): its cost, or false to take reports without one (tests, a trusted intranet)",
      ),
    /** Sites whose pages may post reports (an embedded report form); none by default. */
    embedOrigins: z
      .array(webOriginSchema)
      .max(20)
      .default([])
      .describe(
        "origins of other sites whose pages may post crowd reports (an embedded report form); by default only the API's own dashboard, scripts and servers may",
      ),
  })
  .strict();

/** When an open incident's "still elevated" reminders go (see `domain/reminders.ts`). */
export const ReminderSettingsSchema = z
  .object({
    afterMinutes: z
      .number()
      .int()
      .min(30)
      .max(7 * 24 * 60)
      .describe("minutes after the opening that the first reminder goes (30 to 10080)"),
    everyMinutes: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 60)
      .describe("minutes between one reminder and the next (60 to 10080, at least afterMinutes)"),
  })
  .strict()
  .refine((r) => r.everyMinutes >= r.afterMinutes, {
    message:
      "notifications.reminders.everyMinutes must be at least afterMinutes; raise everyMinutes or lower afterMinutes",
    path: ["everyMinutes"],
  });

/** How notifications go out. */
export const NotificationSettingsSchema = z
  .object({
    groupWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(240)
      .default(60)
      .describe(
        "incidents of one category opening this close together go out as one message; 0 never groups",
      ),
    peakMultiples: z
      .array(z.number().min(1.5).max(10_000))
      .max(10)
      .default([10])
      .describe(
        "send an update when an incident's peak first passes these multiples of its count at opening (to subscribers with updates: true)",
      ),
    smsCapMinutes: z
      .number()
      .int()
      .min(0)
      .max(240)
      .default(15)
      .describe(
        "at most one SMS per category per this many minutes per subscriber; the others are counted into the next ('+37 more since 10:05 p.m. ET'), or into a text of their own when the time is up; 0 never caps (email is never capped)",
      ),
    reminders: z
      .union([z.literal(false), ReminderSettingsSchema])
      .default({ afterMinutes: 120, everyMinutes: 360 })
      .describe(
        "'still elevated' reminders of an open incident, to whoever was told of it: the first afterMinutes after it opened, then one every everyMinutes while it stays open; false sends none",
      ),
  })
  .strict();

/**
 * A CloudFront distribution in front of the HTTP API (`api.frontDoor`): every route is
 * served through it, and the api function believes the viewer's address and country
 * headers only from requests that carry the distribution's secret origin header.
 */
export const FrontDoorSchema = z
  .object({
    priceClass: z
      .enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"])
      .default("PriceClass_100")
      .describe(
        "which CloudFront edge locations serve the API: PriceClass_100 (North America, Europe, Israel), PriceClass_200 (and most of Asia, the Middle East and Africa) or PriceClass_All",
      ),
  })
  .strict();

/** The HTTP API in AWS. */
export const ApiSettingsSchema = z
  .object({
    rateLimit: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1000)
      .describe("requests per second the HTTP API stage accepts (crowd report floods included)"),
    burstLimit: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .default(2000)
      .describe("requests the HTTP API stage accepts in a burst"),
    auth: z
      .enum(["none", "apiKey", "iam"])
      .default("none")
      .describe(
        "who may read services, series and incidents: anyone (none), holders of the API key kept in Secrets Manager (apiKey, sent as x-api-key), or IAM-signed requests (iam); the dashboard page, /health, /openapi.json and POST /reports stay public",
      ),
    corsOrigins: z
      .array(
        z.union([z.literal("*"), webOriginSchema], {
          error:
            "use '*' or an origin such as 'https://status.example.com' (scheme and host, no path)",
        }),
      )
      .min(1)
      .max(20)
      .default(["*"])
      .describe("origins whose pages may read the API from the browser; '*' allows any"),
    frontDoor: z
      .union([z.literal(false), FrontDoorSchema], {
        error:
          'use false (no front door) or an object such as {} or {"priceClass": "PriceClass_All"} (a CloudFront distribution in front of the API)',
      })
      .default(false)
      .describe(
        "a CloudFront distribution in front of the whole API ({} turns it on; the default false leaves API Gateway's URL the only one): reporters are then told apart by the address CloudFront saw, and a report with no region counts in the viewer's country or US state, believed only from requests carrying the distribution's secret origin header",
      ),
  })
  .strict()
  .superRefine((api, ctx) => {
    // A SigV4 signature covers the Host header, which CloudFront replaces with API
    // Gateway's own name: no signed read could pass through the distribution.
    if (api.frontDoor !== false && api.auth === "iam") {
      ctx.addIssue({
        code: "custom",
        path: ["frontDoor"],
        message:
          "api.frontDoor cannot serve api.auth iam (CloudFront replaces the Host header a SigV4 signature covers); use api.auth apiKey or none, or set frontDoor to false",
      });
    }
  });

/** The whole configuration file. */
export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    bucketMinutes: z
      .union([z.literal(1), z.literal(5), z.literal(10), z.literal(15)], {
        error: () => `use one of ${BUCKET_MINUTES.join(", ")} (minutes per bucket)`,
      })
      .default(5)
      .describe("width of a time-series bucket in minutes: 1, 5, 10 or 15"),
    scheduleMinutes: z
      .number()
      .int()
      .min(1)
      .max(15)
      .default(1)
      .describe("minutes between collect and detect runs"),
    retentionDays: z
      .number()
      .int()
      .min(7)
      .max(3650)
      .default(90)
      .describe("days counts, reports and incidents are kept"),
    services: z
      .array(ServiceSchema)
      .min(1, "watch at least one service")
      .describe("the services to watch"),
    subscribers: z
      .array(SubscriberSchema)
      .max(100)
      .default([])
      .describe("who gets email or SMS notifications"),
    webhooks: z
      .array(WebhookSchema)
      .max(20)
      .default([])
      .describe("Slack-compatible webhooks that get notifications"),
    operators: z
      .array(OperatorSchema)
      .max(20)
      .default([])
      .describe(
        "who is told when outcry itself fails (AWS alarms): email, SMS, or a configured webhook",
      ),
    concurrency: ConcurrencySchema.default({ ...DEFAULT_CONCURRENCY }).describe(
      "reserved concurrency per function in AWS (collect, detect, api, webhook), or 'unreserved' on accounts with a small concurrency limit",
    ),
    shards: ShardSettingsSchema.default(ShardSettingsSchema.parse({})),
    sms: SmsSettingsSchema.default(SmsSettingsSchema.parse({})),
    detector: DetectorSettingsSchema.default(DetectorSettingsSchema.parse({})),
    reports: ReportSettingsSchema.default(ReportSettingsSchema.parse({})),
    api: ApiSettingsSchema.default(ApiSettingsSchema.parse({})),
    notifications: NotificationSettingsSchema.default(NotificationSettingsSchema.parse({})),
    subscriptions: SubscriptionSettingsSchema.default(SubscriptionSettingsSchema.parse({})),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Each subscriber is an SNS subscription with a filter policy, and so is the webhook
    // function: past the topic's quota SNS refuses the next one.
    const fixedPolicies = config.subscribers.length + (config.webhooks.length > 0 ? 1 : 0);
    const { max, filterPolicyQuota } = config.subscriptions;
    if (subscriptionsOpen(config.subscriptions) && fixedPolicies + max > filterPolicyQuota) {
      ctx.addIssue({
        code: "custom",
        path: ["subscriptions", "max"],
        message: `${fixedPolicies} configured subscription${fixedPolicies === 1 ? "" : "s"} and ${max} self-service ones would pass SNS's ${filterPolicyQuota} filter policies per topic; lower max to ${Math.max(0, filterPolicyQuota - fixedPolicies)}, or ask AWS to raise the quota and set subscriptions.filterPolicyQuota`,
      });
    }
    const ids = new Map<string, number>();
    config.services.forEach((service, index) => {
      const first = ids.get(service.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", index, "id"],
          message: `service id '${service.id}' is already used by services[${first}]; ids must be unique`,
        });
      } else {
        ids.set(service.id, index);
      }
    });
    config.services.forEach((service, index) => {
      service.dependsOn.forEach((entry, j) => {
        const upstream = entry.split(":")[0] ?? entry;
        const path = ["services", index, "dependsOn", j];
        if (upstream === service.id) {
          ctx.addIssue({ code: "custom", path, message: "a service cannot depend on itself" });
        } else if (!ids.has(upstream)) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `no service has id '${upstream}'; add the provider as a service (e.g. with an aws-health source) or use one of ${[...ids.keys()].join(", ")}`,
          });
        }
      });
    });
    if (config.concurrency !== "unreserved") {
      for (const fn of ["collect", "detect"] as const) {
        const reserved = config.concurrency[fn];
        if (reserved !== "unreserved" && reserved < config.shards.workers + 1) {
          ctx.addIssue({
            code: "custom",
            path: ["concurrency", fn],
            message: `must be at least shards.workers + 1 (${config.shards.workers + 1}): one execution hands out each tick's shards and shards.workers work on them; raise it or lower shards.workers`,
          });
        }
      }
    }
    if (config.reports.dedupMinutes % config.bucketMinutes !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["reports", "dedupMinutes"],
        message: `must be a whole multiple of bucketMinutes (${config.bucketMinutes}), so each bucket lies in one dedup window`,
      });
    }
    const recipients = [
      ...config.subscribers.map((r, index) => ({
        r,
        path: ["subscribers", index] as const,
        endpoint: r.email ?? r.sms,
      })),
      ...config.webhooks.map((r, index) => ({
        r,
        path: ["webhooks", index] as const,
        endpoint: undefined,
      })),
    ];
    // Ids are compared without hyphens: the stack names constructs and outputs after them
    // in PascalCase, where "noc-1" and "noc1" would collide.
    const recipientIds = new Map<string, readonly (string | number)[]>();
    const endpoints = new Map<string, readonly (string | number)[]>();
    const at = (path: readonly (string | number)[]) => `${path[0]}[${path[1]}]`;
    for (const { r, path, endpoint } of recipients) {
      r.services?.forEach((id, j) => {
        if (!ids.has(id)) {
          ctx.addIssue({
            code: "custom",
            path: [...path, "services", j],
            message: `no service has id '${id}'; use one of ${[...ids.keys()].join(", ")}`,
          });
        }
      });
      const sameEndpoint = endpoint === undefined ? undefined : endpoints.get(endpoint);
      // An entry that failed its own checks may have no id yet.
      const idKey = typeof r.id === "string" ? r.id.replaceAll("-", "") : undefined;
      const sameId = idKey === undefined ? undefined : recipientIds.get(idKey);
      if (sameEndpoint) {
        // SNS keeps one subscription per endpoint and topic, so a second entry could never apply.
        ctx.addIssue({
          code: "custom",
          path: [...path],
          message: `${endpoint} is already ${at(sameEndpoint)}; merge the two entries`,
        });
      } else if (sameId) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "id"],
          message: `id '${r.id}' is already used by ${at(sameId)} (ids that differ only in hyphens count as the same); give each subscriber and webhook its own id`,
        });
      }
      if (endpoint !== undefined && !sameEndpoint) endpoints.set(endpoint, path);
      if (idKey !== undefined && !sameId) recipientIds.set(idKey, path);
    }
    const webhookIds = config.webhooks.map((w) => w.id);
    const operators = new Map<string, number>();
    config.operators.forEach((operator, index) => {
      const endpoint =
        "email" in operator
          ? operator.email
          : "sms" in operator
            ? operator.sms
            : `webhook ${operator.webhook}`;
      const first = operators.get(endpoint);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["operators", index],
          message: `${endpoint} is already operators[${first}]; list each operator once`,
        });
      }
      operators.set(endpoint, first ?? index);
      if ("webhook" in operator && !webhookIds.includes(operator.webhook)) {
        ctx.addIssue({
          code: "custom",
          path: ["operators", index, "webhook"],
          message:
            webhookIds.length === 0
              ? `no webhook has id '${operator.webhook}'; add it to webhooks first`
              : `no webhook has id '${operator.webhook}'; use one of ${webhookIds.join(", ")}`,
        });
      }
    });
  });

/** A validated configuration with every default filled in. */
export type Config = z.infer<typeof ConfigSchema>;
/** A validated service. */
export type Service = Config["services"][number];
/** A validated source of a service. */
export type SourceConfig = z.infer<typeof SourceSchema>;
/** A validated subscriber. */
export type Subscriber = Config["subscribers"][number];
/** A validated webhook. */
export type Webhook = Config["webhooks"][number];
/** A validated operator (told of outcry's own failures). */
export type { Operator } from "./deployment-schema";
/** Detector thresholds. */
export type DetectorSettings = Config["detector"];

/** Raised when a configuration does not validate; `message` lists every problem. */
export class ConfigError extends OutcryError {
  constructor(
    message: string,
    /** One line per problem: `path: what is wrong`. */
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Names the keys a strict object accepts, so that a misspelt key shows its fix. */
function unknownKeyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "unrecognized_keys") return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
    ?.shape;
  const keys = issue.keys.map((key) => `'${key}'`).join(", ");
  const known = shape ? ` or use one of ${Object.keys(shape).join(", ")}` : "";
  return `unknown key ${keys}; remove it${known}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === "number") return `${out}[${part}]`;
    return out === "" ? String(part) : `${out}.${String(part)}`;
  }, "");
}

/**
 * Validates raw configuration data.
 *
 * @param raw - parsed JSON
 * @param origin - where it came from, for the error message (a file path)
 * @throws ConfigError naming each bad field and how to fix it
 * @example
 * const config = parseConfig(JSON.parse(text), "outcry.config.json");
 */
export function parseConfig(raw: unknown, origin = "configuration"): Config {
  const result = ConfigSchema.safeParse(raw, { error: unknownKeyMessage });
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${formatPath(issue.path) || "(top level)"}: ${issue.message}`,
  );
  throw new ConfigError(
    `${origin} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    problems,
  );
}

/**
 * The JSON Schema of the configuration file (input side: defaults are optional), for
 * editors; `config.schema.json` at the repository root is this, regenerated with
 * `npm run --silent config-schema > config.schema.json`.
 */
export function configJsonSchema(): object {
  return z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" });
}
