/**
 * A flood of slow clients against the local runtime: sockets that send half a request
 * and wait, many more than the server takes. The ticks go on, and the server answers
 * again once the flood is gone.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { LOCAL_SERVER_LIMITS } from "../../local/api-server";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

const FLOOD = 300;

let started: TemporaryRuntime;

beforeAll(async () => {
  started = await startTemporaryRuntime({
    config: parseConfig({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
    }),
  });
});

afterAll(async () => {
  await started?.stop();
});

/** A socket that has sent the head of a report and the first byte of its body. */
async function slowBody(): Promise<Socket> {
  const socket = connect(Number(new URL(started.url).port), "127.0.0.1");
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    "POST /reports HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n{",
  );
  return socket;
}

describe("a slow-body flood", () => {
  it("does not stop the ticks, and the server answers again after it", async () => {
    // Arrange
    const flood = await Promise.all(Array.from({ length: FLOOD }, slowBody));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = flood.filter((socket) => !socket.destroyed).length;

    // Act
    const ticks = [await started.runtime.tick(), await started.runtime.tick()];
    for (const socket of flood) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const health = await fetch(`${started.url}/health`);

    // Assess
    expect(held).toBeLessThanOrEqual(LOCAL_SERVER_LIMITS.maxConnections);
    expect(ticks.map((tick) => Object.keys(tick.collect.latest))).toEqual([
      ["t-mobile"],
      ["t-mobile"],
    ]);
    expect(health.status).toBe(200);
  });
});
