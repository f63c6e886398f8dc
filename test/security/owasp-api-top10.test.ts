/**
 * The OWASP API Security Top 10 (2023), one block per risk: the tests that show outcry
 * holds against it, through real requests to the local runtime (seeded with a day of the
 * seed story, behind one trusted proxy hop so that requests can come from many
 * addresses) and the real HTTP client and parsers. Where a risk has a part the local
 * runtime cannot show (API Gateway's IAM authorizer), the block says which test does.
 * SECURITY.md maps each risk to its guards.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../lambdas/api/routes";
import { SECURITY_HEADERS } from "../../lambdas/api/security-headers";
import { parseConfig } from "../../lambdas/domain/config";
import { compileSelector, pickCount } from "../../lambdas/domain/json-selector";
import { fetchWithPolicy, SourceHttpError } from "../../lambdas/http/fetch-with-policy";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { htmlToText } from "../../lambdas/sources/html-text";
import { parseFeed } from "../../lambdas/sources/rss/payload";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { FIXTURE_NETWORK } from "../support/outbound";
import { CHEAP_CHALLENGE, solvedChallenge } from "../support/report-client";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

let seeded: SeededRuntime;
let fixtures: FixtureServer;

beforeAll(async () => {
  [seeded, fixtures] = await Promise.all([
    startSeededRuntime({ trustedProxies: { hops: 1 } }),
    startFixtureServer(),
  ]);
});

afterAll(async () => {
  await Promise.all([seeded?.stop(), fixtures?.close()]);
});

/** A request from the client at `address` (as the trusted proxy saw it). */
function from(address: string, path: string, init: RequestInit = {}) {
  return fetch(`${seeded.url}${path}`, {
    ...init,
    headers: { "x-forwarded-for": address, ...(init.headers as Record<string, string>) },
  });
}

/** A report from `address`, with a challenge solved for it unless `altcha` is given. */
async function report(address: string, body: Record<string, unknown>, headers = {}) {
  const challenge = await from(address, "/reports/challenge");
  const altcha = await solvedFor(challenge);
  return from(address, "/reports", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ altcha, ...body }),
  });
}

/** The `altcha` field for a challenge answer. */
async function solvedFor(response: Response): Promise<string> {
  const { solveReportChallenge } = await import("../../contract/report-challenge-solver");
  return solveReportChallenge(await response.json());
}

const NEWEST_INCIDENT = "/incidents?limit=1";

describe("API1:2023 Broken Object Level Authorization", () => {
  it("addresses only incidents by an incident id, never another kind of item", async () => {
    // Act: ids that would name other partitions or keys if they reached the store as keys
    const statuses = await Promise.all(
      ["OUTBOX", "..%2F..%2FPROGRESS", "t-mobile-20230214T0200Z%23x", "x".repeat(500)].map(
        async (id) => (await from("198.51.100.1", `/incidents/${id}`)).status,
      ),
    );

    // Assess
    expect(statuses).toEqual([404, 404, 404, 404]);
  });

  it("has no object that belongs to one caller: subscribers are not addressable", async () => {
    // Act
    const subscribers = await from("198.51.100.1", "/subscribers");
    const { incidents } = await (await from("198.51.100.1", NEWEST_INCIDENT)).json();
    const detail = await (await from("198.51.100.1", `/incidents/${incidents[0].id}`)).text();

    // Assess: an incident tells how many heard of it, never who
    expect(subscribers.status).toBe(404);
    expect(detail).not.toMatch(/"audience"|sub-[0-9a-f]{10}|@/);
  });
});

describe("API2:2023 Broken Authentication", () => {
  let keyed: TemporaryRuntime;
  let key: string;

  beforeAll(async () => {
    keyed = await startTemporaryRuntime({
      config: parseConfig({
        services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
        api: { auth: "apiKey" },
        reports: { challenge: CHEAP_CHALLENGE },
      }),
    });
    key = (await readFile(join(keyed.dataDir, "api-key"), "utf8")).trim();
  });

  afterAll(async () => {
    await keyed?.stop();
  });

  it("asks every read route for the key, and takes it only from its header", async () => {
    // Arrange: each read route, with its path parameters filled in
    const reads = ROUTES.filter((r) => r.reads).map((r) =>
      r.path.replace("/services/{id}", "/services/t-mobile").replace("{id}", "t-mobile-x"),
    );
    const status = async (path: string, headers: Record<string, string> = {}) =>
      (await fetch(`${keyed.url}${path}`, { headers })).status;

    // Act
    const without = await Promise.all(reads.map((p) => status(p)));
    const wrong = await Promise.all(reads.map((p) => status(p, { "x-api-key": `${key}x` })));
    const inQuery = await status(`/services?x-api-key=${key}&api_key=${key}`);
    const withKey = await status("/services", { "x-api-key": key });

    // Assess
    expect(reads.length).toBeGreaterThanOrEqual(5);
    expect(new Set([...without, ...wrong, inQuery])).toEqual(new Set([401]));
    expect(withKey).toBe(200);
  });

  it("keeps the page, health, the contract and the report routes public", async () => {
    // Act
    const statuses = await Promise.all(
      ["/", "/health", "/openapi.json", "/reports/challenge"].map(
        async (path) => (await fetch(`${keyed.url}${path}`)).status,
      ),
    );

    // Assess (with api.auth iam, API Gateway signs the reads: test/infra/stack.test.ts
    // compares the document's signed operations with the template's authorizers)
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});

describe("API3:2023 Broken Object Property Level Authorization", () => {
  it("shows a source's health without its address or what it said", async () => {
    // Act
    const service = await (await from("198.51.100.1", "/services/t-mobile")).json();

    // Assess: the seeded replay source reads a file; neither its path nor an error shows
    const text = JSON.stringify(service);
    expect(text).not.toContain("tmobile-2023-02-13.csv");
    expect(text).not.toContain('"lastError"');
    for (const source of service.sources) {
      expect(Object.keys(source).sort()).toEqual(
        expect.arrayContaining(["kind", "status", "since"]),
      );
    }
  });

  it("takes no property of a report a client may not set (mass assignment)", async () => {
    // Act: fields that name who reported, when, and how much it weighs
    const response = await report("203.0.113.50", {
      service: "verizon",
      problem: "calls",
      reporter: "someone-else",
      network: "n",
      at: 0,
      weight: 1000,
      count: 5000,
    });
    const again = await report("203.0.113.50", { service: "verizon", problem: "texts" });

    // Assess: counted once, as this address, now
    expect(response.status).toBe(202);
    expect((await again.json()).status).toBe("duplicate");
  });
});

describe("API4:2023 Unrestricted Resource Consumption", () => {
  it("bounds bodies, ranges and pages", async () => {
    // Act
    const big = await report("203.0.113.60", { service: "att", problem: "x".repeat(5000) });
    const week = await from(
      "198.51.100.1",
      "/services/t-mobile/series?from=2023-01-01T00:00:00Z&to=2023-02-14T00:00:00Z",
    );
    const page = await from("198.51.100.1", "/incidents?limit=1000");

    // Assess
    expect([big.status, week.status, page.status]).toEqual([413, 400, 400]);
  });

  it("holds one address to its minute of reports and of challenges", async () => {
    // Act: the seeded config allows 30 reports and 60 challenges a minute per address
    const reports: number[] = [];
    for (let i = 0; i < 31; i++) {
      reports.push((await report("203.0.113.62", { service: "att", problem: "calls" })).status);
    }
    const challenges: number[] = [];
    for (let i = 0; i < 61; i++) {
      challenges.push((await from("203.0.113.61", "/reports/challenge")).status);
    }

    // Assess
    expect(reports.filter((s) => s !== 429)).toHaveLength(30);
    expect(reports.at(-1)).toBe(429);
    expect(challenges.filter((s) => s === 200)).toHaveLength(60);
    expect(challenges.at(-1)).toBe(429);
  });

  it("reads a hostile feed item in time linear in its size", () => {
    // Act
    const ratio = settledGrowthRatio((size) => "<".repeat(size), htmlToText, 32_000);

    // Assess (npm run bench -- hostile-parsing prints the time per MB)
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});

describe("API5:2023 Broken Function Level Authorization", () => {
  it("changes anything only by a crowd report or a subscription, and refuses other methods", async () => {
    // Arrange
    const writes = ROUTES.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

    // Act: every method that could change state, on every path
    const statuses = new Set<number>();
    for (const route of ROUTES) {
      const path = route.path.replace("{id}", "t-mobile");
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        statuses.add((await from("198.51.100.1", path, { method })).status);
      }
    }

    // Assess
    expect(writes).toEqual([
      "POST /reports",
      "POST /subscriptions",
      "POST /subscriptions/confirm",
      "POST /subscriptions/unsubscribe",
    ]);
    expect([...statuses]).toEqual([405]);
  });
});

describe("API6:2023 Unrestricted Access to Sensitive Business Flows", () => {
  it("refuses reports a page of another site sends through its visitors", async () => {
    // Act
    const response = await report(
      "203.0.113.70",
      { service: "att", problem: "calls" },
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    );

    // Assess
    expect(response.status).toBe(403);
  });

  it("takes no report without solved work, and each solution once", async () => {
    // Arrange
    const altcha = await solvedChallenge(seeded.url);
    const post = (body: Record<string, unknown>) =>
      from("127.0.0.1", "/reports", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ service: "att", problem: "calls", ...body }),
      });

    // Act
    const unsolved = await post({});
    const first = await post({ altcha });
    const replayed = await post({ altcha, problem: "texts" });

    // Assess
    expect(unsolved.status).toBe(400);
    expect([200, 202]).toContain(first.status);
    expect(replayed.status).toBe(400);
  });

  it("lets one network count at most perNetwork reports, whatever its addresses", async () => {
    // Act: 15 addresses of one /24
    const outcomes: string[] = [];
    for (let i = 1; i <= 15; i++) {
      const response = await report(`192.0.2.${i}`, { service: "verizon", problem: "calls" });
      outcomes.push((await response.json()).status);
    }

    // Assess
    expect(outcomes.filter((o) => o === "accepted")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "capped")).toHaveLength(5);
  });
});

describe("API6:2023 Unrestricted Access to Sensitive Business Flows: subscriptions", () => {
  /** A subscription request from `address`, with a challenge solved for it unless `altcha` is given. */
  async function subscribe(address: string, body: Record<string, unknown>) {
    const challenge = await from(address, "/reports/challenge");
    const altcha = await solvedFor(challenge);
    return from(address, "/subscriptions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ altcha, ...body }),
    });
  }

  it("subscribes no one without solved work, and tells no one who is subscribed", async () => {
    // Act: an unsolved request, then two clients asking for one address
    const unsolved = await from("198.51.100.20", "/subscriptions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "victim@example.org" }),
    });
    const first = await subscribe("198.51.100.21", { email: "victim@example.org" });
    const second = await subscribe("198.51.100.22", { email: "Victim@Example.org" });
    const outbox = await readFile(seeded.runtime.outboxFile, "utf8");

    // Assess: one confirmation, and the same answer whoever asks
    expect(unsolved.status).toBe(400);
    expect(second.status).toBe(first.status);
    expect(await second.json()).toEqual(await first.json());
    expect(outbox.match(/"kind":"sns-confirmation"/g)).toHaveLength(1);
  });
});

describe("API7:2023 Server Side Request Forgery", () => {
  it("calls no loopback, private or metadata address, and no runtime API", async () => {
    // Act
    const refusals = await Promise.all(
      [
        `http://169.254.169.254/latest/meta-data/`,
        `http://[::ffff:127.0.0.1]:${new URL(fixtures.url).port}/`,
        `http://localhost:${new URL(fixtures.url).port}/`,
        "http://10.0.0.1/count.json",
      ].map((url) =>
        fetchWithPolicy(url, {
          signal: AbortSignal.timeout(5_000),
          outbound: PUBLIC_ONLY,
          expect: "json",
        })
          .then(() => "fetched")
          .catch((error: SourceHttpError) => error.reason),
      ),
    );

    const runtimeApi = new URL(fixtures.url).host;
    const intoRuntimeApi = await fetchWithPolicy(
      `${fixtures.url}/2018-06-01/runtime/invocation/next`,
      {
        signal: AbortSignal.timeout(5_000),
        // Private networks open, as locally; the runtime API's endpoint stays closed.
        outbound: { allowPrivateNetworks: true, neverCall: [runtimeApi] },
        expect: "json",
      },
    ).catch((error: SourceHttpError) => error.reason);

    // Assess
    expect(refusals).toEqual(Array(4).fill("refused-address"));
    expect(intoRuntimeApi).toBe("refused-address");
    expect(fixtures.requests).toHaveLength(0);
  });

  it("follows no redirect out of the source's own origin", async () => {
    // Arrange: an allowed server that redirects elsewhere
    fixtures.route("/count.json", {
      status: 302,
      headers: { location: "http://169.254.169.254/latest/meta-data/" },
    });

    // Act
    const error = await fetchWithPolicy(`${fixtures.url}/count.json`, {
      signal: AbortSignal.timeout(5_000),
      outbound: FIXTURE_NETWORK,
      expect: "json",
    }).catch((e: SourceHttpError) => e);

    // Assess
    expect(error).toBeInstanceOf(SourceHttpError);
    expect((error as SourceHttpError).reason).toBe("redirect");
  });
});

describe("API8:2023 Security Misconfiguration", () => {
  it("gives every answer, errors included, HSTS and nosniff", async () => {
    // Act
    const answers = await Promise.all([
      from("198.51.100.1", "/services"),
      from("198.51.100.1", "/nowhere"),
      from("198.51.100.1", "/services", { method: "DELETE" }),
      from("198.51.100.1", "/services", { method: "OPTIONS" }),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 404, 405, 204]);
    for (const answer of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(answer.headers.get(name)).toBe(value);
      }
    }
  });

  it("serves its page unframeable and gives reports no CORS answer for other sites", async () => {
    // Act
    const page = await from("198.51.100.1", "/");
    const preflight = await from("198.51.100.1", "/reports", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });

    // Assess
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("API9:2023 Improper Inventory Management", () => {
  it("documents exactly the routes it serves, and serves no other", async () => {
    // Act
    const document = await (await from("198.51.100.1", "/openapi.json")).json();
    const legacy = await from("198.51.100.1", "/v1/services");

    // Assess
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object)
        .filter((key) => ["get", "post"].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(legacy.status).toBe(404);
  });
});

describe("API10:2023 Unsafe Consumption of APIs", () => {
  it("takes a third party's answer only as what it should be", async () => {
    // Arrange: an HTML page where JSON was expected
    fixtures.route("/api.json", { headers: { "content-type": "text/html" }, body: "<p>42</p>" });

    // Act
    const html = await fetchWithPolicy(`${fixtures.url}/api.json`, {
      signal: AbortSignal.timeout(5_000),
      outbound: FIXTURE_NETWORK,
      expect: "json",
    }).catch((e: SourceHttpError) => e.reason);
    const notACount = (() => {
      try {
        return pickCount({ n: "1e9999" }, compileSelector({ pointer: "/n" }));
      } catch {
        return "refused";
      }
    })();
    const entities = (() => {
      try {
        return parseFeed(
          '<!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel><item><title>&a;</title></item></channel></rss>',
          "https://feed.example/",
        );
      } catch {
        return "refused";
      }
    })();

    // Assess
    expect([html, notACount, entities]).toEqual(["wrong-content-type", "refused", "refused"]);
  });
});
