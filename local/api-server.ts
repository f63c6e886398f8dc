/**
 * The local runtime's HTTP server: it hands each request to the api handler as an API
 * Gateway event, and holds up where API Gateway would have stood in front. A client can
 * hold a socket open, dribble headers or a body, or open sockets by the thousand; each
 * costs a file descriptor the collect step needs too. So the server takes at most
 * {@link LOCAL_SERVER_LIMITS}.maxConnections at once (others are closed on arrival),
 * gives headers, a whole request and an idle keep-alive socket a time each, refuses a
 * declared body over the limit before reading it, and answers a failure without its
 * text (which goes to the runtime's own lines).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import {
  MAX_LOCAL_BODY_BYTES,
  readBody,
  toApiGatewayEvent,
  writeResult,
} from "./api-gateway-event";
import { requestAddressReader, type TrustedProxies } from "./request-address";

/** What the local server allows one client, and all of them together. */
export const LOCAL_SERVER_LIMITS = {
  /** Open sockets at once; beyond it a new one is closed as it arrives. */
  maxConnections: 128,
  /** Time for a request's headers to arrive. */
  headersTimeoutMs: 5_000,
  /** Time for a whole request, body included. */
  requestTimeoutMs: 10_000,
  /** How long a kept-alive socket may wait for its next request. */
  keepAliveTimeoutMs: 5_000,
  /** Requests one kept-alive socket may carry before it is closed. */
  maxRequestsPerSocket: 1_000,
  /** How often the server looks for sockets past their time. */
  checkIntervalMs: 1_000,
} as const;

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  now: () => number;
  /** Proxies whose `X-Forwarded-For` is believed; null (default) for none. */
  trustedProxies?: TrustedProxies | null;
  /** Where a failed request's error is written (it is not sent to the client). */
  print: (line: string) => void;
  /** Other limits than {@link LOCAL_SERVER_LIMITS} (tests use smaller ones). */
  limits?: Partial<LocalServerLimits>;
}

/** The limits of the local server. */
export type LocalServerLimits = { -readonly [K in keyof typeof LOCAL_SERVER_LIMITS]: number };

/** A running server. */
export interface ApiServer {
  url: string;
  /** Stops accepting, lets requests already taken finish, then closes every socket. */
  close(): Promise<void>;
}

/** An answer the server gives itself, as problem details, closing the socket after. */
function refuse(response: ServerResponse, status: number, title: string, detail: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, {
    "content-type": "application/problem+json",
    connection: "close",
  });
  response.end(JSON.stringify({ type: "about:blank", title, status, detail }));
}

/** Starts the server on 127.0.0.1. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const limits: LocalServerLimits = { ...LOCAL_SERVER_LIMITS, ...options.limits };
  const clientAddress = requestAddressReader(options.trustedProxies ?? null);
  const inFlight = new Set<Promise<void>>();
  const tooLarge = `request body over ${MAX_LOCAL_BODY_BYTES} bytes`;

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      const declared = Number(request.headers["content-length"]);
      if (Number.isFinite(declared) && declared > MAX_LOCAL_BODY_BYTES) {
        refuse(response, 413, "Content Too Large", tooLarge);
        return;
      }
      const body = await readBody(request);
      if (body === null) {
        refuse(response, 413, "Content Too Large", tooLarge);
        return;
      }
      const event = toApiGatewayEvent(request, body, clientAddress(request), options.now());
      writeResult(response, await options.handler(event), request.method === "HEAD");
    } catch (error) {
      options.print(`[request failed] ${request.method} ${request.url}: ${(error as Error).stack}`);
      refuse(
        response,
        500,
        "Internal Server Error",
        "the request failed; see the runtime's output",
      );
    }
  };

  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (request, response) => {
      const handled = serve(request, response).finally(() => inFlight.delete(handled));
      inFlight.add(handled);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}
