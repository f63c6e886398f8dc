/**
 * Reading a Cachet 2.x status page's API (`/api/v1/components`, `/api/v1/incidents`,
 * each a `data` list with `meta.pagination`): the worst component status as a level
 * (0-3), the unresolved incidents as timeline annotations and stated incidents.
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import { parseIso } from "../../domain/buckets";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { SourceHttpError } from "../../http/fetch-with-policy";
import { namedComponents } from "../component-names";
import { fieldPath, oneLine } from "../status-text";

/** Cachet writes numbers, and on some installations numeric strings ("1"). */
const CodeSchema = z.union([z.number(), z.string().check(z.regex(/^\d{1,9}$/))]);

const ComponentSchema = z.looseObject({
  id: CodeSchema,
  name: z.string(),
  status: CodeSchema,
  enabled: z.optional(z.union([z.boolean(), z.number()])),
});

const IncidentSchema = z.looseObject({
  id: CodeSchema,
  component_id: z.nullish(CodeSchema),
  name: z.string(),
  status: CodeSchema,
  visible: z.optional(z.union([z.boolean(), z.number()])),
  occurred_at: z.nullish(z.string()),
  created_at: z.nullish(z.string()),
  updated_at: z.nullish(z.string()),
});

/** A `data` list, as every Cachet 2.x list endpoint answers. */
const listSchema = <T extends z.ZodMiniType>(item: T) =>
  z.looseObject({
    data: z.array(item),
    meta: z.optional(z.looseObject({ pagination: z.optional(z.looseObject({})) })),
  });

const ComponentsSchema = listSchema(ComponentSchema);
const IncidentsSchema = listSchema(IncidentSchema);

/** A component of the page. */
export interface CachetComponent {
  id: number;
  name: string;
  /** 0 unknown, 1 operational, 2 performance issues, 3 partial outage, 4 major outage. */
  status: number;
  enabled: boolean;
}

/** An incident of the page. */
export interface CachetIncident {
  id: number;
  /** 0 (or absent): the page as a whole. */
  componentId: number;
  name: string;
  /** 0 scheduled, 1 investigating, 2 identified, 3 watching, 4 fixed. */
  status: number;
  visible: boolean;
  /** When it began (`occurred_at`, else `created_at`); NaN when unreadable. */
  startedAt: number;
  updatedAt: number;
}

/** Level of each component status; 0 (unknown) and codes not listed count 0. */
export const COMPONENT_LEVELS: Readonly<Record<number, number>> = { 1: 0, 2: 1, 3: 2, 4: 3 };

/** How a status after the first reads in an annotation. */
const INCIDENT_WORDS: Readonly<Record<number, string>> = { 2: "identified", 3: "watching" };

/**
 * Epoch ms of a Cachet time. Cachet writes `YYYY-MM-DD HH:mm:ss` in the page's own zone
 * without saying which; it is read as UTC (a page set to another zone is off by its
 * offset). An ISO-8601 time with a zone is read as written. NaN when unreadable.
 * @example cachetTime("2023-02-14 03:41:12") // Date.parse("2023-02-14T03:41:12Z")
 */
export function cachetTime(text: string | null | undefined): number {
  if (typeof text !== "string") return Number.NaN;
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text);
  return plain ? Date.parse(`${plain[1]}T${plain[2]}Z`) : parseIso(text);
}

/** The list in `document`, validated, or an error naming the field of `url` that is wrong. */
function listOf<T>(schema: z.ZodMiniType<{ data: T[] }>, document: unknown, url: string): T[] {
  const parsed = schema.safeParse(document);
  if (parsed.success) return parsed.data.data;
  const issue = parsed.error.issues[0];
  const field = fieldPath(issue?.path ?? []) || "the document";
  throw new SourceHttpError(
    `GET ${url} is not a Cachet 2.x list: ${field}: ${issue?.message ?? "unreadable"}; check that the source's url is the Cachet page's root (outcry adds /api/v1/...), e.g. 'https://demo.cachethq.io'`,
    { url, retryable: false, reason: "invalid-payload" },
  );
}

/** On/off flags come as booleans or 0/1; absent means on. */
const flag = (value: boolean | number | undefined) => value !== false && value !== 0;

/**
 * The components of a `/api/v1/components` answer, validated.
 * @throws SourceHttpError (`invalid-payload`) naming the field, e.g. `data[1].status`
 */
export function cachetComponents(document: unknown, url: string): CachetComponent[] {
  return listOf(ComponentsSchema, document, url).map((c) => ({
    id: Number(c.id),
    name: c.name,
    status: Number(c.status),
    enabled: flag(c.enabled),
  }));
}

/**
 * The incidents of a `/api/v1/incidents` answer, validated.
 * @throws SourceHttpError (`invalid-payload`) naming the field, e.g. `data[0].name`
 */
export function cachetIncidents(document: unknown, url: string): CachetIncident[] {
  return listOf(IncidentsSchema, document, url).map((i) => ({
    id: Number(i.id),
    componentId: Number(i.component_id ?? 0),
    name: i.name,
    status: Number(i.status),
    visible: flag(i.visible),
    startedAt: cachetTime(i.occurred_at ?? i.created_at),
    updatedAt: cachetTime(i.updated_at),
  }));
}

/**
 * The worst level of the enabled components, or of the enabled ones among those named in
 * `only` (case-insensitive): status 1 → 0, 2 → 1, 3 → 2, 4 → 3; unknown (0) counts 0. A
 * disabled component is off the page, so its status does not count.
 * @throws Error naming the listed components the page does not have
 */
export function cachetLevel(
  components: readonly CachetComponent[],
  only?: readonly string[],
): number {
  const counted = (only?.length ? namedComponents(components, only) : components).filter(
    (c) => c.enabled,
  );
  return counted.reduce((worst, c) => Math.max(worst, COMPONENT_LEVELS[c.status] ?? 0), 0);
}

/** Investigating, identified or watching, and shown on the page. */
const isUnresolved = (incident: CachetIncident) =>
  incident.visible && incident.status >= 1 && incident.status <= 3;

/**
 * The component an incident affects (lower case) as its scope; none: the whole page.
 * With `only`, an incident on a component not named there is left out (null).
 */
function scopesOf(
  incident: CachetIncident,
  components: readonly CachetComponent[],
  only?: readonly string[],
): string[] | null {
  if (incident.componentId <= 0) return [];
  const name = components
    .find((c) => c.id === incident.componentId)
    ?.name.trim()
    .toLowerCase();
  if (!only?.length) return name ? [name] : [];
  const wanted = new Set(only.map((n) => n.trim().toLowerCase()));
  return name && wanted.has(name) ? [name] : null;
}

/**
 * The unresolved, visible incidents begun by `nowMs` as stated incidents, their component
 * as their scope; with `only`, those on a named component or on the whole page.
 * @example cachetStated(incidents, components, Date.now(), ["API"])
 */
export function cachetStated(
  incidents: readonly CachetIncident[],
  components: readonly CachetComponent[],
  nowMs: number,
  only?: readonly string[],
): StatedIncident[] {
  const stated: StatedIncident[] = [];
  for (const incident of incidents) {
    if (!isUnresolved(incident) || incident.startedAt > nowMs) continue;
    const scopes = scopesOf(incident, components, only);
    if (scopes === null) continue;
    const startedAt = Number.isNaN(incident.startedAt) ? nowMs : incident.startedAt;
    stated.push({ key: String(incident.id), title: incident.name, startedAt, scopes });
  }
  return stated;
}

/**
 * Annotations for the visible incidents: an unresolved one's start ("acknowledged an
 * incident") and its current status once it moved on (identified, watching); a fixed
 * one's resolution when it was fixed (its `updated_at`) between `sinceMs` and `nowMs`.
 * Nothing dated after `nowMs` is told yet. Keys hold the incident's id and status, so an
 * incident the page restates each read is stored once.
 * @example cachetAnnotations("Example", incidents, components, since, Date.now())
 */
export function cachetAnnotations(
  displayName: string,
  incidents: readonly CachetIncident[],
  components: readonly CachetComponent[],
  sinceMs: number,
  nowMs: number,
  only?: readonly string[],
): SourceAnnotation[] {
  const annotations: SourceAnnotation[] = [];
  for (const incident of incidents) {
    if (!incident.visible || scopesOf(incident, components, only) === null) continue;
    const name = oneLine(incident.name);
    if (incident.status === 4) {
      const at = incident.updatedAt;
      if (at >= sinceMs && at <= nowMs) {
        const text = `${displayName} resolved an incident: ${name}`;
        annotations.push({ at, key: `${incident.id}:fixed`, text });
      }
      continue;
    }
    if (!isUnresolved(incident) || !(incident.startedAt <= nowMs)) continue;
    const text = `${displayName} acknowledged an incident: ${name}`;
    annotations.push({ at: incident.startedAt, key: `${incident.id}:start`, text });
    const word = INCIDENT_WORDS[incident.status];
    const at = incident.updatedAt;
    if (word && at > incident.startedAt && at <= nowMs) {
      const update = `${displayName} posted an update on ${name}: ${word}`;
      annotations.push({ at, key: `${incident.id}:status-${incident.status}`, text: update });
    }
  }
  return annotations.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
