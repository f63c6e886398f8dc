/**
 * Turns a Node HTTP request into the API Gateway HTTP API (payload 2.0) event the api
 * handler receives in AWS, and writes the handler's result back.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** Bodies beyond this are refused before they reach the handler (API Gateway's is 10 MB). */
export const MAX_LOCAL_BODY_BYTES = 64 * 1024;

/** Reads the body; null when it is larger than the limit. */
export async function readBody(
  request: IncomingMessage,
  limit = MAX_LOCAL_BODY_BYTES,
): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Builds the payload 2.0 event for a request. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  sourceIp: string,
  nowMs: number,
): APIGatewayProxyEventV2 {
  // Prefixed rather than resolved: "//services" is a path here, not a host.
  const url = new URL(`http://localhost${request.url ?? "/"}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const method = (request.method ?? "GET").toUpperCase();
  const text = body.toString("utf8");
  const binary = body.length > 0 && !Buffer.from(text, "utf8").equals(body);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "localhost",
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(nowMs).toUTCString(),
      timeEpoch: nowMs,
    },
    ...(body.length > 0 ? { body: binary ? body.toString("base64") : text } : {}),
    isBase64Encoded: binary,
  };
}

/** Writes a handler result to the response. */
export function writeResult(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
  head: boolean,
): void {
  const body = result.body ?? "";
  const bytes = result.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  const status = result.statusCode ?? 200;
  // 204 and 304 answers carry no body, and no length either (RFC 9110).
  const bodiless = status === 204 || status === 304;
  response.writeHead(status, {
    ...(result.headers ?? {}),
    ...(bodiless ? {} : { "content-length": String(bytes.length) }),
  });
  response.end(head || bodiless ? undefined : bytes);
}
