/**
 * The outbound request against real local servers: which addresses it reaches under a
 * closed and an open policy (names resolved at connect time, literal addresses, IPv4
 * mapped into IPv6, the Lambda runtime API), which redirects it follows, and how it
 * decodes and caps a compressed body.
 */
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PUBLIC_ONLY, refusalOf } from "../../lambdas/http/outbound-policy";
import {
  MAX_REDIRECTS,
  type OutboundRequestOptions,
  outboundRequest,
  RequestRefused,
} from "../../lambdas/http/outbound-request";
import { BodyRefused } from "../../lambdas/http/response-body";
import { outboundPolicyFromEnvironment } from "../../lambdas/wiring/environment";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";

let server: FixtureServer;
/** A second server: another origin (another port) on the same machine. */
let elsewhere: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
  elsewhere = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
  await elsewhere.close();
});
beforeEach(() => {
  server.requests.length = 0;
  elsewhere.requests.length = 0;
});

const port = () => new URL(server.url).port;

function get(url: string, overrides: Partial<OutboundRequestOptions> = {}) {
  return outboundRequest(url, {
    method: "GET",
    headers: {},
    policy: FIXTURE_NETWORK,
    redirects: "same-origin",
    signal: AbortSignal.timeout(5_000),
    ...overrides,
  });
}

async function refusalFrom(promise: Promise<unknown>): Promise<RequestRefused> {
  const error = await promise.then(
    () => new Error("expected the request to be refused"),
    (thrown: unknown) => thrown,
  );
  if (error instanceof RequestRefused) return error;
  throw error;
}

describe("outboundRequest: where a request may go", () => {
  it("refuses a name that resolves to loopback when private networks are closed", async () => {
    // Prepare
    server.route("/value.json", { body: "7" });

    // Act
    const refusal = await refusalFrom(
      get(`http://localhost:${port()}/value.json`, { policy: PUBLIC_ONLY }),
    );

    // Assess: refused at connect time, after the name was resolved
    expect(refusal.details.reason).toBe("address");
    expect(refusal.message).toMatch(/^localhost resolves to no address outcry may call: /);
    expect(refusal.message).toContain("127.0.0.1 is not a public address (loopback)");
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ["the instance metadata service", "http://169.254.169.254/latest/meta-data/", "linkLocal"],
    ["EC2's IPv6 metadata address", "http://[fd00:ec2::254]/latest/meta-data/", "uniqueLocal"],
    ["a private address", "http://10.0.0.8/", "private"],
    ["carrier-grade NAT", "http://100.64.0.1/", "carrierGradeNat"],
    ["the unspecified address", "http://0.0.0.0/", "unspecified"],
    ["loopback written as a number", "http://2130706433/", "loopback"],
    ["a documentation address", "http://192.0.2.10/", "reserved"],
    ["multicast", "http://[ff02::1]/", "multicast"],
    ["an IPv4-compatible IPv6 address", "http://[::7f00:1]/", "outside 2000::/3"],
  ])("refuses %s written in the URL, without connecting", async (_what, url, range) => {
    // Act
    const started = Date.now();
    const refusal = await refusalFrom(get(url, { policy: PUBLIC_ONLY }));

    // Assess
    expect(refusal.details.reason).toBe("address");
    expect(refusal.message).toContain(`not a public address (${range})`);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it("judges IPv4 mapped into IPv6 as the IPv4 address, refused closed and reached open", async () => {
    // Prepare
    server.route("/value.json", { body: "7" });
    const url = `http://[::ffff:127.0.0.1]:${port()}/value.json`;

    // Act
    const refusal = await refusalFrom(get(url, { policy: PUBLIC_ONLY }));
    const opened = await get(url);

    // Assess
    expect(refusal.message).toBe("127.0.0.1 is not a public address (loopback)");
    expect(opened.status).toBe(200);
    expect(new TextDecoder().decode(await opened.read(100))).toBe("7");
    expect(server.requests).toHaveLength(1);
  });

  it("never calls the Lambda runtime API, even with private networks open", async () => {
    // Prepare: the fixture server stands in for the runtime API
    const runtimeApi = new URL(server.url).host;
    const policy = outboundPolicyFromEnvironment({
      OUTCRY_ALLOW_PRIVATE_NETWORKS: "1",
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
    });
    server.route("/2018-06-01/runtime/invocation/next", { body: "{}" });

    // Act
    const direct = await refusalFrom(
      get(`http://${runtimeApi}/2018-06-01/runtime/invocation/next`, { policy }),
    );
    const mapped = await refusalFrom(
      get(`http://[::ffff:127.0.0.1]:${port()}/2018-06-01/runtime/invocation/next`, { policy }),
    );
    const byName = await get(`http://localhost:${port()}/2018-06-01/runtime/invocation/next`, {
      policy,
    }).catch((error: unknown) => error);

    // Assess: refused by address, however written; the name's loopback address is held back
    expect(policy.allowPrivateNetworks).toBe(true);
    expect(direct.message).toBe(
      `${runtimeApi} is the Lambda runtime API, which outcry never calls`,
    );
    expect(mapped.details.reason).toBe("address");
    expect(byName).toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(0);
  });

  it("allows public unicast addresses", () => {
    expect(refusalOf("93.184.215.14", 443, PUBLIC_ONLY)).toBeNull();
    expect(refusalOf("2606:4700::6810:84e5", 443, PUBLIC_ONLY)).toBeNull();
    expect(refusalOf("status.example.com", 443, PUBLIC_ONLY)).toBeNull();
  });
});

describe("outboundRequest: redirects", () => {
  it("follows redirects within the origin, and reports the URL that answered", async () => {
    // Prepare
    server.route("/old", { status: 301, headers: { location: "/moved" } });
    server.route("/moved", { status: 302, headers: { location: `${server.url}/feed.json` } });
    server.route("/feed.json", { body: "[]" });

    // Act
    const response = await get(`${server.url}/old`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${server.url}/feed.json`);
    expect(server.requests.map((r) => r.path)).toEqual(["/old", "/moved", "/feed.json"]);
  });

  it.each([
    ["another port of the same host", () => `${elsewhere.url}/internal.json`],
    ["the instance metadata service", () => "http://169.254.169.254/latest/meta-data/"],
    ["the same host over HTTPS", () => `${server.url.replace("http:", "https:")}/feed.json`],
  ])("refuses a redirect to %s, contacting nothing there", async (_what, location) => {
    // Prepare
    server.route("/feed.json", { status: 302, headers: { location: location() } });
    elsewhere.route("/internal.json", { body: "4242" });

    // Act
    const refusal = await refusalFrom(get(`${server.url}/feed.json`));

    // Assess
    expect(refusal.details).toEqual({ reason: "redirect", status: 302, location: location() });
    expect(refusal.message).toBe("answered 302, a redirect to another origin");
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it(`follows ${MAX_REDIRECTS} redirects and refuses the one after, so a loop ends`, async () => {
    // Prepare
    server.route("/hop", (request) => {
      const n = Number(request.query.get("n") ?? "0");
      return n < MAX_REDIRECTS
        ? { status: 307, headers: { location: `/hop?n=${n + 1}` } }
        : { body: "arrived" };
    });
    server.route("/loop", { status: 302, headers: { location: "/loop" } });

    // Act
    const arrived = await get(`${server.url}/hop`);
    server.requests.length = 0;
    const refusal = await refusalFrom(get(`${server.url}/loop`));

    // Assess
    expect(arrived.url).toBe(`${server.url}/hop?n=${MAX_REDIRECTS}`);
    expect(refusal.message).toBe(
      `answered 302, a redirect past the ${MAX_REDIRECTS} outcry follows`,
    );
    expect(server.requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  it("follows no redirect at all when told none, even within the origin", async () => {
    // Prepare
    server.route("/hook", { status: 308, headers: { location: "/hook2" } });

    // Act
    const refusal = await refusalFrom(get(`${server.url}/hook`, { redirects: "none" }));

    // Assess
    expect(refusal.message).toBe("answered 308, a redirect");
    expect(server.requests.map((r) => r.path)).toEqual(["/hook"]);
  });
});

describe("outboundRequest: bodies", () => {
  const text = "status: all systems operational\n".repeat(200);

  it.each([
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const)("asks for compression and decodes a %s body", async (encoding, compress) => {
    // Prepare
    server.route("/feed", { headers: { "content-encoding": encoding }, body: compress(text) });

    // Act
    const response = await get(`${server.url}/feed`);
    const body = new TextDecoder().decode(await response.read(1_000_000));

    // Assess
    expect(server.requests[0]?.headers["accept-encoding"]).toBe("gzip, deflate, br");
    expect(body).toBe(text);
  });

  it("stops a gzip bomb at the cap on decoded bytes", async () => {
    // Prepare: 64 MB of zeros that travel as about 64 KB
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    server.route("/bomb", { headers: { "content-encoding": "gzip" }, body: bomb });
    const response = await get(`${server.url}/bomb`);

    // Act
    const error = await response.read(1024 * 1024).catch((thrown: unknown) => thrown);

    // Assess
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    expect(error).toBeInstanceOf(BodyRefused);
    expect((error as BodyRefused).message).toBe(`a body of more than ${1024 * 1024} bytes`);
  });

  it("refuses an encoding it does not decode, naming it", async () => {
    // Prepare
    server.route("/feed", { headers: { "content-encoding": "zstd" }, body: "x" });
    const response = await get(`${server.url}/feed`);

    // Act
    const error = await response.read(1_000).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(BodyRefused);
    expect((error as BodyRefused).details).toEqual({ encoding: "zstd" });
  });

  it("posts a body with its length", async () => {
    // Prepare
    server.route("/hook", { body: "ok" });

    // Act
    const response = await outboundRequest(`${server.url}/hook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"text":"é"}',
      policy: FIXTURE_NETWORK,
      redirects: "none",
      signal: AbortSignal.timeout(5_000),
    });

    // Assess
    expect(response.status).toBe(200);
    expect(server.requests[0]?.headers["content-length"]).toBe("13");
    expect(server.requests[0]?.body).toBe('{"text":"é"}');
  });
});
