/**
 * API Gateway v2 (HTTP API, payload 2.0) responses: JSON bodies and problem details.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { HttpError } from "./http-error";

/** A JSON response. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

/** An RFC 9457 problem response for an {@link HttpError}. */
export function problem(error: HttpError): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: error.status,
    headers: { "content-type": "application/problem+json", ...error.headers },
    body: JSON.stringify({
      type: "about:blank",
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(error.field ? { field: error.field } : {}),
    }),
  };
}
