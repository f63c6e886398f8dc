/** Files `cdk synth` places beside the api bundle, by name. */

/** The built dashboard page. */
export const DASHBOARD_FILE = "dashboard.html";
/** The OpenAPI document, generated for the configured `api.auth`. */
export const OPENAPI_FILE = "openapi.json";
/**
 * The map's atlases by area, as the api serves them at `GET /atlas/{area}.json`: US states
 * (us-atlas, pre-projected) and countries (world-atlas), TopoJSON.
 */
export const ATLAS_FILES = { us: "atlas-us.json", world: "atlas-world.json" } as const;
