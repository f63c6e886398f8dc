/**
 * The HTTP API's routes over API Gateway v2 events: each route validates its
 * parameters, calls one use case and shapes the response. Errors are thrown as
 * {@link HttpError} and become problem details in the handler's error middleware.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod/mini";
import { MINUTE_MS, parseIso, toIso } from "../domain/buckets";
import { serviceById } from "../domain/catalog";
import type { StoredIncident } from "../domain/ports";
import { InvalidCursorError } from "../store/incident-store";
import {
  describeIncident,
  describeService,
  incidentView,
  listServices,
  type QueryDependencies,
  serviceSeries,
} from "../usecases/query-status";
import { type ReportDependencies, submitReport } from "../usecases/submit-report";
import { badRequest, HttpError, notFound } from "./http-error";
import { json } from "./responses";

/** Everything the routes need; the clock is injected so tests and demos control it. */
export interface ApiDependencies extends QueryDependencies, ReportDependencies {
  now: () => number;
}

/** Store pages one `GET /incidents` reads at most before answering with what it has. */
const MAX_PAGES_PER_REQUEST = 20;
/** Longest range `GET /services/{id}/series` serves at once. */
export const MAX_SERIES_RANGE_MS = 7 * 24 * 60 * MINUTE_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Live data changes every bucket: let caches keep it briefly. */
const LIVE_CACHE = { "cache-control": "public, max-age=30" };

function isoParam(query: Record<string, string | undefined>, name: string): number | undefined {
  const value = query[name];
  if (value === undefined || value === "") return undefined;
  const time = parseIso(value);
  if (Number.isNaN(time))
    throw badRequest(`${name} must be an ISO-8601 time such as 2023-02-14T03:20:00Z`, name);
  return time;
}

const LIMIT_HINT = "limit must be a whole number from 1 to 100";

/** Query parameters of `GET /incidents` (zod/mini keeps the api bundle small). */
const IncidentQuerySchema = z.object({
  service: z.optional(z.string().check(z.maxLength(64, "service is too long"))),
  status: z.optional(
    z.enum(["open", "resolved"], { error: "status must be 'open' or 'resolved'" }),
  ),
  limit: z._default(
    z.coerce
      .number({ error: LIMIT_HINT })
      .check(z.int(LIMIT_HINT), z.minimum(1, LIMIT_HINT), z.maximum(100, LIMIT_HINT)),
    20,
  ),
  cursor: z.optional(z.string().check(z.maxLength(200, "cursor is not valid"))),
});

async function listIncidents(deps: ApiDependencies, query: Record<string, string | undefined>) {
  const parsed = IncidentQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(issue?.message ?? "bad query", issue?.path.join("."));
  }
  const { service, status, limit, cursor } = parsed.data;
  if (service !== undefined && !serviceById(deps.config, service)) {
    throw badRequest(`no service has id '${service}'`, "service");
  }
  const fromMs = isoParam(query, "from");
  const toMs = isoParam(query, "to");
  const matches = (stored: StoredIncident) =>
    (service === undefined || stored.incident.service === service) &&
    (status === undefined ||
      (stored.incident.resolvedAt === null ? "open" : "resolved") === status);
  const incidents: ReturnType<typeof incidentView>[] = [];
  let after = cursor;
  // Filters apply after the query: read pages until the answer is full. The cursor
  // returned continues right after the last incident returned, so none is skipped.
  for (let round = 0; round < MAX_PAGES_PER_REQUEST; round++) {
    let page: Awaited<ReturnType<typeof deps.incidents.list>>;
    try {
      page = await deps.incidents.list({ fromMs, toMs, limit, after });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badRequest(error.message, "cursor");
      throw error;
    }
    for (const stored of page.items) {
      if (!matches(stored)) continue;
      incidents.push(incidentView(stored));
      if (incidents.length === limit) {
        return { incidents, next: deps.incidents.cursorAfter(stored.incident) };
      }
    }
    if (!page.next) return { incidents, next: null };
    after = page.next;
  }
  return { incidents, next: after ?? null };
}

/**
 * Serves one request.
 * @throws HttpError for anything the client must change
 */
export async function route(
  deps: ApiDependencies,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.replace(/\/+$/, "") || "/";
  const query = event.queryStringParameters ?? {};
  let segments: string[];
  try {
    segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw badRequest(`the path ${path} is not validly percent-encoded`);
  }
  const now = deps.now();

  if (method === "POST" && path === "/reports") {
    const body =
      event.body && event.isBase64Encoded
        ? Buffer.from(event.body, "base64").toString("utf8")
        : event.body;
    const outcome = await submitReport(deps, {
      body,
      contentType: event.headers["content-type"],
      sourceIp: event.requestContext.http.sourceIp,
      nowMs: now,
    });
    return outcome.result === "accepted"
      ? json(202, { status: "accepted", service: outcome.service, problem: outcome.problem })
      : json(200, { status: "duplicate", service: outcome.service, problem: outcome.problem });
  }
  if (path === "/reports") {
    throw new HttpError(
      405,
      "Method Not Allowed",
      `${method} is not allowed on /reports; POST a report`,
      {
        allow: "POST",
      },
    );
  }
  if (method !== "GET" && method !== "HEAD") {
    throw new HttpError(405, "Method Not Allowed", `${method} is not allowed on ${path}`, {
      allow: "GET, HEAD",
    });
  }
  if (path === "/health") return json(200, { status: "ok", time: toIso(now) });
  if (path === "/services")
    return json(200, { services: await listServices(deps, now) }, LIVE_CACHE);
  if (segments[0] === "services" && segments.length >= 2 && segments.length <= 3) {
    const service = serviceById(deps.config, segments[1] ?? "");
    if (!service) throw notFound(`no service has id '${segments[1]}'; GET /services lists them`);
    if (segments.length === 2)
      return json(200, await describeService(deps, service, now), LIVE_CACHE);
    if (segments[2] === "series") {
      const toMs = isoParam(query, "to") ?? now;
      const fromMs = isoParam(query, "from") ?? toMs - DAY_MS;
      if (fromMs > toMs) throw badRequest("from must be before to", "from");
      if (toMs - fromMs > MAX_SERIES_RANGE_MS)
        throw badRequest("the range may span at most 7 days", "from");
      return json(200, await serviceSeries(deps, service, fromMs, toMs), LIVE_CACHE);
    }
  }
  if (path === "/incidents") return json(200, await listIncidents(deps, query), LIVE_CACHE);
  if (segments[0] === "incidents" && segments.length === 2) {
    const stored = await deps.incidents.get(segments[1] ?? "");
    if (!stored) throw notFound(`no incident has id '${segments[1]}'`);
    return json(200, await describeIncident(deps, stored, now), LIVE_CACHE);
  }
  if (path === "/") {
    return json(200, {
      name: "outcry",
      endpoints: [
        "/health",
        "/services",
        "/services/{id}",
        "/services/{id}/series",
        "/incidents",
        "/incidents/{id}",
        "POST /reports",
      ],
    });
  }
  throw notFound(`no route for ${method} ${path}`);
}
