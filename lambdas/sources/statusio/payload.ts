/**
 * Reading a Status.io public status payload (`GET /1.0/status/{pageId}`): validated with
 * zod, the worst component level, and the active incidents and maintenance as timeline
 * annotations.
 */
// zod's mini build: the same checks, a fraction of the bundle (collect carries it).
import * as z from "zod/mini";
import { parseIso } from "../../domain/buckets";
import type { SourceAnnotation, StatedIncident } from "../../domain/count-source";
import { SourceHttpError } from "../../http/fetch-with-policy";
import { namedComponents } from "../component-names";
import { oneLine } from "../status-text";

/**
 * Level of each Status.io status code (https://kb.status.io/developers/status-codes/):
 * 100 operational 0, 200 planned maintenance 0, 300 degraded performance 1, 400 partial
 * service disruption 2, 500 service disruption 3, 600 security event 3. Planned
 * maintenance is 0, as Statuspage's `under_maintenance`: it is announced work, not a
 * failure, and outcry's maintenance windows are where planned work is held back.
 * A code not listed counts 0.
 */
export const STATUS_CODE_LEVELS: Readonly<Record<number, number>> = {
  100: 0,
  200: 0,
  300: 1,
  400: 2,
  500: 3,
  600: 3,
};

/** How a status code reads in an annotation. */
const STATUS_WORDS: Readonly<Record<number, string>> = {
  100: "operational",
  200: "planned maintenance",
  300: "degraded performance",
  400: "partial service disruption",
  500: "service disruption",
  600: "security event",
};

const MessageSchema = z.looseObject({
  details: z.optional(z.string()),
  status: z.optional(z.number()),
  datetime: z.string(),
});

const AffectedSchema = z.looseObject({ name: z.string() });

const EventSchema = z.looseObject({
  _id: z.string(),
  name: z.string(),
  datetime_open: z.optional(z.string()),
  messages: z.array(MessageSchema),
  components_affected: z.optional(z.array(AffectedSchema)),
  containers_affected: z.optional(z.array(AffectedSchema)),
});

const MaintenanceSchema = z.extend(EventSchema, {
  datetime_planned_start: z.optional(z.string()),
  datetime_planned_end: z.optional(z.string()),
});

const ContainerSchema = z.looseObject({
  name: z.string(),
  status_code: z.optional(z.number()),
});

const ComponentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  status_code: z.number(),
  containers: z.optional(z.array(ContainerSchema)),
});

/** The fields of the payload this source reads; other fields are let through. */
export const StatusioPayloadSchema = z.looseObject({
  result: z.looseObject({
    status_overall: z.looseObject({ status_code: z.number() }),
    status: z.array(ComponentSchema),
    incidents: z.array(EventSchema),
    maintenance: z.looseObject({
      active: z.array(MaintenanceSchema),
      upcoming: z.optional(z.array(MaintenanceSchema)),
    }),
  }),
});

/** A validated payload. */
export type StatusioPayload = z.infer<typeof StatusioPayloadSchema>;
/** An active incident or maintenance. */
type StatusioEvent = z.infer<typeof EventSchema>;

/** `result.status[2].name` for an issue's path. */
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

/**
 * The payload, validated.
 * @throws SourceHttpError (`invalid-payload`, not retried) naming the first field that
 * does not match, or what Status.io said when it answered with an error
 */
export function parseStatusioPayload(document: unknown, url: string): StatusioPayload {
  const error = (document as { error?: unknown } | null)?.error;
  if (typeof error === "string") {
    throw new SourceHttpError(
      `GET ${url}: Status.io answered '${error.slice(0, 200)}'; check the source's pageId`,
      { url, retryable: false, reason: "invalid-payload" },
    );
  }
  const parsed = StatusioPayloadSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? fieldName(issue.path) || "the document" : "the document";
  throw new SourceHttpError(
    `GET ${url} is not a Status.io status payload: ${field}: ${issue?.message ?? "does not match"}; check the source's url and pageId`,
    { url, retryable: false, reason: "invalid-payload" },
  );
}

/** A component's level: its own code and its containers'. */
function componentLevel(component: z.infer<typeof ComponentSchema>): number {
  const codes = [
    component.status_code,
    ...(component.containers ?? []).map((c) => c.status_code ?? 100),
  ];
  return codes.reduce((worst, code) => Math.max(worst, STATUS_CODE_LEVELS[code] ?? 0), 0);
}

/**
 * The worst level on the page (the overall status and every component), or among the
 * components named in `only` (case-insensitive) when given.
 * @throws Error naming the listed components the page does not have
 */
export function worstLevel(payload: StatusioPayload, only?: readonly string[]): number {
  const { status_overall: overall, status: components } = payload.result;
  if (!only || only.length === 0) {
    return components.reduce(
      (worst, c) => Math.max(worst, componentLevel(c)),
      STATUS_CODE_LEVELS[overall.status_code] ?? 0,
    );
  }
  return namedComponents(components, only).reduce(
    (worst, c) => Math.max(worst, componentLevel(c)),
    0,
  );
}

/** Epoch ms of an API timestamp (NaN when unreadable); fractions past milliseconds are cut. */
function parseTime(text: string | undefined): number {
  return typeof text === "string" ? parseIso(text.replace(/(\.\d{3})\d+/, "$1")) : Number.NaN;
}

/** The dated messages of an event, oldest first. */
function datedMessages(event: StatusioEvent) {
  return event.messages
    .map((message) => ({ message, at: parseTime(message.datetime) }))
    .filter(({ at }) => !Number.isNaN(at))
    .sort((a, b) => a.at - b.at);
}

const wordOf = (code: number | undefined) =>
  code === undefined ? "update" : (STATUS_WORDS[code] ?? `status ${code}`);

/**
 * The page's active incidents as stated incidents, scoped by the components they affect
 * (the containers, e.g. regions, too), begun when they were opened.
 */
export function statusioStated(payload: StatusioPayload, nowMs: number): StatedIncident[] {
  return payload.result.incidents.map((incident) => {
    const opened = parseTime(incident.datetime_open);
    const first = datedMessages(incident)[0]?.at;
    return {
      key: incident._id,
      title: oneLine(incident.name),
      startedAt: Number.isNaN(opened) ? (first ?? nowMs) : opened,
      scopes: [
        ...(incident.components_affected ?? []),
        ...(incident.containers_affected ?? []),
      ].map((affected) => affected.name),
    };
  });
}

/**
 * Annotations for the active incidents (each message) and the active maintenance (its
 * start, then each later message); anything dated after `nowMs` waits for a later read.
 * The payload lists only what is active, so every annotation is restated each read
 * under the same key.
 * @example statusioAnnotations("GitLab", payload, Date.now())
 */
export function statusioAnnotations(
  displayName: string,
  payload: StatusioPayload,
  nowMs: number,
): SourceAnnotation[] {
  const annotations: SourceAnnotation[] = [];
  for (const incident of payload.result.incidents) {
    const name = oneLine(incident.name);
    datedMessages(incident).forEach(({ message, at }, index) => {
      if (at > nowMs) return;
      const text =
        index === 0
          ? `${displayName} acknowledged an incident: ${name}`
          : `${displayName} posted an update on ${name}: ${wordOf(message.status)}`;
      annotations.push({ at, key: `${incident._id}:${message.datetime}`, text });
    });
  }
  for (const maintenance of payload.result.maintenance.active) {
    const name = oneLine(maintenance.name);
    const messages = datedMessages(maintenance);
    const start = parseTime(maintenance.datetime_planned_start);
    const startAt = Number.isNaN(start) ? messages[0]?.at : start;
    if (startAt === undefined || startAt > nowMs) continue;
    annotations.push({
      at: startAt,
      key: `${maintenance._id}:start`,
      text: `${displayName} started planned maintenance: ${name}`,
    });
    for (const { message, at } of messages) {
      if (at <= startAt || at > nowMs) continue;
      annotations.push({
        at,
        key: `${maintenance._id}:${message.datetime}`,
        text: `${displayName} posted an update on planned maintenance ${name}: ${wordOf(message.status)}`,
      });
    }
  }
  return annotations.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
