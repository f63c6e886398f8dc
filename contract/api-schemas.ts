/**
 * The HTTP API's contract as zod schemas: the query parameters each route validates and
 * the bodies it answers with. `openapi.ts` turns the same schemas into the OpenAPI
 * document, and the use cases' return types are checked against them at compile time,
 * so the document, the validation and the responses cannot drift apart.
 * (zod/mini keeps the api bundle small.)
 */
import * as z from "zod/mini";
import { PROBLEM_KINDS, SERVICE_STATUSES, SOURCE_KINDS } from "./catalog";
import { parseIso } from "./iso-time";
import { REGION_AREAS, REGION_MIN_REPORTS } from "./regions";
import { SOURCE_FAILURE_REASONS, sourceFailureGlossary } from "./source-failure";

/**
 * Attaches documentation (description, format, examples) that the OpenAPI output shows.
 * The registry keeps one entry per schema object, so each use needs a fresh schema: the
 * helpers below make one per call.
 */
function documented<T extends z.ZodMiniType>(schema: T, meta: Record<string, unknown>): T {
  // The registry's meta type is conditional on T; any string keys are allowed at runtime.
  const register = schema.register as (registry: unknown, meta: unknown) => T;
  return register.call(schema, z.globalRegistry, meta);
}

/** A time in the API's answers: UTC, ISO-8601. */
const instant = (description?: string) =>
  documented(z.string(), {
    format: "date-time",
    examples: ["2023-02-14T03:20:00Z"],
    ...(description ? { description } : {}),
  });

/** A time a client passes: ISO-8601 with a zone (Z or ±hh:mm); seconds optional. */
const isoParam = (name: string, description: string) =>
  documented(
    z.string().check(
      z.refine((value) => !Number.isNaN(parseIso(value)), {
        error: `${name} must be an ISO-8601 time with a zone, such as 2023-02-14T03:20:00Z`,
      }),
    ),
    { format: "date-time", examples: ["2023-02-14T03:20:00Z"], description },
  );

const count = (description?: string) =>
  description
    ? documented(z.number().check(z.minimum(0)), { description })
    : z.number().check(z.minimum(0));
const nullableCount = (description?: string) =>
  description ? documented(z.nullable(count()), { description }) : z.nullable(count());

/** Problem details (RFC 9457), the body of every error. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int()),
  detail: z.string(),
  field: z.optional(
    documented(z.string(), { description: "the request parameter or body field at fault" }),
  ),
});

const STATUS_MEANING =
  "normal: as expected; elevated: the newest bucket with a count was above the level the detector counts as quiet; outage: an incident is open";

const ServiceStatusSchema = documented(z.enum(SERVICE_STATUSES), { description: STATUS_MEANING });

const CATEGORIES = Object.keys(PROBLEM_KINDS) as [keyof typeof PROBLEM_KINDS];

/** One service now. */
export const ServiceSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.enum(CATEGORIES),
  timeZone: documented(z.string(), { description: "IANA zone of the service's baseline" }),
  area: documented(z.enum(REGION_AREAS), {
    description:
      "where its reports come from: us (regions are US states, ISO 3166-2 such as US-TX) or world (countries, ISO 3166-1 alpha-2 such as DE)",
  }),
  status: ServiceStatusSchema,
  latest: z.nullable(z.object({ at: instant(), count: nullableCount() })),
  baseline: nullableCount("count expected for the latest bucket; null before anything was learned"),
  openIncident: z.nullable(z.string()),
});

/** `GET /services`: a page of services. */
export const ServiceListSchema = z.object({
  services: documented(z.array(ServiceSummarySchema), {
    description:
      "in config order; with status=elevated or status=outage, in id order (those come from a listing of their own)",
  }),
  next: documented(z.nullable(z.string()), {
    description:
      "pass as `cursor`, with the same filters, for the next page; null on the last page. A page may hold fewer than `limit` services (even none) and still have a next one: each request reads a bounded number of records",
  }),
});

/** How a source is doing, in the order a reader worries about them. */
export const SOURCE_STATUSES = ["ok", "failing", "unknown"] as const;

/**
 * Why a source's read failed, as a class: what the failure was (the full error, which
 * names URLs and what servers said, is only in the operator's logs).
 */
const SourceFailureSchema = z.object({
  reason: documented(z.enum(SOURCE_FAILURE_REASONS), { description: sourceFailureGlossary() }),
  httpStatus: z.optional(
    documented(z.number().check(z.int(), z.minimum(100), z.maximum(599)), {
      description: "the status the server answered with (http-status, rate-limited, redirect)",
    }),
  ),
});

/** One source's health as the public sees it. */
export const SourceHealthSchema = z.object({
  source: documented(z.string(), { description: "the source's id in the service" }),
  kind: z.enum(SOURCE_KINDS),
  status: documented(z.enum(SOURCE_STATUSES), {
    description:
      "ok: its last read worked; failing: its last read failed; unknown: it has not been read yet",
  }),
  since: z.nullable(
    instant(
      "when the current status began: the first read of this run of successes or of failures; null when not known",
    ),
  ),
  lastSuccessAt: z.nullable(instant("its last read that worked")),
  lastErrorAt: z.nullable(instant("its last read that failed")),
  lastFailure: documented(z.nullable(SourceFailureSchema), {
    description: "the class of the failure at lastErrorAt; null when it never failed",
  }),
  consecutiveFailures: z.number().check(z.int(), z.minimum(0)),
});

/** `GET /services/{id}`: the summary plus each configured source's health. */
export const ServiceDetailSchema = z.extend(ServiceSummarySchema, {
  sources: documented(z.array(SourceHealthSchema), {
    description: "each configured source, crowd reports first",
  }),
});

/** One bucket of a series. */
export const SeriesPointSchema = z.object({
  at: instant("start of the bucket"),
  count: nullableCount("weighted total of the sources; null when no source was read (a gap)"),
  baseline: nullableCount("count expected for this time of day; null before anything was learned"),
  threshold: nullableCount("counts above this are elevated (the top of the baseline band)"),
  sources: documented(z.record(z.string(), count()), { description: "count per source" }),
  breakdowns: z.optional(
    documented(z.record(z.string(), z.record(z.string(), count())), {
      description: "per source, counts by kind (crowd reports by problem)",
    }),
  ),
  partial: z.optional(
    documented(z.literal(true), {
      description:
        "present when a source that counts failed to be read for a bucket of this point: `count` lacks it, so a low count may be the failure rather than a fall (a gap, `count` null, is never partial)",
    }),
  ),
  failedSources: z.optional(
    documented(z.array(z.string()), {
      description: "with `partial`: the ids of the sources that failed, sorted",
    }),
  ),
});

/**
 * What and where of a span's reports: counts by problem kind, and by region with the
 * k-anonymity rule applied (a region is named only with at least REGION_MIN_REPORTS).
 */
export const ReportMixSchema = z.object({
  area: z.enum(REGION_AREAS),
  problems: documented(z.record(z.string(), count()), {
    description:
      "reports by kind, summed over the span and the sources that tell kinds: crowd reports by the problem chosen, social sources by keyword class",
  }),
  regions: documented(z.record(z.string(), count()), {
    description: `reports by region code, only for regions with at least ${REGION_MIN_REPORTS} reports in the span`,
  }),
  otherRegions: count(
    `reports from regions with fewer than ${REGION_MIN_REPORTS} in the span, summed: those regions are never named`,
  ),
});

/** `GET /services/{id}/series`. */
export const SeriesSchema = z.object({
  service: z.string(),
  bucketMinutes: documented(z.number().check(z.int(), z.minimum(1)), {
    description: "width of the points; coarser than the stored buckets for long ranges",
  }),
  from: instant(),
  to: instant(),
  points: z.array(SeriesPointSchema),
  mix: documented(ReportMixSchema, { description: "what and where of the range's reports" }),
});

/** An incident as the API shows it. */
export const IncidentSchema = z.object({
  id: z.string(),
  service: z.string(),
  status: z.enum(["open", "resolved"]),
  startedAt: instant("start of the first abnormal bucket"),
  openedAt: instant("when the detector opened it"),
  resolvedAt: z.nullable(instant()),
  countAtOpen: count(),
  baselineAtOpen: count(),
  peak: z.object({ count: count(), at: instant() }),
  falloffs: z.array(z.object({ at: instant(), count: count() })),
  correlatedWith: documented(z.array(z.string()), {
    description: "ids of services that spiked with this one",
  }),
  likelyUpstream: documented(
    z.nullable(
      z.object({
        service: documented(z.string(), { description: "the upstream's service id" }),
        text: documented(z.string(), {
          description: "one line, e.g. 'AWS us-east-1: Increased error rates'",
        }),
        declared: documented(z.boolean(), {
          description:
            "true when the service declared it in `dependsOn`; false when inferred from a wave of openings and a provider's stated incident",
        }),
      }),
    ),
    {
      description:
        "the provider incident or upstream service this incident is ascribed to; null when none is known",
    },
  ),
  summary: z.object({
    subject: documented(z.string(), { description: "one line, under 100 characters" }),
    text: documented(z.string(), { description: "the full timeline" }),
    sms: documented(z.string(), { description: "at most 160 GSM-7 characters" }),
  }),
});

/** `GET /incidents`. */
export const IncidentListSchema = z.object({
  incidents: z.array(IncidentSchema),
  next: documented(z.nullable(z.string()), {
    description: "pass as `cursor` for the next page; null on the last page",
  }),
});

/** `GET /incidents/{id}`. */
export const IncidentDetailSchema = z.extend(IncidentSchema, {
  mix: documented(ReportMixSchema, {
    description: "what and where of the reports from the incident's start to its end (or now)",
  }),
  crowdReports: documented(
    z.nullable(
      z.object({
        counted: z.number().check(z.int(), z.minimum(0)),
        networks: z.number().check(z.int(), z.minimum(0)),
      }),
    ),
    {
      description:
        "the crowd reports counted for the service in the incident's first hour, and from how many networks (IPv4 /24, IPv6 /48 by default) they came: many reports from few networks is a flood, not a crowd; null when the service takes no crowd reports",
    },
  ),
  recovery: documented(
    z.nullable(z.object({ at: instant(), earliest: instant(), latest: instant() })),
    {
      description:
        "while an open incident falls off: when its counts should be back under the resolve level, and an 80% interval; null until the fall is established, and once resolved",
    },
  ),
  annotations: z.array(z.object({ at: instant(), source: z.string(), text: z.string() })),
  notifications: documented(
    z.array(
      z.object({
        transition: z.enum(["opened", "update", "resolved"]),
        subject: z.string(),
        state: documented(z.enum(["pending", "sent", "suppressed", "dead"]), {
          description:
            "suppressed: held back (a maintenance window); dead: gave up after retries (see the dead-letter queue)",
        }),
        recordedAt: instant(),
        sentAt: z.nullable(instant()),
        channels: documented(z.array(z.string()), { description: "channels that have it" }),
        recipients: documented(z.nullable(z.number().check(z.int(), z.minimum(0))), {
          description: "how many subscribers and webhooks it was for; null before it went out",
        }),
      }),
    ),
    {
      description:
        "the notifications recorded for this incident, oldest first; records are kept 30 days after sending",
    },
  ),
});

/** `GET /health`. */
export const HealthSchema = z.object({ status: z.literal("ok"), time: instant() });

/** `POST /reports` answers. */
export const ReportResultSchema = z.object({
  /**
   * accepted: counted; duplicate: this reporter already counted in this window; capped:
   * kept but not counted, because its network has given the most reports a window counts.
   */
  status: z.enum(["accepted", "duplicate", "capped"]),
  service: z.string(),
  problem: z.string(),
  region: documented(z.nullable(z.string()), {
    description:
      "the region the report counts in (the one given, or where a trusted edge saw the reporter); null when none is known",
  }),
});

/** Query of `GET /services/{id}/series`. */
export const SeriesQuerySchema = z.object({
  from: z.optional(isoParam("from", "start; default 24 hours before `to`")),
  to: z.optional(isoParam("to", "end; default now")),
});

const LIMIT_HINT = "limit must be a whole number from 1 to 100";
const SERVICE_LIMIT_HINT = "limit must be a whole number from 1 to 500";

/** Query of `GET /services`. */
export const ServiceQuerySchema = z.object({
  status: z.optional(
    documented(
      z.enum(SERVICE_STATUSES, {
        error: `status must be one of ${SERVICE_STATUSES.join(", ")}`,
      }),
      { description: `only services in this status (${STATUS_MEANING})` },
    ),
  ),
  category: z.optional(
    documented(z.enum(CATEGORIES, { error: `category must be one of ${CATEGORIES.join(", ")}` }), {
      description: "only services of this category",
    }),
  ),
  limit: z._default(
    documented(
      z.coerce
        .number({ error: SERVICE_LIMIT_HINT })
        .check(
          z.int(SERVICE_LIMIT_HINT),
          z.minimum(1, SERVICE_LIMIT_HINT),
          z.maximum(500, SERVICE_LIMIT_HINT),
        ),
      { description: "services per page, at most 500" },
    ),
    100,
  ),
  cursor: z.optional(
    documented(z.string().check(z.maxLength(300, "cursor is not valid")), {
      description: "`next` of the previous page, sent with the same filters",
    }),
  ),
});

/** Query of `GET /incidents`. */
export const IncidentQuerySchema = z.object({
  service: z.optional(z.string().check(z.maxLength(64, "service is too long"))),
  status: z.optional(
    z.enum(["open", "resolved"], { error: "status must be 'open' or 'resolved'" }),
  ),
  from: z.optional(isoParam("from", "incidents started from")),
  to: z.optional(isoParam("to", "incidents started until")),
  limit: z._default(
    z.coerce
      .number({ error: LIMIT_HINT })
      .check(z.int(LIMIT_HINT), z.minimum(1, LIMIT_HINT), z.maximum(100, LIMIT_HINT)),
    20,
  ),
  cursor: z.optional(
    documented(z.string().check(z.maxLength(200, "cursor is not valid")), {
      description: "`next` of the previous page",
    }),
  ),
});

/**
 * `GET /reports/challenge`: an ALTCHA proof-of-work challenge (PBKDF2/SHA-256). Solve it
 * (try counters until one derives a key starting with `keyPrefix`) and send
 * `base64(JSON.stringify({challenge, solution}))` as the report's `altcha`.
 */
export const ReportChallengeSchema = z.object({
  parameters: z.object({
    algorithm: z.string(),
    nonce: z.string(),
    salt: z.string(),
    cost: z.number(),
    keyLength: z.number(),
    keyPrefix: z.string(),
    keySignature: z.optional(z.string()),
    data: z.optional(z.record(z.string(), z.unknown())),
  }),
  signature: z.string(),
});

/** A JSON Feed 1.1 item: one incident (https://www.jsonfeed.org/version/1.1/). */
export const JsonFeedItemSchema = z.object({
  id: documented(z.string(), { description: "permanent: urn:outcry:incident:<incident id>" }),
  url: documented(z.string(), { description: "the incident in the dashboard" }),
  title: documented(z.string(), { description: "the incident's subject" }),
  content_text: documented(z.string(), { description: "the incident's timeline" }),
  date_published: instant("start of the first abnormal bucket"),
  date_modified: instant("when the incident last changed (opened, peaked, fell off, resolved)"),
});

/** `GET /feed.json`, `GET /services/{id}/feed.json`: JSON Feed 1.1. */
export const JsonFeedSchema = z.object({
  version: z.literal("https://jsonfeed.org/version/1.1"),
  title: z.string(),
  home_page_url: z.string(),
  feed_url: z.string(),
  authors: z.array(z.object({ name: z.string() })),
  items: documented(z.array(JsonFeedItemSchema), {
    description: "the newest incidents (at most 50), newest first",
  }),
});

/** `GET /badge/{id}.json`: shields.io's endpoint badge (https://shields.io/badges/endpoint-badge). */
export const ShieldsEndpointSchema = z.object({
  schemaVersion: z.literal(1),
  label: documented(z.string(), { description: "the service's name" }),
  message: documented(z.string().check(z.minLength(1)), {
    description: "its status now: normal, elevated or outage",
  }),
  color: documented(z.string(), { description: "a shields colour: green, yellow or red" }),
  cacheSeconds: documented(z.number().check(z.int(), z.minimum(300)), {
    description: "how long shields.io may keep it (300, its minimum)",
  }),
});
