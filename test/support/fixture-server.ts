/**
 * A local HTTP server that replays canned responses, for testing HTTP sources against
 * the real protocol (status codes, headers, slow and cut-off bodies) without the
 * internet. Listens on loopback only, on a free port.
 *
 * @example
 * const server = await startFixtureServer();
 * server.route("/feed.rss", { status: 500 }, { headers: { "content-type": "application/rss+xml" }, body: xml });
 * // first request → 500, every later one → the feed
 * await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One canned response. */
export interface FixtureResponse {
  /** Defaults to 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Waits this long before sending anything (headers included). */
  delayMs?: number;
  /** Sends this many bytes of body, then destroys the socket (a cut-off transfer). */
  truncateAfterBytes?: number;
}

/** A canned response, or a function of the request that returns one. */
export type FixtureHandler =
  | FixtureResponse
  | ((request: {
      path: string;
      query: URLSearchParams;
      headers: Record<string, string | undefined>;
    }) => FixtureResponse);

/** A running fixture server. */
export interface FixtureServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Responses for `path`, served in order; the last one repeats. Replaces earlier routes of that path. */
  route(path: string, ...responses: FixtureHandler[]): void;
  /** Every request received, in order, with its body as text. */
  requests: {
    path: string;
    query: string;
    method: string;
    headers: Record<string, string | undefined>;
    body: string;
  }[];
  close(): Promise<void>;
}

function flatHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Starts a fixture server on 127.0.0.1 with an OS-chosen port. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, { responses: FixtureHandler[]; served: number }>();
  const requests: FixtureServer["requests"] = [];
  const sockets = new Set<Socket>();

  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = new URL(request.url ?? "/", "http://127.0.0.1");
    const headers = flatHeaders(request);
    const query = parsed.search.startsWith("?") ? parsed.search.slice(1) : parsed.search;
    // Read the whole request body (keep-alive connections stay usable) and keep it.
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    requests.push({ path: parsed.pathname, query, method: request.method ?? "GET", headers, body });

    const route = routes.get(parsed.pathname);
    if (!route || route.responses.length === 0) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end(`no fixture route for ${parsed.pathname}`);
      return;
    }
    const index = Math.min(route.served, route.responses.length - 1);
    route.served += 1;
    const handler = route.responses[index] as FixtureHandler;
    const fixture =
      typeof handler === "function"
        ? handler({ path: parsed.pathname, query: parsed.searchParams, headers })
        : handler;

    if (fixture.delayMs) {
      await wait(fixture.delayMs);
      if (response.destroyed || request.socket.destroyed) return;
    }
    const payload =
      fixture.body === undefined
        ? Buffer.alloc(0)
        : typeof fixture.body === "string"
          ? Buffer.from(fixture.body, "utf8")
          : fixture.body;
    const outHeaders: Record<string, string> = { ...(fixture.headers ?? {}) };
    // Content-Length is set unless given, or unless the fixture asks for a chunked body
    // (`transfer-encoding: chunked`), whose size the client only learns while reading.
    const given = Object.keys(outHeaders).map((h) => h.toLowerCase());
    if (!given.includes("content-length") && !given.includes("transfer-encoding")) {
      outHeaders["content-length"] = String(payload.length);
    }
    response.writeHead(fixture.status ?? 200, outHeaders);

    if (fixture.truncateAfterBytes !== undefined) {
      const part = payload.subarray(0, fixture.truncateAfterBytes);
      response.write(part, () => {
        // Give the bytes a moment to leave, then cut the connection mid-body.
        setTimeout(() => response.socket?.destroy(), 10).unref();
      });
      return;
    }
    response.end(payload);
  }

  const server = createServer((request, response) => {
    respond(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`fixture server error: ${String(error)}`);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(path, ...responses) {
      routes.set(path, { responses, served: 0 });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
