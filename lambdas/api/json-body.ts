/**
 * Reading a JSON request body: JSON only (415), at most a few KB (413), and an object of
 * the route's schema, with a problem+json error that names the field when it is not.
 */
import type * as z from "zod/mini";
import { badRequest, HttpError } from "./http-error";

/**
 * The body as `schema` reads it.
 * @param example the shape of a good body, quoted in the errors
 * @throws HttpError 415 (not JSON), 413 (over `maxBytes`) or 400 (naming the bad field)
 * @example parseJsonBody(event.body, event.headers["content-type"], ReportBodySchema, { maxBytes: 4096, what: "the report", example: '{"service": "<id>"}' })
 */
export function parseJsonBody<S extends z.ZodMiniType>(
  body: string | undefined,
  contentType: string | undefined,
  schema: S,
  options: { maxBytes: number; what: string; example: string },
): z.infer<S> {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(
      415,
      "Unsupported Media Type",
      `send ${options.what} as JSON with 'content-type: application/json'`,
    );
  }
  const text = body ?? "";
  if (Buffer.byteLength(text, "utf8") > options.maxBytes) {
    throw new HttpError(
      413,
      "Content Too Large",
      `${options.what} may be at most ${options.maxBytes} bytes`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badRequest(`body is not valid JSON; send ${options.example}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || undefined;
    throw badRequest(
      field ? `${field}: ${issue?.message}` : `send a JSON object ${options.example}`,
      field,
    );
  }
  return parsed.data as z.infer<S>;
}

/** The body of an API Gateway event as text (it may arrive base64-encoded). */
export function bodyText(event: { body?: string; isBase64Encoded: boolean }): string | undefined {
  return event.body && event.isBase64Encoded
    ? Buffer.from(event.body, "base64").toString("utf8")
    : event.body;
}
