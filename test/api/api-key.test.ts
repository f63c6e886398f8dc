/**
 * `api.auth: "apiKey"` through real requests to the local runtime: read routes ask for
 * the key (kept in the data folder locally, in Secrets Manager in AWS), the page, health,
 * the API description and crowd reports stay open, and the description says so.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import { CHEAP_CHALLENGE, withSolvedChallenge } from "../support/report-client";

const config = parseConfig({
  services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
  api: { auth: "apiKey" },
  reports: { challenge: CHEAP_CHALLENGE },
});

let dataDir: string;
let runtime: LocalRuntime;
let key: string;
const lines: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "outcry-api-key-"));
  runtime = await startLocalRuntime({
    config,
    dataDir,
    port: 0,
    autoTick: false,
    clock: { now: () => Date.parse("2024-03-01T10:02:00Z") },
    print: (line) => lines.push(line),
  });
  key = (await readFile(join(dataDir, "api-key"), "utf8")).trim();
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("api.auth apiKey", () => {
  it("tells the key at start", () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(lines.join("\n")).toContain(key);
  });

  it.each(["/services", "/services/t-mobile", "/services/t-mobile/series", "/incidents"])(
    "asks for the key on GET %s",
    async (path) => {
      // Act
      const none = await fetch(`${runtime.url}${path}`);
      const wrong = await fetch(`${runtime.url}${path}`, { headers: { "x-api-key": "guess" } });
      const right = await fetch(`${runtime.url}${path}`, { headers: { "x-api-key": key } });

      // Assess
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe('ApiKey header="x-api-key"');
      expect(await none.json()).toMatchObject({ field: "x-api-key", detail: /x-api-key/ });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).detail).toContain("does not hold a valid API key");
      expect(right.status).toBe(200);
      // Answers behind a key are not for shared caches.
      expect(right.headers.get("cache-control")).toBe("private, max-age=30");
    },
  );

  it("keeps the page, health, the description and crowd reports open", async () => {
    // Act
    const statuses = await Promise.all(
      ["/", "/health", "/openapi.json"].map(
        async (path) => (await fetch(`${runtime.url}${path}`)).status,
      ),
    );
    const report = await fetch(`${runtime.url}/reports`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await withSolvedChallenge(
        runtime.url,
        JSON.stringify({ service: "t-mobile", problem: "calls" }),
      ),
    });

    // Assess
    expect(statuses).toEqual([200, 200, 200]);
    expect(report.status).toBe(202);
  });

  it("documents the key on read routes only", async () => {
    // Act
    const document = await (await fetch(`${runtime.url}/openapi.json`)).json();

    // Assess
    expect(document.components.securitySchemes).toEqual({
      apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
    });
    expect(document.paths["/services"].get.security).toEqual([{ apiKey: [] }]);
    expect(document.paths["/services"].get.responses["401"]).toBeDefined();
    expect(document.paths["/health"].get.security).toEqual([]);
    expect(document.paths["/health"].get.responses["401"]).toBeUndefined();
    expect(document.paths["/reports/challenge"].get.security).toEqual([]);
    expect(document.paths["/reports"].post.security).toEqual([]);
  });
});
