import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  fetchWithPolicy,
  parseJsonBody,
  SourceHttpError,
  USER_AGENT,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../lambdas/http/fetch-with-policy";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";

const FEEDS = new URL("../fixtures/feeds/", import.meta.url);
const rss = readFileSync(new URL("statuspage-history.rss", FEEDS), "utf8");
const errorPage = readFileSync(new URL("error-page.html", FEEDS), "utf8");
const RSS = { "content-type": "application/rss+xml; charset=utf-8" };
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/** A deadline far enough away not to matter. */
const roomy = () => AbortSignal.timeout(15_000);

async function failureOf(promise: Promise<unknown>): Promise<SourceHttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceHttpError) return error;
    throw error;
  }
  throw new Error("expected the fetch to fail");
}

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe("fetchWithPolicy: fresh responses", () => {
  it("returns the body, the validators and the final URL, and identifies itself", async () => {
    // Prepare
    server.route("/history.rss", {
      headers: { ...RSS, etag: '"v1"', "last-modified": "Tue, 14 Feb 2023 03:29:58 GMT" },
      body: rss,
    });

    // Act
    const result = await fetchWithPolicy(`${server.url}/history.rss`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "xml",
      headers: { "x-extra": "yes" },
    });

    // Assess
    expect(result.status).toBe("fresh");
    if (result.status !== "fresh") return;
    expect(result.body).toBe(rss);
    expect(result.url).toBe(`${server.url}/history.rss`);
    expect(result.validators).toEqual({
      etag: '"v1"',
      lastModified: "Tue, 14 Feb 2023 03:29:58 GMT",
    });
    const sent = server.requests[0]?.headers;
    expect(sent?.["user-agent"]).toBe(USER_AGENT);
    expect(sent?.["user-agent"]).toMatch(/^outcry\/\d/);
    expect(sent?.accept).toContain("application/rss+xml");
    expect(sent?.["x-extra"]).toBe("yes");
    expect(sent?.["if-none-match"]).toBeUndefined();
  });

  it("accepts +json media types for JSON", async () => {
    // Prepare
    server.route("/api.json", {
      headers: { "content-type": "application/vnd.api+json" },
      body: '{"count":3}',
    });

    // Act
    const result = await fetchWithPolicy(`${server.url}/api.json`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "json",
    });

    // Assess
    expect(result.status === "fresh" && parseJsonBody(result)).toEqual({ count: 3 });
  });

  it("decodes a body in the charset the XML declares", async () => {
    // Prepare
    const xml =
      '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Panne Télé</title></channel></rss>';
    server.route("/latin1.rss", {
      headers: { "content-type": "text/xml" },
      body: Buffer.from(xml, "latin1"),
    });

    // Act
    const result = await fetchWithPolicy(`${server.url}/latin1.rss`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "xml",
    });

    // Assess
    expect(result.status === "fresh" && result.body).toContain("Panne Télé");
  });

  it("hands the capped bytes to decodeBody in place of the charset decoding", async () => {
    // Prepare: big-endian UTF-16 behind its mark, which the label alone reads wrongly
    const body = Buffer.from('\ufeff{"count":3}', "utf16le").swap16();
    server.route("/utf16.json", {
      headers: { "content-type": "application/json;charset=utf-16" },
      body,
    });
    const seen: number[] = [];

    // Act
    const result = await fetchWithPolicy(`${server.url}/utf16.json`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "json",
      decodeBody: (bytes) => {
        seen.push(bytes.length);
        return new TextDecoder("utf-16be").decode(bytes.subarray(2));
      },
    });

    // Assess
    expect(seen).toEqual([body.length]);
    expect(result.status === "fresh" && parseJsonBody(result)).toEqual({ count: 3 });
  });
});

describe("fetchWithPolicy: conditional requests", () => {
  it("sends the validators and reports 304 as not-modified", async () => {
    // Prepare
    server.route("/history.rss", (request) =>
      request.headers["if-none-match"] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"' } }
        : { headers: { ...RSS, etag: '"v1"' }, body: rss },
    );

    // Act
    const result = await fetchWithPolicy(`${server.url}/history.rss`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "xml",
      validators: { etag: '"v1"', lastModified: "Tue, 14 Feb 2023 03:29:58 GMT" },
    });

    // Assess
    expect(result).toEqual({
      status: "not-modified",
      validators: { etag: '"v1"', lastModified: "Tue, 14 Feb 2023 03:29:58 GMT" },
    });
    expect(server.requests[0]?.headers["if-none-match"]).toBe('"v1"');
    expect(server.requests[0]?.headers["if-modified-since"]).toBe("Tue, 14 Feb 2023 03:29:58 GMT");
  });

  it("keeps validators in a source's memory and reads them back", () => {
    // Prepare
    const validators = { etag: 'W/"abc"', lastModified: "Tue, 14 Feb 2023 03:29:58 GMT" };

    // Act
    const memory = validatorsToMemory(validators);

    // Assess
    expect(validatorsFromMemory(memory)).toEqual(validators);
    expect(validatorsFromMemory({})).toBeNull();
    expect(validatorsFromMemory(null)).toBeNull();
    expect(validatorsFromMemory({ etag: 7 })).toBeNull();
  });
});

describe("fetchWithPolicy: retries", () => {
  it("retries a 500 and returns the success that follows", async () => {
    // Prepare
    server.route("/flaky.json", { status: 500, body: "oops" }, { headers: JSON_TYPE, body: "[]" });

    // Act
    const result = await fetchWithPolicy(`${server.url}/flaky.json`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "json",
    });

    // Assess
    expect(result.status).toBe("fresh");
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after the configured attempts, naming the URL and the status", async () => {
    // Prepare
    server.route("/down.json", { status: 502, body: "bad gateway" });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/down.json`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "json",
        retries: 1,
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`${server.url}/down.json`);
    expect(error.message).toContain("2 attempts");
  });

  it("does not retry a 404, and says to check the URL", async () => {
    // Prepare
    server.route("/gone.rss", { status: 404, body: "not here" });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/gone.rss`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(error.status).toBe(404);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /gone\.rss answered 404 Not Found; check the URL in the source.s settings/,
    );
  });

  it("honours Retry-After on 429 before trying again", async () => {
    // Prepare
    server.route(
      "/limited.json",
      { status: 429, headers: { "retry-after": "1" } },
      { headers: JSON_TYPE, body: "{}" },
    );
    const started = Date.now();

    // Act
    const result = await fetchWithPolicy(`${server.url}/limited.json`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "json",
    });

    // Assess
    expect(result.status).toBe("fresh");
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("fails at once when Retry-After is past the source's deadline", async () => {
    // Prepare
    server.route(
      "/limited.json",
      { status: 429, headers: { "retry-after": "120" } },
      { headers: JSON_TYPE, body: "{}" },
    );
    const started = Date.now();

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/limited.json`, {
        signal: AbortSignal.timeout(5_000),
        outbound: FIXTURE_NETWORK,
        deadlineAt: Date.now() + 5_000,
        expect: "json",
      }),
    );

    // Assess
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
    expect(error.status).toBe(429);
    expect(error.message).toContain("retry after 120 s");
    expect(error.message).toContain("deadline");
  });

  it("fails at once on a long Retry-After date from a 503 even without a known deadline", async () => {
    // Prepare
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    server.route("/maintenance.json", { status: 503, headers: { "retry-after": later } });
    const started = Date.now();

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/maintenance.json`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "json",
      }),
    );

    // Assess
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
    expect(error.status).toBe(503);
    expect(error.message).toContain("deadline");
  });
});

describe("fetchWithPolicy: timeouts and the deadline", () => {
  it("times out a slow attempt and retries it", async () => {
    // Prepare
    server.route("/slow.json", { delayMs: 1_000, headers: JSON_TYPE, body: "{}" });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/slow.json`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "json",
        attemptTimeoutMs: 100,
        retries: 1,
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("timed out after 100 ms");
    expect(error.message).toContain("/slow.json");
  });

  it("recovers when a timed-out attempt is followed by a quick answer", async () => {
    // Prepare
    server.route(
      "/slow.json",
      { delayMs: 1_000, headers: JSON_TYPE, body: "{}" },
      {
        headers: JSON_TYPE,
        body: '{"ok":true}',
      },
    );

    // Act
    const result = await fetchWithPolicy(`${server.url}/slow.json`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "json",
      attemptTimeoutMs: 150,
    });

    // Assess
    expect(result.status === "fresh" && result.body).toBe('{"ok":true}');
  });

  it("stops everything when the source's deadline passes, and says so", async () => {
    // Prepare
    server.route("/hang.json", { delayMs: 3_000, headers: JSON_TYPE, body: "{}" });
    const started = Date.now();

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/hang.json`, {
        signal: AbortSignal.timeout(200),
        outbound: FIXTURE_NETWORK,
        expect: "json",
      }),
    );

    // Assess
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(1);
    expect(error.message).toContain("deadline passed");
    expect(error.message).toContain("/hang.json");
  });

  it("names the URL when nothing listens there", async () => {
    // Prepare
    const closed = await startFixtureServer();
    const url = `${closed.url}/feed.rss`;
    await closed.close();

    // Act
    const error = await failureOf(
      fetchWithPolicy(url, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
        retries: 0,
      }),
    );

    // Assess
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(url);
    expect(error.message).toContain("reachable");
  });
});

describe("fetchWithPolicy: bodies", () => {
  it("rejects an HTML page served with 200, naming what was expected and what came", async () => {
    // Prepare
    server.route("/feed.rss", {
      headers: { "content-type": "text/html; charset=utf-8" },
      body: errorPage,
    });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/feed.rss`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.reason).toBe("wrong-content-type");
    expect(error.message).toContain("Content-Type text/html");
    expect(error.message).toContain("application/rss+xml");
    expect(error.message).toContain(`${server.url}/feed.rss`);
  });

  it("rejects XML where JSON was expected", async () => {
    // Prepare
    server.route("/api.json", { headers: { "content-type": "application/xml" }, body: "<a/>" });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/api.json`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "json",
      }),
    );

    // Assess
    expect(error.message).toMatch(/Content-Type application\/xml, but JSON/);
  });

  it("rejects a body whose declared length is over maxBytes without reading it", async () => {
    // Prepare
    server.route("/huge.rss", { headers: RSS, body: Buffer.alloc(300_000, 0x20) });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/huge.rss`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
        maxBytes: 100_000,
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.reason).toBe("too-large");
    expect(error.message).toContain("300000-byte body");
    expect(error.message).toContain("100000-byte limit");
  });

  it("stops reading a chunked body once it passes maxBytes", async () => {
    // Prepare
    server.route("/huge.rss", {
      headers: { ...RSS, "transfer-encoding": "chunked" },
      body: Buffer.alloc(3_000_000, 0x20),
    });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/huge.rss`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
      }),
    );

    // Assess
    expect(error.reason).toBe("too-large");
    expect(error.message).toContain(`more than ${2 * 1024 * 1024} bytes`);
    expect(error.message).toContain("maxBytes");
  });

  it("fails clearly when the connection drops mid-body", async () => {
    // Prepare
    server.route("/cut.rss", { headers: RSS, body: rss, truncateAfterBytes: 300 });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/cut.rss`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
        retries: 1,
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("while reading the body");
    expect(error.message).toContain("/cut.rss");
  });

  it("gives callers a parse error naming the URL for a truncated JSON body", async () => {
    // Prepare
    server.route("/summary.json", { headers: JSON_TYPE, body: '{"page":{"id":"x"},"compo' });
    const result = await fetchWithPolicy(`${server.url}/summary.json`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "json",
    });

    // Act
    let error: unknown;
    try {
      if (result.status === "fresh") parseJsonBody(result);
    } catch (thrown) {
      error = thrown;
    }

    // Assess
    expect(error).toBeInstanceOf(SourceHttpError);
    expect((error as Error).message).toContain(`${server.url}/summary.json`);
    expect((error as Error).message).toContain("not valid JSON");
  });
});

describe("fetchWithPolicy: where requests go", () => {
  it("follows a redirect within the origin and returns the final URL", async () => {
    // Prepare
    server.route("/history.rss", { status: 301, headers: { location: "/v2/history.rss" } });
    server.route("/v2/history.rss", { headers: RSS, body: rss });

    // Act
    const result = await fetchWithPolicy(`${server.url}/history.rss`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "xml",
    });

    // Assess
    expect(result.status === "fresh" && result.url).toBe(`${server.url}/v2/history.rss`);
  });

  it("refuses a redirect to another origin at once, naming where it led and what to do", async () => {
    // Prepare: a JSON endpoint that sends the reader to another server on this machine
    const internal = await startFixtureServer();
    internal.route("/secret.json", { headers: JSON_TYPE, body: '{"count":4242}' });
    server.route("/api.json", {
      status: 302,
      headers: { location: `${internal.url}/secret.json` },
    });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/api.json`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "json",
      }),
    );
    await internal.close();

    // Assess
    expect(internal.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(302);
    expect(error.reason).toBe("redirect");
    expect(error.message).toBe(
      `GET ${server.url}/api.json answered 302, a redirect to another origin (${internal.url}/secret.json); outcry follows at most 5 redirects, within the URL's own origin (scheme, host and port); put the address the server redirects to in the source's settings`,
    );
  });

  it("refuses a host on loopback with private networks closed, saying how to open them locally", async () => {
    // Prepare
    server.route("/api.json", { headers: JSON_TYPE, body: "{}" });
    const url = `http://localhost:${new URL(server.url).port}/api.json`;

    // Act
    const error = await failureOf(
      fetchWithPolicy(url, { signal: roomy(), outbound: PUBLIC_ONLY, expect: "json" }),
    );

    // Assess
    expect(server.requests).toHaveLength(0);
    expect(error.retryable).toBe(false);
    expect(error.reason).toBe("refused-address");
    expect(error.message).toContain(`GET ${url} was refused: localhost resolves to no address`);
    expect(error.message).toContain("127.0.0.1 is not a public address (loopback)");
    expect(error.message).toContain("--allow-private-networks");
  });

  it("decodes a gzip-compressed feed", async () => {
    // Prepare
    server.route("/history.rss", {
      headers: { ...RSS, "content-encoding": "gzip" },
      body: gzipSync(rss),
    });

    // Act
    const result = await fetchWithPolicy(`${server.url}/history.rss`, {
      signal: roomy(),
      outbound: FIXTURE_NETWORK,
      expect: "xml",
    });

    // Assess
    expect(result.status === "fresh" && result.body).toBe(rss);
  });

  it("caps a gzip bomb at maxBytes of decoded body", async () => {
    // Prepare: 32 MB of spaces in about 32 KB
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20));
    server.route("/huge.rss", { headers: { ...RSS, "content-encoding": "gzip" }, body: bomb });

    // Act
    const error = await failureOf(
      fetchWithPolicy(`${server.url}/huge.rss`, {
        signal: roomy(),
        outbound: FIXTURE_NETWORK,
        expect: "xml",
        maxBytes: 100_000,
      }),
    );

    // Assess
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      "a body of more than 100000 bytes, more than the 100000-byte limit",
    );
  });
});
