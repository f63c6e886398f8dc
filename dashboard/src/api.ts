/**
 * The page's client of the outcry HTTP API (same origin, JSON). Types mirror the API's
 * schemas (`lambdas/api/schemas.ts`); fields the API may add later are optional here and
 * read as null when absent, so the page keeps working against an older API.
 */
import type { Category } from "../../lambdas/domain/catalog";

/** How a service is doing now. */
export type ServiceStatus = "normal" | "elevated" | "outage";

/** One service as `GET /services` lists it. */
export interface ServiceSummary {
  id: string;
  name: string;
  category: Category;
  timeZone: string;
  status: ServiceStatus;
  latest: { at: string; count: number | null } | null;
  baseline: number | null;
  openIncident: string | null;
}

/** `GET /services/{id}`: the summary and each source's health. */
export interface ServiceDetail extends ServiceSummary {
  sources: {
    source: string;
    lastSuccessAt: string | null;
    lastErrorAt: string | null;
    lastError: string | null;
    consecutiveFailures: number;
  }[];
}

/** One bucket of a series; `count` null is a gap (no source was read). */
export interface SeriesPoint {
  at: string;
  count: number | null;
  /** Expected count for the bucket (absent from older APIs). */
  baseline?: number | null;
  /** Above this the bucket counts as elevated (absent from older APIs). */
  threshold?: number | null;
  sources: Record<string, number>;
  breakdowns?: Record<string, Record<string, number>>;
}

/** `GET /services/{id}/series`. */
export interface Series {
  service: string;
  bucketMinutes: number;
  from: string;
  to: string;
  points: SeriesPoint[];
}

/** An incident as the API shows it. */
export interface Incident {
  id: string;
  service: string;
  status: "open" | "resolved";
  startedAt: string;
  openedAt: string;
  resolvedAt: string | null;
  countAtOpen: number;
  baselineAtOpen: number;
  peak: { count: number; at: string };
  falloffs: { at: string; count: number }[];
  correlatedWith: string[];
  summary: { subject: string; text: string; sms: string };
}

/** `GET /incidents/{id}`: the incident and what its sources said. */
export interface IncidentDetail extends Incident {
  annotations: { at: string; source: string; text: string }[];
}

/** `GET /incidents`. */
export interface IncidentPage {
  incidents: Incident[];
  next: string | null;
}

/** The answer to `POST /reports` (202 accepted, 200 duplicate). */
export interface ReportResult {
  status: "accepted" | "duplicate";
  service: string;
  problem: string;
}

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

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("accept", "application/json");
  const key = apiKey();
  if (key) headers.set("x-api-key", key);
  let response: Response;
  try {
    // no-cache: revalidate every time (ETags make that a 304), because a refresh must
    // show the newest bucket rather than an answer the browser kept for 30 s.
    response = await fetch(path, { cache: "no-cache", ...init, headers });
  } catch (error) {
    throw new ApiError(0, "Network error", `could not reach the server (${String(error)})`);
  }
  if (!response.ok) throw await toError(response);
  return (await response.json()) as T;
}

const encode = encodeURIComponent;

/** The calls the page makes. */
export const api = {
  services: () => request<{ services: ServiceSummary[] }>("/services"),
  service: (id: string) => request<ServiceDetail>(`/services/${encode(id)}`),
  /** Without `to`, up to the server's now; without `from`, 24 hours before `to`. */
  series: (id: string, range: { from?: string; to?: string } = {}) => {
    const params = new URLSearchParams();
    if (range.from) params.set("from", range.from);
    if (range.to) params.set("to", range.to);
    const search = params.toString();
    return request<Series>(`/services/${encode(id)}/series${search ? `?${search}` : ""}`);
  },
  incidents: (query: { service?: string; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (query.service) params.set("service", query.service);
    if (query.limit) params.set("limit", String(query.limit));
    const search = params.toString();
    return request<IncidentPage>(`/incidents${search ? `?${search}` : ""}`);
  },
  incident: (id: string) => request<IncidentDetail>(`/incidents/${encode(id)}`),
  report: (service: string, problem: string) =>
    request<ReportResult>("/reports", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service, problem }),
    }),
};
