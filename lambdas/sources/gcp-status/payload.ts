/**
 * Reading Google Cloud's `incidents.json` (schema: https://status.cloud.google.com/incidents.schema.json):
 * the open incidents (no `end`) checked with zod's mini build, picked by product and
 * location, read as a level (0-3), as timeline annotations and as stated incidents.
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import { parseIso } from "../../domain/buckets";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { feedPayloadError, fieldPath, oneLine, scopesOf } from "../status-text";

/**
 * Level of each `status_impact`: SERVICE_INFORMATION 1, SERVICE_DISRUPTION 2,
 * SERVICE_OUTAGE 3. An open incident with another impact (the feed also writes
 * AVAILABLE_INFORMATION) counts 1: it is open, so Google is saying something is wrong.
 */
export const IMPACT_LEVELS: Readonly<Record<string, number>> = {
  SERVICE_INFORMATION: 1,
  SERVICE_DISRUPTION: 2,
  SERVICE_OUTAGE: 3,
};

/** How an update's `status` reads in an annotation. */
const STATUS_WORDS: Readonly<Record<string, string>> = {
  SERVICE_INFORMATION: "information",
  SERVICE_DISRUPTION: "service disruption",
  SERVICE_OUTAGE: "service outage",
  AVAILABLE: "available again",
};

const LocationSchema = z.looseObject({ id: z.string(), title: z.optional(z.string()) });

const UpdateSchema = z.looseObject({
  when: z.optional(z.string()),
  created: z.optional(z.string()),
  status: z.optional(z.string()),
  affected_locations: z.optional(z.array(LocationSchema)),
});

/** An open incident: the fields read here; others are let through. */
const IncidentSchema = z.looseObject({
  id: z.string(),
  begin: z.optional(z.string()),
  created: z.optional(z.string()),
  end: z.nullish(z.string()),
  external_desc: z.string(),
  updates: z.optional(z.array(UpdateSchema)),
  most_recent_update: z.nullish(UpdateSchema),
  status_impact: z.optional(z.string()),
  service_name: z.optional(z.string()),
  affected_products: z.optional(z.array(z.looseObject({ title: z.string() }))),
  currently_affected_locations: z.optional(z.array(LocationSchema)),
});

/** An open incident of the feed. */
export type GcpIncident = z.infer<typeof IncidentSchema>;

/** Which incidents count: products by title and locations by id (lower-case), when given. */
export interface GcpFilters {
  products?: readonly string[];
  regions?: readonly string[];
}

/** True for an incident the feed has not closed: no `end`, or an empty one. */
function isOpen(entry: unknown): boolean {
  if (typeof entry !== "object" || entry === null) return true;
  const end = (entry as { end?: unknown }).end;
  return end === undefined || end === null || end === "";
}

/**
 * The open incidents of `document`, validated. Closed incidents (years of them) are
 * skipped unread, so the check costs what the open ones cost.
 * @throws SourceHttpError (`invalid-payload`, not retried) naming the first field of an
 * open incident that does not match
 */
export function openGcpIncidents(document: unknown, url: string): GcpIncident[] {
  const hint =
    "check that the source's url is the status dashboard (e.g. 'https://status.cloud.google.com')";
  if (!Array.isArray(document)) {
    throw feedPayloadError(url, "is not Google Cloud's incident list (expected an array)", hint);
  }
  const open: GcpIncident[] = [];
  for (let index = 0; index < document.length; index += 1) {
    const entry: unknown = document[index];
    if (!isOpen(entry)) continue;
    const parsed = IncidentSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = fieldPath([index, ...(issue?.path ?? [])]);
      throw feedPayloadError(
        url,
        `is not Google Cloud's incident list: ${field}: ${issue?.message ?? "does not match"}`,
        hint,
      );
    }
    open.push(parsed.data);
  }
  return open;
}

/** The product titles of an incident, or its service name when it lists none. */
function productTitles(incident: GcpIncident): string[] {
  const titles = (incident.affected_products ?? []).map((p) => p.title);
  return titles.length > 0 || !incident.service_name ? titles : [incident.service_name];
}

/** The location ids an incident affects now, lower-case. */
function locationIds(incident: GcpIncident): string[] {
  return (incident.currently_affected_locations ?? []).map((l) => l.id.trim().toLowerCase());
}

/**
 * True when the incident touches one of the products and one of the locations asked for.
 * An incident at `global` touches every location, and one that names no current location
 * is not narrowed to any (Google has not said where it is).
 */
export function matchesFilters(incident: GcpIncident, filters: GcpFilters): boolean {
  const { products, regions } = filters;
  if (products && products.length > 0) {
    const wanted = new Set(products.map((p) => p.trim().toLowerCase()));
    if (!productTitles(incident).some((t) => wanted.has(t.trim().toLowerCase()))) return false;
  }
  if (regions && regions.length > 0) {
    const ids = locationIds(incident);
    const wanted = new Set(regions.map((r) => r.trim().toLowerCase()));
    if (ids.length > 0 && !ids.includes("global") && !ids.some((id) => wanted.has(id))) {
      return false;
    }
  }
  return true;
}

/** The level of an open incident (see {@link IMPACT_LEVELS}). */
function impactLevel(incident: GcpIncident): number {
  return IMPACT_LEVELS[incident.status_impact ?? ""] ?? 1;
}

/** The worst level among `incidents` (open and filtered), 0 when there are none. */
export function worstGcpLevel(incidents: readonly GcpIncident[]): number {
  return incidents.reduce((worst, incident) => Math.max(worst, impactLevel(incident)), 0);
}

/** Epoch ms of a feed time (`2023-03-10T14:09:43+00:00`); NaN when unreadable. */
function feedTime(text: string | undefined): number {
  return typeof text === "string" ? parseIso(text) : Number.NaN;
}

/** When an incident began: `begin`, else `created`, else NaN. */
function beganAt(incident: GcpIncident): number {
  const begin = feedTime(incident.begin);
  return Number.isNaN(begin) ? feedTime(incident.created) : begin;
}

/**
 * Annotations for open incidents: the start, then each update (the feed lists them newest
 * first); anything dated after `nowMs` waits for a later read. Keys are the incident's id
 * and the time, so each read restates the same annotations.
 * @example gcpAnnotations("Google Cloud", incidents, Date.now())
 */
export function gcpAnnotations(
  displayName: string,
  incidents: readonly GcpIncident[],
  nowMs: number,
): SourceAnnotation[] {
  const annotations: SourceAnnotation[] = [];
  for (const incident of incidents) {
    const name = oneLine(incident.external_desc);
    const start = beganAt(incident);
    if (!Number.isNaN(start) && start <= nowMs) {
      annotations.push({
        at: start,
        key: `${incident.id}:begin`,
        text: `${displayName} acknowledged an incident: ${name}`,
      });
    }
    for (const update of incident.updates ?? []) {
      const when = update.when ?? update.created;
      const at = feedTime(when);
      if (Number.isNaN(at) || at > nowMs || at <= start) continue;
      const word = STATUS_WORDS[update.status ?? ""] ?? "update";
      annotations.push({
        at,
        key: `${incident.id}:${when}`,
        text: `${displayName} posted an update on ${name}: ${word}`,
      });
    }
  }
  return annotations.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/**
 * The incidents as stated: the id, the description as written, when it began (the read's
 * time when the feed does not say) and, as scopes, the current location ids and the
 * product titles, lower-case.
 * @example gcpStated(incidents, Date.now())[0]?.scopes // ["us-central1", "google compute engine"]
 */
export function gcpStated(incidents: readonly GcpIncident[], nowMs: number): StatedIncident[] {
  return incidents.map((incident) => {
    const began = beganAt(incident);
    const locations = locationIds(incident);
    return {
      key: incident.id,
      title: incident.external_desc.trim(),
      startedAt: Number.isNaN(began) ? nowMs : began,
      scopes: scopesOf([...locations, ...productTitles(incident)]),
      // A message names up to two locations; more read as "Google Cloud: …".
      ...(locations.length > 0 && locations.length <= 2 ? { where: locations.join(", ") } : {}),
    };
  });
}
