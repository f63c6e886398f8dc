/**
 * The page's client of the outcry HTTP API (same origin, JSON). The types are the API's
 * own, inferred from the zod schemas that shape its answers (`contract/api-schemas.ts`),
 * so a change there that the page does not handle fails the type check. Only types are
 * imported: zod stays out of the page.
 */
import type { Challenge } from "altcha-lib";
import type { z } from "zod/mini";
import type {
  HealthSchema,
  IncidentDetailSchema,
  IncidentListSchema,
  IncidentSchema,
  ReportResultSchema,
  SeriesSchema,
  ServiceDetailSchema,
  ServiceListSchema,
  ServiceSummarySchema,
} from "../../contract/api-schemas";
import type { Category } from "../../contract/catalog";
import type { RegionArea } from "../../contract/regions";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import type {
  ConfirmedSubscriptionSchema,
  SubscriptionBodySchema,
  SubscriptionReceiptSchema,
  UnsubscribedSchema,
} from "../../contract/subscription-schemas";

/** One service as `GET /services` lists it. */
export type ServiceSummary = z.infer<typeof ServiceSummarySchema>;

/** How a service is doing now. */
export type ServiceStatus = ServiceSummary["status"];

/** `GET /services`: a page of services and the cursor of the next. */
export type ServicePage = z.infer<typeof ServiceListSchema>;

/** Which services a page of `GET /services` holds. */
export interface ServiceFilter {
  status?: ServiceStatus | undefined;
  category?: Category | undefined;
  limit?: number;
  cursor?: string | undefined;
}

/** `GET /services/{id}`: the summary and each source's health. */
export type ServiceDetail = z.infer<typeof ServiceDetailSchema>;

/** One source's health: its status, since when, and the class of its last failure. */
export type SourceHealth = ServiceDetail["sources"][number];

/** `GET /services/{id}/series`. */
export type Series = z.infer<typeof SeriesSchema>;

/** One bucket of a series; `count` null is a gap (no source was read). */
export type SeriesPoint = Series["points"][number];

/** An incident as the API shows it. */
export type Incident = z.infer<typeof IncidentSchema>;

/** `GET /incidents/{id}`: the incident, what its sources said and its notifications. */
export type IncidentDetail = z.infer<typeof IncidentDetailSchema>;

/** `GET /incidents`. */
export type IncidentPage = z.infer<typeof IncidentListSchema>;

/** `GET /health`: the server's clock. */
export type Health = z.infer<typeof HealthSchema>;

/** The answer to `POST /reports` (202 accepted, 200 duplicate). */
export type ReportResult = z.infer<typeof ReportResultSchema>;

/** What `POST /subscriptions` takes, less the challenge (the client solves it). */
export type SubscriptionRequest = Omit<z.infer<typeof SubscriptionBodySchema>, "altcha">;

/** The answer to `POST /subscriptions` (202): waiting for its confirmation. */
export type SubscriptionReceipt = z.infer<typeof SubscriptionReceiptSchema>;

/** The answer to `POST /subscriptions/confirm`: confirmed, with its unsubscribe token. */
export type ConfirmedSubscription = z.infer<typeof ConfirmedSubscriptionSchema>;

/** The answer to `POST /subscriptions/unsubscribe`. */
export type Unsubscribed = z.infer<typeof UnsubscribedSchema>;

/** An RFC 9457 problem the API answered with, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly field?: string,
    /** Seconds to wait, from `Retry-After` (429). */
    readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/** Where the API key is kept when the deployment asks for one (this tab only). */
const KEY_STORAGE = "outcry.apiKey";

/** The API key this tab was given, if any. */
export function apiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Remembers (or, with null, forgets) the API key for this tab. */
export function setApiKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage may be disabled; the key then lasts as long as nothing asks for it again.
  }
}

async function toError(response: Response): Promise<ApiError> {
  let body: { title?: unknown; detail?: unknown; field?: unknown } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): fall back to the status line.
  }
  const retry = Number(response.headers.get("retry-after"));
  return new ApiError(
    response.status,
    typeof body.title === "string" ? body.title : response.statusText,
    typeof body.detail === "string" ? body.detail : `the server answered ${response.status}`,
    typeof body.field === "string" ? body.field : undefined,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

/** How long a request may take before the page gives up on it. */
export const REQUEST_TIMEOUT_MS = 20_000;

/** Whether `error` is the page abandoning a request it no longer needs (not a failure). */
export const isAbort = (error: unknown): boolean =>
  error instanceof DOMException && error.name === "AbortError";

/**
 * One request: gives up after {@link REQUEST_TIMEOUT_MS} (an ApiError, status 0) and
 * stops at once when `signal` aborts (rejecting with its AbortError).
 */
async function request<T>(path: string, init: RequestInit = {}, signal?: AbortSignal): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("accept", "application/json");
  const key = apiKey();
  if (key) headers.set("x-api-key", key);
  signal?.throwIfAborted();
  // A timer rather than AbortSignal.timeout: it combines with `signal` in the browsers
  // the page targets (AbortSignal.any is newer), and a test's fake clock can run it.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, REQUEST_TIMEOUT_MS);
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", stop);
  const failed = (error: unknown) => {
    if (timedOut) {
      return new ApiError(
        0,
        "Timeout",
        `the server did not answer within ${REQUEST_TIMEOUT_MS / 1000} seconds`,
      );
    }
    if (signal?.aborted) return signal.reason;
    return new ApiError(0, "Network error", `could not reach the server (${String(error)})`);
  };
  try {
    let response: Response;
    try {
      // no-cache: revalidate every time (ETags make that a 304), because a refresh must
      // show the newest bucket rather than an answer the browser kept for 30 s.
      response = await fetch(path, {
        cache: "no-cache",
        ...init,
        headers,
        signal: controller.signal,
      });
    } catch (error) {
      throw failed(error);
    }
    if (!response.ok) throw await toError(response);
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw failed(error);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
  }
}

const encode = encodeURIComponent;

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
};

/**
 * The `altcha` field for a report or a subscription: the challenge of
 * `GET /reports/challenge`, solved; undefined when the server has challenges off (404).
 */
async function solvedChallenge(): Promise<string | undefined> {
  return request<Challenge>("/reports/challenge", { cache: "no-store" }).then(
    solveReportChallenge,
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    },
  );
}

/** Posts `body` as JSON. */
const post = <T>(path: string, body: unknown) =>
  request<T>(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** The calls the page makes; reads take the signal that abandons them. */
export const api = {
  /** One page of services; pass its `next` as `cursor`, with the same filter, for the next. */
  services: (filter: ServiceFilter = {}, signal?: AbortSignal) =>
    request<ServicePage>(`/services${query({ ...filter })}`, {}, signal),
  service: (id: string, signal?: AbortSignal) =>
    request<ServiceDetail>(`/services/${encode(id)}`, {}, signal),
  /** Without `to`, up to the server's now; without `from`, 24 hours before `to`. */
  series: (id: string, range: { from?: string; to?: string } = {}, signal?: AbortSignal) =>
    request<Series>(`/services/${encode(id)}/series${query(range)}`, {}, signal),
  incidents: (
    filter: { service?: string; status?: "open"; limit?: number; cursor?: string } = {},
    signal?: AbortSignal,
  ) => request<IncidentPage>(`/incidents${query(filter)}`, {}, signal),
  incident: (id: string, signal?: AbortSignal) =>
    request<IncidentDetail>(`/incidents/${encode(id)}`, {}, signal),
  /**
   * The map's atlas of `area` (TopoJSON, checked by the map). The browser's cache may
   * answer: it changes only with a deployment, and its ETag revalidates it.
   */
  atlas: (area: RegionArea, signal?: AbortSignal) =>
    request<unknown>(`/atlas/${area}.json`, { cache: "default" }, signal),
  /** The server's clock (the demo's is virtual), to ask for ranges that end now. */
  health: (signal?: AbortSignal) => request<Health>("/health", {}, signal),
  /**
   * Posts a report with a solved challenge (none when the server has them off: 404), and
   * the reporter's region of the service's area when they gave one.
   */
  report: async (service: string, problem: string, region?: string) =>
    post<ReportResult>("/reports", { service, problem, region, altcha: await solvedChallenge() }),
  /** Asks for alerts, with a solved challenge like a report's. */
  subscribe: async (body: SubscriptionRequest) =>
    post<SubscriptionReceipt>("/subscriptions", { ...body, altcha: await solvedChallenge() }),
  /** Confirms an SMS subscription with the six-digit code it was texted. */
  confirmSubscription: (subscription: string, code: string) =>
    post<ConfirmedSubscription>("/subscriptions/confirm", { subscription, code }),
  /** Ends the subscription the token names. */
  unsubscribe: (token: string) => post<Unsubscribed>("/subscriptions/unsubscribe", { token }),
};
