/**
 * Reading a Better Stack status page's public `index.json` (JSON:API, documented at
 * https://betterstack.com/docs/uptime/status-pages/subscribing-to-status-updates/subscribing-to-api):
 * the page's `aggregate_state` and its resources' `status` as a level (0-3), its open
 * status reports as timeline annotations and as stated incidents.
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import { parseIso } from "../../domain/buckets";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { SourceHttpError } from "../../http/fetch-with-policy";
import { namedComponents } from "../component-names";
import { fieldPath, oneLine } from "../status-text";

/** JSON:API ids are strings; a number is read as its decimal text. */
const IdSchema = z.union([z.string(), z.number()]);

const PageSchema = z.looseObject({
  data: z.looseObject({
    id: IdSchema,
    attributes: z.looseObject({ aggregate_state: z.string() }),
  }),
  included: z.optional(
    z.array(z.looseObject({ id: IdSchema, type: z.string(), attributes: z.optional(z.unknown()) })),
  ),
});

const ResourceAttributesSchema = z.looseObject({
  public_name: z.string(),
  status: z.nullish(z.string()),
});

const AffectedSchema = z.looseObject({ status_page_resource_id: IdSchema, status: z.string() });

const ReportAttributesSchema = z.looseObject({
  title: z.string(),
  report_type: z.nullish(z.string()),
  starts_at: z.nullish(z.string()),
  ends_at: z.nullish(z.string()),
  affected_resources: z.nullish(z.array(AffectedSchema)),
  aggregate_state: z.nullish(z.string()),
});

const UpdateAttributesSchema = z.looseObject({
  message: z.nullish(z.string()),
  published_at: z.string(),
  status_report_id: z.nullish(IdSchema),
});

/** A resource (a monitor or component shown on the page). */
export interface BetterstackResource {
  id: string;
  name: string;
  /** `operational`, `degraded`, `downtime`, `maintenance` or `not_monitored`. */
  status: string;
}

/** A status report (an incident or a maintenance) with its updates, oldest first. */
export interface BetterstackReport {
  id: string;
  title: string;
  /** `manual`, `automatic` or `maintenance`. */
  type: string;
  startsAt: number;
  endsAt: number;
  /** Lower case: `resolved` once it is over, else the state of what it affects. */
  state: string;
  affected: string[];
  updates: { id: string; at: number }[];
}

/** What this source reads from a page. */
export interface BetterstackPage {
  aggregateState: string;
  resources: BetterstackResource[];
  reports: BetterstackReport[];
}

/**
 * Level of each resource status. `maintenance` is 0 (announced work, as the other status
 * kinds count it); `not_monitored` and statuses not listed are 0 too.
 */
export const RESOURCE_LEVELS: Readonly<Record<string, number>> = {
  operational: 0,
  maintenance: 0,
  not_monitored: 0,
  degraded: 1,
  downtime: 2,
};

function invalid(url: string, field: string, message: string): never {
  throw new SourceHttpError(
    `GET ${url} is not a Better Stack status page: ${field}: ${message}; check that the source's url is the status page's address (e.g. 'https://status.betterstack.com')`,
    { url, retryable: false, reason: "invalid-payload" },
  );
}

/** The attributes of `included[index]`, validated by `schema`. */
function attributesOf<T>(
  schema: z.ZodMiniType<T>,
  item: { attributes?: unknown },
  index: number,
  url: string,
): T {
  const parsed = schema.safeParse(item.attributes);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = fieldPath(["included", index, "attributes", ...(issue?.path ?? [])]);
  return invalid(url, path, issue?.message ?? "does not match");
}

/** Epoch ms of an ISO time; NaN when absent or unreadable. */
function timeOf(text: string | null | undefined): number {
  return typeof text === "string" ? parseIso(text) : Number.NaN;
}

/**
 * The page in `document`, validated: its resources, and its status reports with their
 * updates (an update names its report by `status_report_id`).
 * @throws SourceHttpError (`invalid-payload`, not retried) naming the first field that
 * does not match, e.g. `included[2].attributes.public_name`
 */
export function betterstackPage(document: unknown, url: string): BetterstackPage {
  const parsed = PageSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    invalid(url, fieldPath(issue?.path ?? []) || "the document", issue?.message ?? "unreadable");
  }
  const resources: BetterstackResource[] = [];
  const reports: BetterstackReport[] = [];
  const updates: { report: string; id: string; at: number }[] = [];
  (parsed.data.included ?? []).forEach((item, index) => {
    const id = String(item.id);
    if (item.type === "status_page_resource") {
      const a = attributesOf(ResourceAttributesSchema, item, index, url);
      resources.push({ id, name: a.public_name, status: (a.status ?? "").toLowerCase() });
    } else if (item.type === "status_report") {
      const a = attributesOf(ReportAttributesSchema, item, index, url);
      reports.push({
        id,
        title: a.title,
        type: (a.report_type ?? "manual").toLowerCase(),
        startsAt: timeOf(a.starts_at),
        endsAt: timeOf(a.ends_at),
        state: (a.aggregate_state ?? "").toLowerCase(),
        affected: (a.affected_resources ?? []).map((r) => String(r.status_page_resource_id)),
        updates: [],
      });
    } else if (item.type === "status_update") {
      const a = attributesOf(UpdateAttributesSchema, item, index, url);
      if (a.status_report_id !== null && a.status_report_id !== undefined) {
        updates.push({ report: String(a.status_report_id), id, at: timeOf(a.published_at) });
      }
    }
  });
  const byId = new Map(reports.map((r) => [r.id, r]));
  for (const update of updates) byId.get(update.report)?.updates.push(update);
  for (const report of reports) report.updates.sort((a, b) => a.at - b.at);
  return {
    aggregateState: parsed.data.data.attributes.aggregate_state.toLowerCase(),
    resources,
    reports,
  };
}

/**
 * The level of `resources`: their worst status, and 3 when every one of them is down (a
 * whole outage, where some resources down is a partial one, 2).
 */
function resourcesLevel(resources: readonly BetterstackResource[]): number {
  const worst = resources.reduce((w, r) => Math.max(w, RESOURCE_LEVELS[r.status] ?? 0), 0);
  return worst === 2 && resources.every((r) => r.status === "downtime") ? 3 : worst;
}

/**
 * The page's level: with `only`, that of the resources named (case-insensitive); without,
 * the worst of its resources and of its `aggregate_state` (`degraded` 1, `downtime` 2, or
 * 3 on a page that lists no resources; `operational` and `maintenance` 0).
 * @throws Error naming the listed components the page does not have
 */
export function betterstackLevel(page: BetterstackPage, only?: readonly string[]): number {
  if (only?.length) return resourcesLevel(namedComponents(page.resources, only));
  const stated =
    page.aggregateState === "degraded"
      ? 1
      : page.aggregateState === "downtime"
        ? page.resources.length === 0
          ? 3
          : 2
        : 0;
  return Math.max(stated, resourcesLevel(page.resources));
}

/** True while a report is open at `nowMs`: begun, not resolved, not past its end. */
function isOpen(report: BetterstackReport, nowMs: number): boolean {
  if (report.state === "resolved") return false;
  if (!Number.isNaN(report.startsAt) && report.startsAt > nowMs) return false;
  return Number.isNaN(report.endsAt) || report.endsAt > nowMs;
}

/**
 * The names (lower case) of the resources a report affects; with `only`, a report that
 * names resources but none of those is left out (null). No resources named: the page.
 */
function scopesOf(
  report: BetterstackReport,
  page: BetterstackPage,
  only?: readonly string[],
): string[] | null {
  const names = new Map(page.resources.map((r) => [r.id, r.name.trim().toLowerCase()]));
  const scopes = [
    ...new Set(report.affected.map((id) => names.get(id)).filter((n) => n !== undefined)),
  ];
  if (!only?.length || report.affected.length === 0) return scopes;
  const wanted = new Set(only.map((name) => name.trim().toLowerCase()));
  return scopes.some((s) => wanted.has(s)) ? scopes : null;
}

/**
 * The open incident reports (maintenance is planned work, not an incident), as stated
 * incidents; with `only`, those that affect a named resource or the whole page.
 * @example betterstackStated(page, Date.now(), ["API"])
 */
export function betterstackStated(
  page: BetterstackPage,
  nowMs: number,
  only?: readonly string[],
): StatedIncident[] {
  const stated: StatedIncident[] = [];
  for (const report of page.reports) {
    if (report.type === "maintenance" || !isOpen(report, nowMs)) continue;
    const scopes = scopesOf(report, page, only);
    if (scopes === null) continue;
    const startedAt = Number.isNaN(report.startsAt) ? nowMs : report.startsAt;
    stated.push({ key: report.id, title: report.title, startedAt, scopes });
  }
  return stated;
}

/**
 * Annotations for the open reports: an incident's start ("acknowledged an incident") or
 * a maintenance's ("started planned maintenance") and each later update; and a resolved
 * report's end when the page dates it between `sinceMs` and `nowMs`. Nothing dated after
 * `nowMs` is told yet. Keys are the report's and the update's ids, so a report the page
 * restates each read is stored once.
 * @example betterstackAnnotations("Better Stack", page, since, Date.now(), ["API"])
 */
export function betterstackAnnotations(
  displayName: string,
  page: BetterstackPage,
  sinceMs: number,
  nowMs: number,
  only?: readonly string[],
): SourceAnnotation[] {
  const annotations: SourceAnnotation[] = [];
  for (const report of page.reports) {
    if (scopesOf(report, page, only) === null) continue;
    const title = oneLine(report.title);
    const maintenance = report.type === "maintenance";
    if (report.state === "resolved") {
      if (report.endsAt >= sinceMs && report.endsAt <= nowMs) {
        const what = maintenance ? "finished planned maintenance" : "resolved an incident";
        annotations.push({
          at: report.endsAt,
          key: `${report.id}:end`,
          text: `${displayName} ${what}: ${title}`,
        });
      }
      continue;
    }
    if (!isOpen(report, nowMs)) continue;
    const startAt = Number.isNaN(report.startsAt) ? report.updates[0]?.at : report.startsAt;
    if (startAt === undefined || Number.isNaN(startAt)) continue;
    const what = maintenance ? "started planned maintenance" : "acknowledged an incident";
    annotations.push({
      at: startAt,
      key: `${report.id}:start`,
      text: `${displayName} ${what}: ${title}`,
    });
    for (const update of report.updates) {
      if (!(update.at > startAt && update.at <= nowMs)) continue;
      annotations.push({
        at: update.at,
        key: `${report.id}:${update.id}`,
        text: `${displayName} posted an update on ${title}`,
      });
    }
  }
  return annotations.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
