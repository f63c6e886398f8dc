/**
 * The events and context Lambda hands outcry's handlers: an API Gateway HTTP API request
 * (payload 2.0), an EventBridge schedule tick, and a context with the little the
 * handlers read.
 */
import type { APIGatewayProxyEventV2, Context, ScheduledEvent } from "aws-lambda";

/**
 * An HTTP API request as API Gateway passes it to the api function.
 * @example httpEvent("GET", "/services/t-mobile/series", { query: "from=...&to=..." })
 */
export function httpEvent(
  method: string,
  path: string,
  options: {
    body?: unknown;
    query?: string;
    headers?: Record<string, string>;
    /** The client address API Gateway saw; 203.0.113.9 unless given. */
    sourceIp?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const { body, query = "", headers = {}, sourceIp = "203.0.113.9" } = options;
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: query,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path, sourceIp, protocol: "HTTP/1.1", userAgent: "test" },
      requestId: "test",
      stage: "$default",
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** The EventBridge event of a schedule tick at `timeMs`. */
export function scheduledEvent(timeMs: number): ScheduledEvent {
  return {
    "detail-type": "Scheduled Event",
    source: "aws.events",
    time: new Date(timeMs).toISOString(),
    detail: {},
  } as ScheduledEvent;
}

/** A Lambda context with `remainingMs` left. */
export function lambdaContext(functionName: string, remainingMs = 30_000): Context {
  return {
    functionName,
    awsRequestId: "test",
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}
