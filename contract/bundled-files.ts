/** Files `cdk synth` places beside the api bundle, by name. */

/** The built dashboard page. */
export const DASHBOARD_FILE = "dashboard.html";
/** The OpenAPI document, generated for the configured `api.auth`. */
export const OPENAPI_FILE = "openapi.json";
