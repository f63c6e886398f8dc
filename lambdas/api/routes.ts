/**
 * The HTTP API's routes over API Gateway v2 events. Each route is declared once, with
 * its query schema and response schema, in {@link ROUTES}: the router validates with
 * those schemas and `openapi.ts` documents them. Errors are thrown as {@link HttpError}
 * and become problem details in the handler's error middleware.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type * as z from "zod/mini";
import {
  HealthSchema,
  IncidentDetailSchema,
  IncidentListSchema,
  IncidentQuerySchema,
  ReportChallengeSchema,
  ReportResultSchema,
  SeriesQuerySchema,
  SeriesSchema,
  ServiceDetailSchema,
  ServiceListSchema,
  ServiceQuerySchema,
} from "../../contract/api-schemas";
import { REGION_AREAS } from "../../contract/regions";
import { DAY_MS, lastClosedBucket, MINUTE_MS, parseIso, toIso } from "../domain/buckets";
import { echoed } from "../domain/echoed";
import { InvalidCursorError, ReportRejected } from "../domain/ports";
import { serviceById } from "../domain/service-lookup";
import { listIncidents } from "../usecases/list-incidents";
import { listServices } from "../usecases/list-services";
import { describeIncident, describeService, serviceSeries } from "../usecases/query-status";
import { issueReportChallenge } from "../usecases/report-challenge";
import { submitReport } from "../usecases/submit-report";
import { requireApiKey } from "./access";
import { EMBED_ROUTES } from "./embed-routes";
import { FEED_ROUTES } from "./feed-routes";
import { badRequest, HttpError, notFound } from "./http-error";
import { bodyText } from "./json-body";
import { parseReportBody, ReportBodySchema } from "./report-body";
import { refuseForeignReportOrigin } from "./report-origin";
import {
  acceptsGzip,
  compressed,
  html,
  json,
  jsonText,
  notModifiedIf,
  withValidator,
} from "./responses";
import { routedPath } from "./route-path";
import {
  type ApiDependencies,
  knownService,
  LIVE_CACHE,
  PRIVATE_LIVE_CACHE,
  type RouteSpec,
  STATIC_CACHE,
} from "./route-spec";
import { SUBSCRIPTION_ROUTES } from "./subscription-routes";
import { viewerOf } from "./trusted-edge";

export type { ApiDependencies, RouteRequest, RouteSpec } from "./route-spec";

/** Longest range `GET /services/{id}/series` serves at once. */
export const MAX_SERIES_RANGE_MS = 7 * 24 * 60 * MINUTE_MS;

/** `GET /incidents`: the filters checked here, the paging in the use case. */
async function incidentsPage(deps: ApiDependencies, query: z.infer<typeof IncidentQuerySchema>) {
  if (query.service !== undefined && !serviceById(deps.config, query.service)) {
    throw badRequest(`no service has id ${echoed(query.service)}`, "service");
  }
  try {
    return await listIncidents(deps, {
      ...query,
      fromMs: query.from === undefined ? undefined : parseIso(query.from),
      toMs: query.to === undefined ? undefined : parseIso(query.to),
    });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest(error.message, "cursor");
    throw error;
  }
}

/** `GET /services`: the query checked by its schema, the paging in the use case. */
async function servicesPage(
  deps: ApiDependencies,
  query: z.infer<typeof ServiceQuerySchema>,
  now: number,
) {
  try {
    return await listServices(deps, query, now);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest(error.message, "cursor");
    throw error;
  }
}

/** Every route of the API, in the order the OpenAPI document lists them. */
export const ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    path: "/",
    operationId: "dashboard",
    tag: "about",
    summary: "The dashboard page",
    description:
      "One self-contained page (script, styles and charts inline) that reads this API from the same origin.",
    success: { status: 200, description: "an HTML page", html: true },
    errors: [],
    reads: false,
    cache: STATIC_CACHE,
    handle: async (deps) => html(200, await deps.dashboard()),
  },
  {
    method: "GET",
    path: "/health",
    operationId: "health",
    tag: "about",
    summary: "Whether the API answers",
    description:
      "Answers while the function runs; it reads no data, so it says nothing of the store or the sources (GET /services/{id} gives each source's health).",
    success: { status: 200, schema: HealthSchema, description: "the API is up" },
    errors: [],
    reads: false,
    handle: async (_deps, { now }) => json(200, { status: "ok", time: toIso(now) }),
  },
  {
    method: "GET",
    path: "/openapi.json",
    operationId: "openapi",
    tag: "about",
    summary: "This API's OpenAPI 3.1 description",
    description: "This document, generated for the deployment's api.auth.",
    success: { status: 200, description: "an OpenAPI 3.1 document" },
    errors: [],
    reads: false,
    cache: STATIC_CACHE,
    handle: async (deps) => jsonText(200, await deps.openApi()),
  },
  {
    method: "GET",
    path: "/atlas/{area}.json",
    operationId: "atlas",
    tag: "about",
    summary: "The dashboard map's atlas of an area",
    description:
      "TopoJSON shapes of the US states (`us`, from us-atlas) or of the countries (`world`, from world-atlas), with the ids the regions' `shapeId` names. The page fetches it only when it shows a map.",
    success: { status: 200, description: "a TopoJSON topology" },
    errors: [404],
    reads: false,
    cache: STATIC_CACHE,
    handle: async (deps, { params }) => {
      const area = REGION_AREAS.find((known) => known === params.area);
      if (!area) throw notFound(`no atlas for ${echoed(params.area ?? "")}; use us or world`);
      return jsonText(200, await deps.atlas(area));
    },
  },
  {
    method: "GET",
    path: "/services",
    operationId: "listServices",
    tag: "status",
    summary: "The services with their status now, a page at a time",
    description:
      "Each configured service with its status, its latest bucket's count, the baseline for that bucket and its open incident, if any; filtered by status and category. Pages with an opaque cursor: pass `next` as `cursor` with the same filters. Services detect has not judged yet are normal.",
    query: ServiceQuerySchema,
    success: { status: 200, schema: ServiceListSchema, description: "a page of services" },
    errors: [],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, { query, now }) =>
      json(200, await servicesPage(deps, query as z.infer<typeof ServiceQuerySchema>, now)),
  },
  {
    method: "GET",
    path: "/services/{id}",
    operationId: "getService",
    tag: "status",
    summary: "One service with its status and its sources' health",
    description:
      "What GET /services gives for the service, with the health of each of its sources.",
    success: { status: 200, schema: ServiceDetailSchema, description: "the service" },
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, { params, now }) =>
      json(200, await describeService(deps, knownService(deps, params.id), now)),
  },
  {
    method: "GET",
    path: "/services/{id}/series",
    operationId: "getSeries",
    tag: "status",
    summary: "Counts per bucket with the baseline band and each source's counts",
    description:
      "Gaps (no source read) are nulls. Ranges of more than 1,500 buckets are rolled up to coarser points (bucketMinutes says how wide); at most 7 days at once.",
    query: SeriesQuerySchema,
    success: { status: 200, schema: SeriesSchema, description: "the series" },
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, { params, query, now }) => {
      const service = knownService(deps, params.id);
      const { from, to } = query as z.infer<typeof SeriesQuerySchema>;
      const toMs = to === undefined ? now : parseIso(to);
      const fromMs = from === undefined ? toMs - DAY_MS : parseIso(from);
      if (fromMs > toMs) throw badRequest("from must be before to", "from");
      if (toMs - fromMs > MAX_SERIES_RANGE_MS)
        throw badRequest("the range may span at most 7 days; move from closer to to", "from");
      // The bucket still open has not been collected: it would always read as a gap.
      const closed = lastClosedBucket(now, deps.config.bucketMinutes);
      const until = Math.max(Math.min(toMs, closed), fromMs);
      const since = from === undefined ? until - DAY_MS : fromMs;
      return json(200, await serviceSeries(deps, service, since, until));
    },
  },
  {
    method: "GET",
    path: "/incidents",
    operationId: "listIncidents",
    tag: "status",
    summary: "Incidents, newest first",
    description:
      "Filters by service, status and start time. Pages with an opaque cursor: pass `next` as `cursor`.",
    query: IncidentQuerySchema,
    success: { status: 200, schema: IncidentListSchema, description: "a page of incidents" },
    errors: [],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, { query }) =>
      json(200, await incidentsPage(deps, query as z.infer<typeof IncidentQuerySchema>)),
  },
  {
    method: "GET",
    path: "/incidents/{id}",
    operationId: "getIncident",
    tag: "status",
    summary: "One incident with its timeline and what its sources said",
    description:
      "The incident with its peak, falloffs, correlated services, summary, the sources' annotations and the notifications sent for it.",
    success: { status: 200, schema: IncidentDetailSchema, description: "the incident" },
    errors: [404],
    reads: true,
    cache: LIVE_CACHE,
    handle: async (deps, { params, now }) => {
      const stored = await deps.incidents.get(params.id ?? "");
      if (!stored)
        throw notFound(`no incident has id ${echoed(params.id ?? "")}; GET /incidents lists them`);
      return json(200, await describeIncident(deps, stored, now));
    },
  },
  {
    method: "GET",
    path: "/reports/challenge",
    operationId: "getReportChallenge",
    tag: "reports",
    summary: "A proof-of-work challenge for one report",
    description:
      "Each report carries one solved challenge (about a second of work), bound to the address it was issued to and used once; at most max(60, 2 x reports.ratePerMinute) a minute per address (429 with Retry-After); 404 when reports.challenge is off. Pages of other sites may not ask (403) unless listed in reports.embedOrigins.",
    success: { status: 200, schema: ReportChallengeSchema, description: "a fresh challenge" },
    errors: [403, 404, 429],
    reads: false,
    handle: async (deps, { event, now }) => {
      const settings = deps.config.reports.challenge;
      if (settings === false) {
        throw notFound("reports.challenge is off here: post reports without a challenge");
      }
      refuseForeignReportOrigin(event.headers, deps.config.reports.embedOrigins);
      const challenge = await issueReportChallenge(deps, {
        settings,
        sourceIp: event.requestContext.http.sourceIp,
        reportsPerMinute: deps.config.reports.ratePerMinute,
        nowMs: now,
      }).catch((error: unknown) => {
        throw error instanceof ReportRejected ? reportRefusal(error) : error;
      });
      return json(200, challenge, { "cache-control": "no-store" });
    },
  },
  {
    method: "POST",
    path: "/reports",
    operationId: "submitReport",
    tag: "reports",
    summary: "Report a problem with a service",
    description:
      "Carries a solved GET /reports/challenge as `altcha` (unless reports.challenge is off). One report per reporter, service and dedup window counts, later ones answer 200 duplicate; at most reports.perNetwork per network (an IPv4 /24 or IPv6 /48), later ones answer 200 capped. Rate-limited per address (429 with Retry-After). Pages of other sites may not post (403) unless listed in reports.embedOrigins. `region` is optional: a US state (US-TX) for a service whose area is us, a country (DE) for world (400 on `region` otherwise); left out behind the front door (api.frontDoor), the region CloudFront saw the reporter in is taken.",
    body: ReportBodySchema,
    success: { status: 202, schema: ReportResultSchema, description: "counted" },
    alsoAnswers: [
      {
        status: 200,
        description:
          "not counted: a duplicate (this reporter already counted) or capped (its network gave its share)",
      },
    ],
    errors: [403, 404, 413, 415, 429],
    reads: false,
    handle: async (deps, { event, now }) => {
      const body = bodyText(event);
      refuseForeignReportOrigin(event.headers, deps.config.reports.embedOrigins);
      const report = parseReportBody(body, event.headers["content-type"]);
      const outcome = await submitReport(deps, {
        service: report.service,
        problem: report.problem,
        ...(report.region === undefined ? {} : { region: report.region }),
        sourceIp: event.requestContext.http.sourceIp,
        viewer: viewerOf(event),
        challenge: report.altcha,
        nowMs: now,
      }).catch((error: unknown) => {
        throw error instanceof ReportRejected ? reportRefusal(error) : error;
      });
      const answer = {
        status: outcome.result,
        service: outcome.service,
        problem: outcome.problem,
        region: outcome.region,
      };
      return json(outcome.result === "accepted" ? 202 : 200, answer);
    },
  },
  ...SUBSCRIPTION_ROUTES,
  ...FEED_ROUTES,
  ...EMBED_ROUTES,
];

/** The answer to a report the use case did not take. */
function reportRefusal(rejected: ReportRejected): HttpError {
  switch (rejected.reason) {
    case "invalid-address":
      return badRequest(rejected.message);
    case "unknown-service":
      return notFound(rejected.message);
    case "unknown-problem":
      return badRequest(rejected.message, "problem");
    case "unknown-region":
      return badRequest(rejected.message, "region");
    case "rate-limited":
      return new HttpError(429, "Too Many Requests", rejected.message, {
        "retry-after": String(rejected.retryAfterSeconds ?? 60),
      });
    case "challenge-failed":
      return badRequest(rejected.message, "altcha");
  }
}

/**
 * A route's path template as a pattern: `{name}` matches within one segment, whole
 * (`/services/{id}`) or beside literal text (`/badge/{id}.svg`, as OpenAPI allows).
 */
function pathPattern(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
      names.push(name);
      return "([^/]+?)";
    })
    .join("");
  return { pattern: new RegExp(`^${source}$`), names };
}

const MATCHERS = ROUTES.map((spec) => ({ spec, ...pathPattern(spec.path) }));

function decodeSegment(raw: string, path: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`the path ${echoed(path)} is not validly percent-encoded`);
  }
}

/**
 * Refuses a query that names a parameter twice (`?service=a&service=b`). API Gateway
 * would join the values with a comma and hand over one, which no filter means; a client
 * that sends two means something the API cannot know.
 * @throws HttpError 400 naming the parameters, on any route
 */
function refuseRepeatedParameters(rawQueryString: string): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name] of new URLSearchParams(rawQueryString)) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  if (repeated.size === 0) return;
  const names = [...repeated];
  throw badRequest(
    `the query parameter${names.length === 1 ? "" : "s"} ${names.map(echoed).join(", ")} ${names.length === 1 ? "is" : "are"} given more than once; give each once`,
    names[0],
  );
}

function validQuery(spec: RouteSpec, query: Record<string, string | undefined>) {
  if (!spec.query) return {};
  const parsed = spec.query.safeParse(query);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || undefined;
  throw badRequest(issue?.message ?? "the query is not valid", field);
}

/**
 * Serves one request: finds the route, checks access and the query, and answers,
 * with CORS and conditional-request handling (ETag, 304) around it.
 * @throws HttpError for anything the client must change
 */
export async function route(
  deps: ApiDependencies,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = routedPath(event.rawPath);
  const candidates = MATCHERS.filter((m) => m.pattern.test(path));
  if (candidates.length === 0) throw notFound(`no route for ${echoed(method)} ${echoed(path)}`);
  const allowed: string[] = [...new Set(candidates.map((m) => m.spec.method))];
  if (allowed.includes("GET")) allowed.push("HEAD");
  if (method === "OPTIONS") {
    return { statusCode: 204, headers: { allow: [...allowed, "OPTIONS"].join(", ") } };
  }
  const wanted = method === "HEAD" ? "GET" : method;
  const matched = candidates.find((m) => m.spec.method === wanted);
  if (!matched) {
    const verb = allowed.includes("POST") && !allowed.includes("GET") ? "POST" : "GET";
    throw new HttpError(
      405,
      "Method Not Allowed",
      `${echoed(method)} is not allowed on ${echoed(path)}; use ${verb}`,
      { allow: allowed.join(", ") },
    );
  }
  const { spec, pattern, names } = matched;
  const values = pattern.exec(path)?.slice(1) ?? [];
  const params = Object.fromEntries(
    names.map((name, i) => [name, decodeSegment(values[i] ?? "", path)]),
  );
  if (spec.reads) await requireApiKey(deps.access, event.headers);
  refuseRepeatedParameters(event.rawQueryString);
  const query = validQuery(spec, event.queryStringParameters ?? {});
  const now = deps.now();
  const gzip = acceptsGzip(event.headers["accept-encoding"]);
  const make = async () => {
    const result = await spec.handle(deps, { event, params, query, now });
    // Answers behind a key or a signature must not be kept by shared caches.
    const cacheControl =
      spec.cache === LIVE_CACHE && deps.access.mode !== "none" ? PRIVATE_LIVE_CACHE : spec.cache;
    return compressed(
      cacheControl && result.statusCode === 200 ? withValidator(result, cacheControl) : result,
      gzip,
    );
  };
  if (!spec.cache) return make();
  // Between ticks these answers cannot change: keep them under the data version.
  const bucket = Math.floor(now / (deps.config.bucketMinutes * MINUTE_MS));
  const version = await deps.responses.version(() => deps.progress.dataVersion());
  const key = [version, bucket, gzip, path, JSON.stringify(query)];
  const answer = await deps.responses.get(version, key.join("|"), make);
  return notModifiedIf(answer, event.headers["if-none-match"]);
}
