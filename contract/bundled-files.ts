/** Files `cdk synth` places beside the api bundle, by name. */

/** The built dashboard page. */
export const DASHBOARD_FILE = "dashboard.html";
/** The OpenAPI document, generated for the configured `api.auth`. */
export const OPENAPI_FILE = "openapi.json";
/** The embeddable report button's page, before the api fills in the service. */
export const EMBED_PAGE_FILE = "embed-report.html";
/** The loader script a host page includes to frame the report button. */
export const EMBED_SCRIPT_FILE = "embed.js";

/**
 * The embeddable report button as built: its page (a template the api fills with the
 * service at `<!-- outcry:service -->`) and the loader script that frames it.
 */
export interface EmbedFiles {
  page: string;
  script: string;
}

/**
 * The map's atlases by area, as the api serves them at `GET /atlas/{area}.json`: US states
 * (us-atlas, pre-projected) and countries (world-atlas), TopoJSON.
 */
export const ATLAS_FILES = { us: "atlas-us.json", world: "atlas-world.json" } as const;
