/**
 * Who may read the API. With `api.auth: "apiKey"` every read route asks for the
 * `x-api-key` header; with `"iam"` API Gateway checks signatures before the function
 * runs, so the function itself lets every request through.
 */
import { HttpError } from "./http-error";
import { sameSecret } from "./same-secret";

/** How reads are authorized, with the keys when they are checked here. */
export interface ApiAccess {
  mode: "none" | "apiKey" | "iam";
  /** The accepted keys (loaded once, cached by the caller); used when `mode` is apiKey. */
  keys?: () => Promise<readonly string[]>;
}

/** Request header carrying the API key. */
export const API_KEY_HEADER = "x-api-key";

/**
 * Throws 401 unless the request may read.
 * @throws HttpError 401 with a `WWW-Authenticate` challenge naming the header
 */
export async function requireApiKey(
  access: ApiAccess,
  headers: Record<string, string | undefined>,
): Promise<void> {
  if (access.mode !== "apiKey") return;
  const given = headers[API_KEY_HEADER];
  const keys = (await access.keys?.()) ?? [];
  if (given && keys.some((key) => sameSecret(given, key))) return;
  throw new HttpError(
    401,
    "Unauthorized",
    given
      ? `the ${API_KEY_HEADER} header does not hold a valid API key`
      : `this API requires an API key: send it in the ${API_KEY_HEADER} header`,
    { "www-authenticate": `ApiKey header="${API_KEY_HEADER}"` },
    API_KEY_HEADER,
  );
}
