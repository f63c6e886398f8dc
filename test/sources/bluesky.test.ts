/**
 * The Bluesky source against a local server playing a PDS: signing in with the app
 * password from a secret (`createSession`), the bearer token on each search, a refresh on
 * `ExpiredToken` (and a new sign-in when the refresh fails too), paging by `cursor`,
 * posts counted once across pages and ticks, a missing secret, and failures (500, 429,
 * a hanging server, garbage, an oversized body, a wrong encoding).
 */

import { afterEach, describe, expect, it } from "vitest";
import { SourceSchema } from "../../lambdas/domain/config";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import type { SecretReader, SeenItemsStore } from "../../lambdas/domain/ports";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { BlueskySourceSchema } from "../../lambdas/sources/bluesky/config";
import { parseSearchPage, xrpcError } from "../../lambdas/sources/bluesky/payload";
import { forgetBlueskySessions } from "../../lambdas/sources/bluesky/session";
import { type BlueskySettings, BlueskySource } from "../../lambdas/sources/bluesky/source";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { EnvironmentSecretReader, secretVariable } from "../../lambdas/wiring/secret-readers";
import type { FixtureHandler } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";
import {
  at,
  MemorySeenItems,
  fixture as readFixture,
  sourceRequest,
  useFixtureServer,
} from "./source-harness";

const fixture = (name: string) => readFixture("bluesky", name);
const PAGE_1 = fixture("search-page-1.json");
const PAGE_2 = fixture("search-page-2.json");
const SESSION = fixture("session.json");
const SEARCH = "/xrpc/app.bsky.feed.searchPosts";
const CREATE = "/xrpc/com.atproto.server.createSession";
const REFRESH = "/xrpc/com.atproto.server.refreshSession";
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const SERVICE = { id: "t-mobile", name: "T-Mobile" };
const ACCESS_1 = JSON.parse(SESSION).accessJwt as string;
const REFRESH_1 = JSON.parse(SESSION).refreshJwt as string;
const EXPIRED = {
  status: 400,
  headers: JSON_TYPE,
  body: '{"error":"ExpiredToken","message":"Token has expired"}',
};

/** Buckets 03:15, 03:20, 03:25 read at 03:31. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:25:00Z", overrides);

const server = useFixtureServer();
afterEach(() => forgetBlueskySessions());

/** A session answer with the given tokens. */
function session(access: string, refresh: string): FixtureHandler {
  return {
    headers: JSON_TYPE,
    body: JSON.stringify({ ...JSON.parse(SESSION), accessJwt: access, refreshJwt: refresh }),
  };
}

/** The search: page 1 without a cursor, page 2 with one; only `token` is let in. */
function search(token = ACCESS_1): FixtureHandler {
  return ({ query, headers }) => {
    if (headers.authorization !== `Bearer ${token}`) return EXPIRED;
    return { headers: JSON_TYPE, body: query.get("cursor") ? PAGE_2 : PAGE_1 };
  };
}

/** A secret reader holding `values`, counting its reads. */
function secretsOf(values: Record<string, string>): SecretReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async read(name) {
      reads.push(name);
      return values[name] ?? null;
    },
    howToSet: (name) => `put it in the test's secret ${name}`,
  };
}

function source(
  seen: SeenItemsStore = new MemorySeenItems(),
  settings: Partial<BlueskySettings> = {},
  secrets: SecretReader | undefined = secretsOf({ "outcry/bluesky": "abcd-efgh-ijkl-mnop" }),
) {
  return new BlueskySource(
    SERVICE,
    {
      id: "bluesky",
      weight: 1,
      q: '"t-mobile" outage',
      url: `${server.url}/`,
      identifier: "outcry-bot.bsky.social",
      appPasswordSecret: "outcry/bluesky",
      ...settings,
    },
    { seen, secrets },
    FIXTURE_NETWORK,
  );
}

const paths = () => server.requests.map((r) => r.path);

describe("BlueskySource signing in and searching", () => {
  it("signs in with the secret's password, searches with the bearer token and pages by cursor", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());

    // Act
    const reading = await source().read(request());

    // Assess: 03:15 has one post; 03:20 three (one written with microseconds, one whose
    // author's clock runs ahead, placed by indexedAt); 03:25 two (one repeated on page 2).
    // The post dated after the tick and the one before 03:15 do not count.
    expect(reading.counts).toEqual([1, 3, 2]);
    expect(paths()).toEqual([CREATE, SEARCH, SEARCH]);
    const [signIn, first, second] = server.requests;
    expect(signIn?.method).toBe("POST");
    expect(signIn?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(signIn?.body ?? "")).toEqual({
      identifier: "outcry-bot.bsky.social",
      password: "abcd-efgh-ijkl-mnop",
    });
    expect(first?.headers.authorization).toBe(`Bearer ${ACCESS_1}`);
    expect(Object.fromEntries(new URLSearchParams(first?.query))).toEqual({
      q: '"t-mobile" outage',
      sort: "latest",
      since: "2023-02-14T03:15:00Z",
      limit: "100",
    });
    expect(new URLSearchParams(second?.query).get("cursor")).toBe("6");
    // The tokens are never handed back as memory to store.
    expect(JSON.stringify(reading)).not.toContain(ACCESS_1);
  });

  it("signs in once per container, and counts nothing twice on the next tick", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());
    const seen = new MemorySeenItems();
    const secrets = secretsOf({ "outcry/bluesky": "abcd-efgh-ijkl-mnop" });
    await source(seen, {}, secrets).read(request());

    // Act: a second source object, as the next tick's wiring would make
    const again = await source(seen, {}, secrets).read(request());

    // Assess
    expect(again.counts).toEqual([1, 3, 2]);
    expect(paths().filter((p) => p === CREATE)).toHaveLength(1);
    expect(secrets.reads).toEqual(["outcry/bluesky"]);
  });

  it("refreshes an expired session with the refresh token and tries the search once more", async () => {
    // Prepare: the first access token has expired; the refresh gives a second one
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(REFRESH, session("access-2", "refresh-2"));
    server.route(SEARCH, search("access-2"));

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([1, 3, 2]);
    expect(paths()).toEqual([CREATE, SEARCH, REFRESH, SEARCH, SEARCH]);
    const refresh = server.requests[2];
    expect(refresh?.method).toBe("POST");
    expect(refresh?.headers.authorization).toBe(`Bearer ${REFRESH_1}`);
    expect(server.requests[4]?.headers.authorization).toBe("Bearer access-2");
  });

  it("signs in anew when the refresh token has expired too", async () => {
    // Prepare: the stored session's tokens are both stale; a new sign-in gives access-3
    server.route(CREATE, session(ACCESS_1, REFRESH_1), session("access-3", "refresh-3"));
    server.route(REFRESH, EXPIRED);
    server.route(SEARCH, search("access-3"));

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([1, 3, 2]);
    expect(paths()).toEqual([CREATE, SEARCH, REFRESH, CREATE, SEARCH, SEARCH]);
  });

  it("fails, naming the secret to set, when the app password is missing, and calls no one", async () => {
    // Prepare
    const env = new EnvironmentSecretReader({});

    // Act / Assess
    await expect(source(undefined, {}, env).read(request())).rejects.toThrow(
      /app password of outcry-bot\.bsky\.social is not set .*OUTCRY_SECRET_OUTCRY_BLUESKY/,
    );
    expect(server.requests).toEqual([]);
  });

  it("fails saying so when the runtime gives it no secrets at all", async () => {
    // Act / Assess
    await expect(
      new BlueskySource(
        SERVICE,
        {
          id: "bluesky",
          weight: 1,
          q: "x",
          url: server.url,
          identifier: "outcry-bot.bsky.social",
          appPasswordSecret: "outcry/bluesky",
        },
        { seen: new MemorySeenItems() },
        FIXTURE_NETWORK,
      ).read(request()),
    ).rejects.toThrow(/reads no secrets/);
  });

  it("reads the password from the environment variable a local run sets", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());
    const env = new EnvironmentSecretReader({ OUTCRY_SECRET_OUTCRY_BLUESKY: " pass-word \n" });

    // Act
    const reading = await source(undefined, {}, env).read(request());

    // Assess
    expect(reading.counts).toEqual([1, 3, 2]);
    expect(JSON.parse(server.requests[0]?.body ?? "").password).toBe("pass-word");
  });

  it("fails saying to check the password when the sign-in is refused, and tries again next read", async () => {
    // Prepare
    server.route(CREATE, {
      status: 401,
      headers: JSON_TYPE,
      body: '{"error":"AuthenticationRequired","message":"Invalid identifier or password"}',
    });

    // Act
    const first = source().read(request());

    // Assess
    await expect(first).rejects.toMatchObject({
      retryable: false,
      status: 401,
      message: expect.stringMatching(
        /refused the sign-in of outcry-bot\.bsky\.social .*AuthenticationRequired.*app password in the secret 'outcry\/bluesky'/,
      ),
    });
    await expect(source().read(request())).rejects.toThrow(/refused the sign-in/);
    expect(paths()).toEqual([CREATE, CREATE]);
  });

  it("stops at maxPages, leaving an older bucket it did not reach as a gap", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());

    // Act
    const reading = await source(undefined, { maxPages: 1 }).read(request());

    // Assess: page 1 reaches back to 03:21:30 only, so 03:15 is unknown
    expect(reading.counts).toEqual([null, 3, 2]);
    expect(paths().filter((p) => p === SEARCH)).toHaveLength(1);
  });

  it("stops when the results end, counting an empty bucket as 0", async () => {
    // Prepare: one page, no cursor
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    const { cursor: _cursor, ...lastPage } = JSON.parse(PAGE_1);
    server.route(SEARCH, { headers: JSON_TYPE, body: JSON.stringify(lastPage) });

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([0, 3, 2]);
    expect(paths().filter((p) => p === SEARCH)).toHaveLength(1);
  });

  it("keeps what it read when a later page fails", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, ({ query }) =>
      query.get("cursor") ? { status: 404, body: "gone" } : { headers: JSON_TYPE, body: PAGE_1 },
    );

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([null, 3, 2]);
  });
});

describe("BlueskySource splitting posts by keyword class", () => {
  /** "no signal at work, tmobile outage??" names two classes: no-signal comes first. */
  const classes = {
    "no-signal": ["no signal", "SOS"],
    calls: ["calls"],
    "total-outage": ["outage"],
  };

  it("puts each counted post in the first class its text mentions, and leaves the count as it was", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());

    // Act
    const reading = await source(new MemorySeenItems(), { classes }).read(request());

    // Assess: 03:15 "calls dropping"; 03:20 "outage are climbing" and two posts saying only
    // "down", in no class; 03:25 "SOS only" and "no signal … outage??" (repeated on page 2)
    expect(reading.counts).toEqual([1, 3, 2]);
    expect(reading.breakdowns).toEqual([{ calls: 1 }, { "total-outage": 1 }, { "no-signal": 2 }]);
  });

  it("tells the same split on the next tick, each post once in its class", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());
    const bluesky = source(new MemorySeenItems(), { classes });
    const first = await bluesky.read(request());

    // Act
    const again = await bluesky.read(request());

    // Assess
    expect(again.counts).toEqual(first.counts);
    expect(again.breakdowns).toEqual(first.breakdowns);
  });

  it("returns no breakdowns without classes", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading).not.toHaveProperty("breakdowns");
  });
});

describe("BlueskySource failures", () => {
  it("retries a 500, and waits out a 429 with Retry-After", async () => {
    // Prepare
    server.route(CREATE, { status: 500, body: "upstream" }, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, { status: 429, headers: { "retry-after": "1" } }, search());
    const started = Date.now();

    // Act
    const reading = await source().read(request());

    // Assess
    expect(reading.counts).toEqual([1, 3, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(paths()).toEqual([CREATE, CREATE, SEARCH, SEARCH, SEARCH]);
  });

  it("fails, retryable and naming the URL, when the search keeps answering 500", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, { status: 500, body: "upstream" });

    // Act / Assess
    await expect(source().read(request())).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/GET .*searchPosts.*500/),
    });
  });

  it("stops when the source's deadline passes on a sign-in that hangs", async () => {
    // Prepare
    server.route(CREATE, { delayMs: 3_000, ...session(ACCESS_1, REFRESH_1) });
    const started = Date.now();

    // Act
    const read = source().read(request({ signal: AbortSignal.timeout(200) }));

    // Assess
    await expect(read).rejects.toThrow(/POST .*createSession.*deadline passed/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("fails on garbage that is not JSON", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, { headers: JSON_TYPE, body: "\u0000\u0001garbage{{" });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(/searchPosts.*not valid JSON/);
  });

  it("fails on a login page served with 200", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, {
      headers: { "content-type": "text/html" },
      body: "<html>Sign in</html>",
    });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(/searchPosts.*text\/html/);
  });

  it("fails on an oversized page without reading it whole", async () => {
    // Prepare: 3 MiB, above the 2 MiB cap
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, {
      headers: JSON_TYPE,
      body: JSON.stringify({ posts: [], padding: "x".repeat(3 * 1024 * 1024) }),
    });

    // Act / Assess
    await expect(source().read(request())).rejects.toMatchObject({ reason: "too-large" });
  });

  it("fails on a body that says gzip but is not", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, { headers: { ...JSON_TYPE, "content-encoding": "gzip" }, body: PAGE_1 });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(
      /searchPosts.*(incorrect header check|compression)/,
    );
  });

  it.each([
    ['{"cursor":"1"}', /did not return a page of search results \('posts': .*array/],
    ['{"posts":[{"indexedAt":"2023-02-14T03:20:00Z","record":{}}]}', /'posts\[0\]\.uri'/],
    ['{"posts":[{"uri":"at://x","indexedAt":"2023-02-14T03:20:00Z"}]}', /'posts\[0\]\.record'/],
  ])("fails naming the field of a page that is not search results: %s", async (body, message) => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, { headers: JSON_TYPE, body });

    // Act / Assess
    await expect(source().read(request())).rejects.toMatchObject({
      retryable: false,
      reason: "invalid-payload",
      message: expect.stringMatching(message),
    });
  });

  it("fails naming the field when a sign-in answer has no tokens", async () => {
    // Prepare
    server.route(CREATE, { headers: JSON_TYPE, body: '{"did":"did:plc:x","accessJwt":"a"}' });

    // Act / Assess
    await expect(source().read(request())).rejects.toThrow(
      /createSession did not return a session \('refreshJwt'/,
    );
  });
});

describe("Bluesky payloads", () => {
  it("drops a post whose times do not read, and keeps a post dated by indexedAt alone", () => {
    // Act
    const page = parseSearchPage(
      {
        posts: [
          { uri: "at://a", indexedAt: "yesterday", record: { createdAt: "soon" } },
          { uri: "at://b", indexedAt: "2023-02-14T03:20:00.000Z", record: {} },
        ],
      },
      "https://pds.example/xrpc/app.bsky.feed.searchPosts",
    );

    // Assess
    expect(page).toEqual({
      posts: [{ uri: "at://b", postedAt: at("2023-02-14T03:20:00Z"), text: "" }],
      cursor: null,
    });
  });

  it("reads a post's text, and counts a post whose text is missing or not a string", () => {
    // Act
    const page = parseSearchPage(
      {
        posts: [
          { uri: "at://a", indexedAt: "2023-02-14T03:20:00.000Z", record: { text: "no signal" } },
          { uri: "at://b", indexedAt: "2023-02-14T03:20:00.000Z", record: { text: 42 } },
        ],
      },
      "https://pds.example/xrpc/app.bsky.feed.searchPosts",
    );

    // Assess
    expect(page.posts.map((post) => [post.uri, post.text])).toEqual([
      ["at://a", "no signal"],
      ["at://b", ""],
    ]);
  });

  it("reads an XRPC error name, and nothing from a body that is not one", () => {
    // Assess
    expect(xrpcError('{"error":"ExpiredToken","message":"Token has expired"}')).toBe(
      "ExpiredToken",
    );
    expect(xrpcError("<html>")).toBeNull();
    expect(xrpcError(undefined)).toBeNull();
    expect(xrpcError('{"error":{"message":"x"}}')).toBeNull();
  });
});

describe("Bluesky source config", () => {
  const minimal = { kind: "bluesky", q: "t-mobile outage", identifier: "outcry-bot.bsky.social" };

  it("defaults the server, the secret, the id and the page cap", () => {
    // Act
    const parsed = BlueskySourceSchema.parse(minimal);

    // Assess
    expect(parsed).toMatchObject({
      id: "bluesky",
      weight: 1,
      url: "https://bsky.social",
      appPasswordSecret: "outcry/bluesky",
      maxPages: 5,
    });
  });

  it("takes a DID as the identifier", () => {
    // Act / Assess
    expect(
      BlueskySourceSchema.safeParse({ ...minimal, identifier: "did:plc:o5ygkqd2bqr7hxvt4kb3ggcm" })
        .success,
    ).toBe(true);
  });

  it.each([
    [{ identifier: "@outcry-bot.bsky.social" }, "identifier", /without '@'/],
    [{ identifier: "not a handle" }, "identifier", /handle .* or its DID/],
    [{ q: "  " }, "q", /give the search/],
    [{ url: "https://bsky.social/xrpc" }, "url", /without '\/xrpc'/],
    [{ url: "bsky.social" }, "url", /absolute http/],
    [
      { appPasswordSecret: "arn:aws:secretsmanager:us-east-1:1:secret:x" },
      "appPasswordSecret",
      /name, not its ARN/,
    ],
    [{ appPasswordSecret: "my secret" }, "appPasswordSecret", /letters, digits/],
    [{ maxPages: 11 }, "maxPages", /at most 10 pages/],
    [{ password: "hunter2" }, "", /password/],
    [{ classes: { "no signal": ["no signal"] } }, "classes.no signal", /not valid: use 1-32/],
    [{ classes: { calls: ["x".repeat(81)] } }, "classes.calls.0", /at most 80 characters/],
  ])("refuses %j, naming %s", (change, field, message) => {
    // Act
    const result = BlueskySourceSchema.safeParse({ ...minimal, ...change });

    // Assess
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path.join(".")).toBe(field);
    expect(issue?.message ?? "").toMatch(message);
  });

  it("is a source kind of the config, built into a Bluesky source with the runtime's secrets", async () => {
    // Prepare
    server.route(CREATE, session(ACCESS_1, REFRESH_1));
    server.route(SEARCH, search());
    const config = SourceSchema.parse({ ...minimal, url: server.url });
    const secrets = secretsOf({ "outcry/bluesky": "pw" });

    // Act
    const [built] = sourcesForService(
      {
        id: "t-mobile",
        name: "T-Mobile",
        reports: { enabled: false },
        sources: [config],
      } as unknown as Parameters<typeof sourcesForService>[0],
      { reports: {} as never, seen: new MemorySeenItems(), secrets },
      { ...PUBLIC_ONLY, allowPrivateNetworks: true },
    );
    const reading = await built?.read(request());

    // Assess
    expect(built).toBeInstanceOf(BlueskySource);
    expect(reading?.counts).toEqual([1, 3, 2]);
    expect(secrets.reads).toEqual(["outcry/bluesky"]);
  });

  it("names the environment variable of a secret for a local run", () => {
    // Assess
    expect(secretVariable("outcry/bluesky")).toBe("OUTCRY_SECRET_OUTCRY_BLUESKY");
    expect(secretVariable("/team.a/bsky-pw+2")).toBe("OUTCRY_SECRET_TEAM_A_BSKY_PW_2");
    expect(new EnvironmentSecretReader({}).howToSet("outcry/bluesky")).toMatch(
      /OUTCRY_SECRET_OUTCRY_BLUESKY/,
    );
  });
});
