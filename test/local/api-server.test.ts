/**
 * The local server holds up against clients that hold sockets, dribble bodies or declare
 * huge ones, and says nothing of its own failures to the client.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ApiServer, type ApiServerOptions, startApiServer } from "../../local/api-server";

const servers: ApiServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<ApiServerOptions> = {}): Promise<ApiServer> {
  const server = await startApiServer({
    port: 0,
    handler: async () => ({ statusCode: 200, body: "ok" }),
    now: Date.now,
    print: () => {},
    ...options,
  });
  servers.push(server);
  return server;
}

/** A raw socket to `server` that has sent `text`; resolves once connected. */
async function rawSocket(server: ApiServer, text: string): Promise<Socket> {
  const { port } = new URL(server.url);
  const socket = connect(Number(port), "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(text);
  return socket;
}

/** Resolves when `socket` is closed, with what it received. */
function closed(socket: Socket): Promise<string> {
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk.toString("utf8");
  });
  return new Promise((resolve) => socket.once("close", () => resolve(received)));
}

const slowHead = "POST /reports HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n";

describe("the local API server", () => {
  it("refuses a declared body over the limit before reading it", async () => {
    // Arrange
    const server = await start();
    const socket = await rawSocket(server, `${slowHead}content-length: 10000000\r\n\r\n`);

    // Act: not one byte of the body is sent
    const answer = await closed(socket);

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain("connection: close");
  });

  it("answers a failure without its text, and writes the text to the runtime's lines", async () => {
    // Arrange
    const lines: string[] = [];
    const server = await start({
      handler: async () => {
        throw new Error("secret table name t-123 at 10.0.0.7");
      },
      print: (line) => lines.push(line),
    });

    // Act
    const response = await fetch(`${server.url}/services`);
    const body = await response.text();

    // Assess
    expect(response.status).toBe(500);
    expect(body).not.toContain("10.0.0.7");
    expect(body).toContain("see the runtime's output");
    expect(lines.join("\n")).toContain("secret table name t-123 at 10.0.0.7");
  });

  it("cuts a body that dribbles in past the request timeout", async () => {
    // Arrange
    const server = await start({
      limits: { headersTimeoutMs: 500, requestTimeoutMs: 500, checkIntervalMs: 100 },
    });
    const socket = await rawSocket(server, `${slowHead}content-length: 100\r\n\r\n{`);
    const timer = setInterval(() => socket.writable && socket.write(" "), 100);

    // Act
    const started = Date.now();
    const answer = await closed(socket);
    clearInterval(timer);

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("takes at most maxConnections sockets at once, and others again once they go", async () => {
    // Arrange
    const server = await start({ limits: { maxConnections: 20 } });

    // Act: 50 sockets that send half a request and wait
    const held = await Promise.all(Array.from({ length: 50 }, () => rawSocket(server, slowHead)));
    const ends = held.map((socket) => {
      let ended = false;
      socket.once("close", () => {
        ended = true;
      });
      return () => ended;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = ends.filter((ended) => ended()).length;
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await fetch(`${server.url}/health`);

    // Assess
    expect(refused).toBe(30);
    expect(after.status).toBe(200);
  });
});
