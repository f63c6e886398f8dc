/**
 * The embeddable report button: its page (`GET /embed/report?service=<id>`), which only
 * the API's own origin and `reports.embedOrigins` may frame, and the loader a host page
 * includes (`GET /embed.js`). Public in every `api.auth` mode, as the report routes are:
 * the page shows only what a reporter needs (the service's name, kinds and regions).
 */
import * as z from "zod/mini";
import { embedPageFor } from "./embed-page";
import { html, typed } from "./responses";
import { knownService, type RouteSpec, STATIC_CACHE } from "./route-spec";

const SERVICE_HINT =
  "the query parameter 'service' must be the id of a watched service, e.g. ?service=t-mobile (GET /services lists them)";

/** The query of `GET /embed/report`. */
export const EmbedQuerySchema = z.object({
  service: z
    .string({ error: SERVICE_HINT })
    .check(z.minLength(1, SERVICE_HINT), z.maxLength(64, `'service' is too long; ${SERVICE_HINT}`))
    .register(z.globalRegistry, { description: "the id of the service to report on" }),
});

/**
 * Who may frame the button: the API's own pages and the listed sites. A page of any
 * other site cannot show it, so it cannot lay the button under a decoy and have its
 * visitors click it unknowingly (clickjacking).
 */
export function embedFrameAncestors(embedOrigins: readonly string[]): string[] {
  return ["'self'", ...embedOrigins.map((origin) => origin.toLowerCase())];
}

/** The loader's media type (RFC 9239). */
const JAVASCRIPT_TYPE = "text/javascript; charset=utf-8";

/** The button's routes, in the order the OpenAPI document lists them. */
export const EMBED_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    path: "/embed/report",
    operationId: "embedReportButton",
    tag: "reports",
    summary: "A report button for another site's page",
    description:
      "A small self-contained page (\"Report a problem with T-Mobile\": the service's problem kinds, a region picker, the challenge solved and POST /reports sent from its own origin). Framed by GET /embed.js; only this API's own origin and reports.embedOrigins may frame it (frame-ancestors).",
    query: EmbedQuerySchema,
    success: { status: 200, description: "an HTML page", html: true },
    errors: [404],
    reads: false,
    cache: STATIC_CACHE,
    handle: async (deps, { query }) => {
      const { service } = query as z.infer<typeof EmbedQuerySchema>;
      const known = knownService(deps, service);
      const { page } = await deps.embed();
      return html(
        200,
        embedPageFor(page, known),
        embedFrameAncestors(deps.config.reports.embedOrigins),
      );
    },
  },
  {
    method: "GET",
    path: "/embed.js",
    operationId: "embedScript",
    tag: "reports",
    summary: "The script that puts the report button on a page",
    description:
      "Include it where the button should appear, as a script element with this address as its src and the service's id as its data-service attribute (the README has the snippet). It inserts one frame of GET /embed/report after itself and touches nothing else of the page.",
    success: { status: 200, description: "a script", mediaType: "text/javascript" },
    errors: [],
    reads: false,
    cache: STATIC_CACHE,
    handle: async (deps) => typed(200, JAVASCRIPT_TYPE, (await deps.embed()).script),
  },
];
