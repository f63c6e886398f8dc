/**
 * Use case: one page of services with their status, filtered by status and category.
 * Steps:
 * 1. Take the configured services of the category (the config is the truth about which
 *    services exist and what they are), in config order, from just after the cursor's.
 * 2. Without a status filter, the page is the next `limit` of them: their status records
 *    are one batched read. With `status=normal`, read the records of the next `limit`
 *    and keep the normal ones (a service with no record yet is normal), until the page
 *    is full or {@link MAX_ROUNDS_PER_REQUEST} batches were read. With `status=elevated`
 *    or `outage` (rare, so listed apart by the store), query that listing, in id order,
 *    and keep the configured services of the category, for as many rounds at most.
 * 3. Add each listed service's newest count and baseline (batched reads of the page only).
 * 4. Answer a cursor that continues just after the last service read, bound to the
 *    filters: one sent with other filters, or altered, is refused.
 * Every request reads a number of items bounded by the page size, however many services
 * there are.
 */
import { createHash } from "node:crypto";
import type { Config, Service } from "../domain/config";
import { InvalidCursorError, type StoredServiceStatus } from "../domain/ports";
import { type ServiceStatus, type StatusRecord, UNKNOWN_STATUS } from "../domain/service-status";
import { type QueryDependencies, serviceSummaries } from "./query-status";

/** Batches of records (or listing pages) one request reads at most before answering. */
export const MAX_ROUNDS_PER_REQUEST = 5;

/** Which services, and where to go on from. */
export interface ServiceFilters {
  status?: ServiceStatus | undefined;
  category?: string | undefined;
  limit: number;
  /** The `next` of a previous page. */
  cursor?: string | undefined;
}

/** A digest of the filters and the position: a cursor altered or moved to other filters fails it. */
function tagOf(filters: ServiceFilters, position: string): string {
  const text = JSON.stringify([filters.status ?? null, filters.category ?? null, position]);
  return createHash("sha256").update(text).digest("base64url").slice(0, 10);
}

/** The API's cursor: the id of the last service read, and its tag. */
function toCursor(afterId: string, filters: ServiceFilters): string {
  const position = Buffer.from(afterId, "utf8").toString("base64url");
  return `${position}.${tagOf(filters, position)}`;
}

/** The service id a cursor continues after, checked against the filters it comes with. */
function afterOf(cursor: string, filters: ServiceFilters): string {
  const [position, tag, ...rest] = cursor.split(".");
  if (position === undefined || tag === undefined || rest.length > 0 || position === "") {
    throw new InvalidCursorError();
  }
  if (tag !== tagOf(filters, position)) {
    throw new InvalidCursorError("it was altered, or made for other filters");
  }
  return Buffer.from(position, "base64url").toString("utf8");
}

const servicesByCategory = new WeakMap<Config, Map<string, Service[]>>();

/** The configured services of `category` (all without one), in config order; kept per config. */
function servicesOf(config: Config, category: string | undefined): Service[] {
  const byCategory = servicesByCategory.get(config) ?? new Map<string, Service[]>();
  servicesByCategory.set(config, byCategory);
  const key = category ?? "";
  let services = byCategory.get(key);
  if (!services) {
    services = category ? config.services.filter((s) => s.category === category) : config.services;
    byCategory.set(key, services);
  }
  return services;
}

/** Where in `services` the page after `afterId` starts. */
function startAfter(services: readonly Service[], afterId: string | undefined): number {
  if (afterId === undefined) return 0;
  const index = services.findIndex((s) => s.id === afterId);
  if (index < 0) {
    throw new InvalidCursorError("the service it continues after is no longer configured");
  }
  return index + 1;
}

/** A page of configured services in config order, from `start`, with their records. */
async function configPage(
  deps: QueryDependencies,
  services: readonly Service[],
  start: number,
  filters: ServiceFilters,
) {
  const { limit, status } = filters;
  if (status === undefined) {
    const page = services.slice(start, start + limit);
    const last = page.at(-1);
    const more = start + limit < services.length && last;
    return { page, records: undefined, after: more ? last.id : null };
  }
  // Only normal ones: read the records a batch at a time, keeping the services they
  // show normal, until the page is full.
  const page: Service[] = [];
  const records = new Map<string, StatusRecord>();
  let at = start;
  for (let round = 0; round < MAX_ROUNDS_PER_REQUEST && at < services.length; round++) {
    const batch = services.slice(at, at + limit);
    const read = await deps.statuses.readMany(batch.map((s) => s.id));
    for (const service of batch) {
      at++;
      const record = read.get(service.id) ?? UNKNOWN_STATUS;
      if (record.status !== status) continue;
      page.push(service);
      records.set(service.id, record);
      if (page.length === limit)
        return { page, records, after: at < services.length ? service.id : null };
    }
  }
  const last = services[at - 1];
  return { page, records, after: at < services.length && last ? last.id : null };
}

/** A page of the services the store lists as `status`, in id order, from after `afterId`. */
async function listedPage(
  deps: QueryDependencies,
  services: readonly Service[],
  status: "elevated" | "outage",
  afterId: string | undefined,
  limit: number,
) {
  const configured = new Map(services.map((s) => [s.id, s]));
  const page: Service[] = [];
  const records = new Map<string, StoredServiceStatus>();
  let after = afterId;
  for (let round = 0; round < MAX_ROUNDS_PER_REQUEST; round++) {
    const listed = await deps.statuses.listByStatus(status, { after, limit });
    for (const record of listed.items) {
      after = record.service;
      // A service since removed from the config, or of another category, is left out.
      const service = configured.get(record.service);
      if (!service) continue;
      page.push(service);
      records.set(service.id, record);
      if (page.length === limit) return { page, records, after: record.service };
    }
    if (listed.next === null) return { page, records, after: null };
    after = listed.next;
  }
  return { page, records, after: after ?? null };
}

/**
 * One page of services.
 * @throws InvalidCursorError when `cursor` was not made by outcry, or for other filters
 * @example const { services, next } = await listServices(deps, { status: "outage", limit: 100 }, Date.now());
 */
export async function listServices(
  deps: QueryDependencies,
  filters: ServiceFilters,
  nowMs: number,
) {
  const { status, category, limit } = filters;
  const afterId = filters.cursor === undefined ? undefined : afterOf(filters.cursor, filters);
  // 1-2. The page and its records.
  const services = servicesOf(deps.config, category);
  const { page, records, after } =
    status === "elevated" || status === "outage"
      ? await listedPage(deps, services, status, afterId, limit)
      : await configPage(deps, services, startAfter(services, afterId), filters);
  // 3-4. Their counts and baselines, and where to go on from.
  return {
    services: await serviceSummaries(deps, page, nowMs, records),
    next: after === null ? null : toCursor(after, filters),
  };
}
