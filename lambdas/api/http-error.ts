/**
 * Errors that carry their HTTP status, mapped to `application/problem+json` in one place
 * (the api handler), as middy's http-error-handler does.
 */
import { OutcryError } from "../domain/outcry-error";

/** A request that cannot be served, with the status and a message naming the fix. */
export class HttpError extends OutcryError {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
    /** The request field or parameter at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** 400 naming the bad field. */
export const badRequest = (message: string, field?: string) =>
  new HttpError(400, "Bad Request", message, {}, field);

/** 404 for an unknown id or route. */
export const notFound = (message: string) => new HttpError(404, "Not Found", message);
