/**
 * The Mastodon source against a local server replaying hashtag-timeline pages in the
 * public API's format: paging back through `Link` or `max_id`, posts counted once across
 * pages and ticks, boosts and future posts left out, keyword filters, conditional
 * requests, and failures (429, 500, HTML error pages, cut-off JSON).
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SourceRequest } from "../../lambdas/domain/count-source";
import type { SeenItemsStore } from "../../lambdas/domain/ports";
import { PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { htmlToText } from "../../lambdas/sources/html-text";
import { MastodonSourceSchema } from "../../lambdas/sources/mastodon/config";
import { nextLink, parseStatuses } from "../../lambdas/sources/mastodon/payload";
import { type MastodonSettings, MastodonSource } from "../../lambdas/sources/mastodon/source";
import { itemFilter } from "../../lambdas/sources/text-matching";
import { DynamoSeenItemsStore } from "../../lambdas/store/seen-items-store";
import { startTestTable, type TestTable } from "../support/embedded-table";
import type { FixtureHandler } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";
import {
  at,
  MemorySeenItems,
  fixture as readFixture,
  sourceRequest,
  useFixtureServer,
} from "./source-harness";

const fixture = (name: string) => readFixture("mastodon", name);
const PAGE_1 = fixture("tag-page-1.json");
const PAGE_2 = fixture("tag-page-2.json");
const TAG_PATH = "/api/v1/timelines/tag/tmobile";
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const SERVICE = { id: "t-mobile", name: "T-Mobile" };

/** Buckets 03:05, 03:10, 03:15 read at 03:21. */
const request = (overrides: Partial<SourceRequest> = {}) =>
  sourceRequest("2023-02-14T03:15:00Z", overrides);

const server = useFixtureServer();

/** Page 1 without max_id, page 2 with it; page 1 links to page 2 when `link` is set. */
function timeline(options: { link?: boolean; etag?: string } = {}): FixtureHandler {
  return ({ query, headers }) => {
    if (query.get("max_id")) return { headers: JSON_TYPE, body: PAGE_2 };
    if (options.etag && headers["if-none-match"] === options.etag) {
      return { status: 304, headers: { etag: options.etag } };
    }
    const link = `<${server.url}${TAG_PATH}?max_id=109861234567890006>; rel="next", <${server.url}${TAG_PATH}?min_id=109861234567890010>; rel="prev"`;
    return {
      headers: {
        ...JSON_TYPE,
        ...(options.link ? { link } : {}),
        ...(options.etag ? { etag: options.etag } : {}),
      },
      body: PAGE_1,
    };
  };
}

function source(seen: SeenItemsStore, settings: Partial<MastodonSettings> = {}) {
  return new MastodonSource(
    SERVICE,
    { id: "mastodon", weight: 1, instance: `${server.url}/`, hashtag: "tmobile", ...settings },
    { seen },
    FIXTURE_NETWORK,
  );
}

describe("MastodonSource reading a hashtag timeline", () => {
  it("pages back through the Link header and counts each post once, without boosts or future posts", async () => {
    // Prepare: page 2 repeats the oldest post of page 1
    server.route(TAG_PATH, timeline({ link: true }));
    const seen = new MemorySeenItems();

    // Act
    const reading = await source(seen).read(request());

    // Assess: 03:15 has #9 and #7 (#8 boosts #7, #10 is dated 03:25); 03:10 has #6 once and #5
    expect(reading.counts).toEqual([1, 2, 2]);
    expect(server.requests.map((r) => r.query)).toEqual(["limit=40", "max_id=109861234567890006"]);
  });

  it("does not count a post dated after the tick, even inside a requested bucket", async () => {
    // Prepare: the tick runs at 03:19:00, #9 claims 03:19:30 (the instance's clock is ahead)
    server.route(TAG_PATH, timeline({ link: true }));

    // Act
    const reading = await source(new MemorySeenItems()).read(
      request({ nowMs: at("2023-02-14T03:19:00Z") }),
    );

    // Assess
    expect(reading.counts).toEqual([1, 2, 1]);
  });

  it("falls back to max_id of the last post when there is no Link header", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: false }));

    // Act
    const reading = await source(new MemorySeenItems()).read(request());

    // Assess
    expect(reading.counts).toEqual([1, 2, 2]);
    expect(server.requests[1]?.query).toBe("limit=40&max_id=109861234567890006");
  });

  it("counts nothing twice when the next tick reads the same posts again", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true }));
    const seen = new MemorySeenItems();
    const mastodon = source(seen);
    await mastodon.read(request());

    // Act
    const again = await mastodon.read(request());

    // Assess
    expect(again.counts).toEqual([1, 2, 2]);
  });

  it("sends the first page's ETag back and keeps the stored counts on 304", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true, etag: 'W/"tag-v1"' }));
    const seen = new MemorySeenItems();
    const mastodon = source(seen);
    const first = await mastodon.read(request());
    server.requests.length = 0;

    // Act
    const second = await mastodon.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.memory).toEqual({ etag: 'W/"tag-v1"' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers["if-none-match"]).toBe('W/"tag-v1"');
    expect(second.counts).toEqual([1, 2, 2]);
  });

  it("applies include and exclude words to the post's text as whole words", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true }));

    // Act: "ad" is the content warning of #5, and must not match "dead" in #6
    const excluded = await source(new MemorySeenItems(), { exclude: ["ad"] }).read(request());
    const included = await source(new MemorySeenItems(), {
      include: ["no signal", "OUTAGE", "down"],
    }).read(request());

    // Assess
    expect(excluded.counts).toEqual([1, 1, 2]);
    expect(included.counts).toEqual([1, 1, 2]);
  });

  it("leaves buckets it could not reach as gaps when the page cap stops it", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true }));

    // Act
    const reading = await source(new MemorySeenItems(), { maxPages: 1 }).read(request());

    // Assess: page 1 reaches back to 03:14:59 only, so 03:10 has #6 (not a gap) and 03:05 is unread
    expect(reading.counts).toEqual([null, 1, 2]);
    expect(server.requests).toHaveLength(1);
  });

  it("keeps the newest buckets when a later page fails", async () => {
    // Prepare
    server.route(TAG_PATH, ({ query }) =>
      query.get("max_id")
        ? { status: 404, headers: JSON_TYPE, body: '{"error":"Record not found"}' }
        : { headers: JSON_TYPE, body: PAGE_1 },
    );

    // Act
    const reading = await source(new MemorySeenItems()).read(request());

    // Assess
    expect(reading.counts).toEqual([null, 1, 2]);
  });

  it("stops paging when the deadline aborts, keeping what it read", async () => {
    // Prepare: page 2 hangs; the deadline passes 300 ms into the read
    server.route(TAG_PATH, ({ query }) =>
      query.get("max_id")
        ? { headers: JSON_TYPE, body: PAGE_2, delayMs: 5_000 }
        : { headers: JSON_TYPE, body: PAGE_1 },
    );
    const started = Date.now();

    // Act
    const reading = await source(new MemorySeenItems()).read(
      request({ signal: AbortSignal.timeout(300) }),
    );

    // Assess
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reading.counts).toEqual([null, 1, 2]);
    expect(server.requests).toHaveLength(2);
  });

  it("waits as a 429's Retry-After asks, then reads", async () => {
    // Prepare
    server.route(
      TAG_PATH,
      {
        status: 429,
        headers: { ...JSON_TYPE, "retry-after": "1" },
        body: '{"error":"Too many requests"}',
      },
      timeline({ link: true }),
    );
    const started = Date.now();

    // Act
    const reading = await source(new MemorySeenItems()).read(request());

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(reading.counts).toEqual([1, 2, 2]);
  });

  it("retries a 500 and then reads", async () => {
    // Prepare
    server.route(TAG_PATH, { status: 500, body: "oops" }, timeline({ link: true }));

    // Act
    const reading = await source(new MemorySeenItems()).read(request());

    // Assess
    expect(reading.counts).toEqual([1, 2, 2]);
    expect(server.requests).toHaveLength(3);
  });

  it("fails on an HTML error page served with 200, naming the URL", async () => {
    // Prepare
    server.route(TAG_PATH, {
      headers: { "content-type": "text/html; charset=utf-8" },
      body: "<!DOCTYPE html><html><body><h1>We're sorry, but something went wrong</h1></body></html>",
    });

    // Act
    const read = source(new MemorySeenItems()).read(request());

    // Assess
    await expect(read).rejects.toThrow(/tag\/tmobile.*text\/html/);
  });

  it("fails on a cut-off page rather than counting part of it", async () => {
    // Prepare
    server.route(TAG_PATH, { headers: JSON_TYPE, body: PAGE_1, truncateAfterBytes: 2000 });
    const seen = new MemorySeenItems();

    // Act
    const read = source(seen).read(request());

    // Assess
    await expect(read).rejects.toThrow(/tag\/tmobile/);
    expect(seen.sets.size).toBe(0);
  });

  it("fails when the instance answers an error object instead of statuses", async () => {
    // Prepare: what an instance that hides its timelines from visitors answers
    server.route(TAG_PATH, {
      headers: JSON_TYPE,
      body: '{"error":"This API requires an authenticated user"}',
    });

    // Act
    const read = source(new MemorySeenItems()).read(request());

    // Assess
    await expect(read).rejects.toThrow(/This API requires an authenticated user/);
  });
});

/** Carrier classes: #9 says both "calls" and "texts", so the order decides its class. */
const CLASSES = {
  calls: ["calls", "voice"],
  texts: ["texts", "SMS"],
  "no-signal": ["no signal", "SOS", "no service"],
  "mobile-data": ["mobile data", "lte", "5g"],
};

describe("MastodonSource splitting posts by keyword class", () => {
  it("puts each counted post in the first class it mentions, and leaves the count as it was", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true }));

    // Act
    const plain = await source(new MemorySeenItems()).read(request());
    const split = await source(new MemorySeenItems(), { classes: CLASSES }).read(request());

    // Assess: 03:05 #4 "no service"; 03:10 #6 "Mobile data", #5 (an ad) in no class;
    // 03:15 #9 "Calls fail & texts won't send" is calls (first), #7 "no signal"
    expect(split.counts).toEqual(plain.counts);
    expect(split.breakdowns).toEqual([
      { "no-signal": 1 },
      { "mobile-data": 1 },
      { calls: 1, "no-signal": 1 },
    ]);
    expect(plain).not.toHaveProperty("breakdowns");
  });

  it("follows the order of the classes: with texts first, #9 is texts", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true }));
    const { texts, calls, ...others } = CLASSES;

    // Act
    const reading = await source(new MemorySeenItems(), {
      classes: { texts, calls, ...others },
    }).read(request());

    // Assess
    expect(reading.breakdowns?.[2]).toEqual({ texts: 1, "no-signal": 1 });
  });

  it("counts a post once in its class across pages and ticks, and tells the stored split on 304", async () => {
    // Prepare: page 2 repeats #6 of page 1
    server.route(TAG_PATH, timeline({ link: true, etag: 'W/"tag-v1"' }));
    const mastodon = source(new MemorySeenItems(), { classes: CLASSES });
    const first = await mastodon.read(request());

    // Act: the next tick reads the timeline afresh, the one after gets a 304
    const again = await mastodon.read(request());
    const notModified = await mastodon.read(request({ memory: first.memory ?? null }));

    // Assess
    expect(first.breakdowns?.[1]).toEqual({ "mobile-data": 1 });
    expect(again.breakdowns).toEqual(first.breakdowns);
    expect(notModified.counts).toEqual(first.counts);
    expect(notModified.breakdowns).toEqual(first.breakdowns);
  });

  it("has no split where the count is a gap", async () => {
    // Prepare
    server.route(TAG_PATH, timeline({ link: true }));

    // Act: one page reaches back to 03:14:59 only
    const reading = await source(new MemorySeenItems(), { maxPages: 1, classes: CLASSES }).read(
      request(),
    );

    // Assess
    expect(reading.counts).toEqual([null, 1, 2]);
    expect(reading.breakdowns).toEqual([null, { "mobile-data": 1 }, { calls: 1, "no-signal": 1 }]);
  });
});

describe("MastodonSource reading several hashtags at once", () => {
  /** Page 1 with #9 carrying #tmobileoutage too, as a post tagged twice comes. */
  const twiceTagged = () => {
    const statuses = JSON.parse(PAGE_1) as { id: string; tags: unknown[]; content: string }[];
    const post = statuses.find((s) => s.id === "109861234567890009");
    if (!post) throw new Error("the fixture lost post #9");
    post.tags.push({ name: "tmobileoutage", url: "https://mastodon.example/tags/tmobileoutage" });
    post.content = post.content.replace("</p>", " #tmobileoutage</p>");
    return JSON.stringify(statuses);
  };

  it("asks for the first tag's timeline with the others as any[], and counts a post of two tags once", async () => {
    // Prepare: only the request naming every tag is answered
    server.route(TAG_PATH, ({ query }) => {
      if (query.getAll("any[]").join(",") !== "tmobileoutage,tmobiledown") {
        return { status: 404, headers: JSON_TYPE, body: '{"error":"Record not found"}' };
      }
      return { headers: JSON_TYPE, body: query.get("max_id") ? PAGE_2 : twiceTagged() };
    });

    // Act
    const reading = await source(new MemorySeenItems(), {
      hashtag: undefined,
      tags: ["tmobile", "tmobileoutage", "TMobile", "tmobiledown"],
    }).read(request());

    // Assess: the same counts as #tmobile alone, from one request a page
    expect(reading.counts).toEqual([1, 2, 2]);
    expect(server.requests.map((r) => r.query)).toEqual([
      "limit=40&any[]=tmobileoutage&any[]=tmobiledown",
      "limit=40&any[]=tmobileoutage&any[]=tmobiledown&max_id=109861234567890006",
    ]);
  });

  it("puts `hashtag` first and `tags` after it", async () => {
    // Prepare
    server.route(TAG_PATH, { headers: JSON_TYPE, body: "[]" });

    // Act
    await source(new MemorySeenItems(), { hashtag: "tmobile", tags: ["t_mobile"] }).read(request());

    // Assess
    expect(server.requests[0]?.path).toBe(TAG_PATH);
    expect(server.requests[0]?.query).toBe("limit=40&any[]=t_mobile");
  });
});

describe("MastodonSource over the DynamoDB seen-items store", () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => table.close());
  afterEach(() => {
    server.requests.length = 0;
  });

  it("keeps a post counted after it drops off the timeline", async () => {
    // Prepare: the first tick sees both pages; then #4 is deleted from page 2
    const seen = new DynamoSeenItemsStore(await table.freshTable(), 90);
    server.route(TAG_PATH, timeline({ link: true }));
    const mastodon = source(seen);
    await mastodon.read(request());
    const withoutFour = (JSON.parse(PAGE_2) as { id: string }[]).filter(
      (s) => s.id !== "109861234567890004",
    );
    server.route(TAG_PATH, ({ query }) =>
      query.get("max_id")
        ? { headers: JSON_TYPE, body: JSON.stringify(withoutFour) }
        : { headers: JSON_TYPE, body: PAGE_1 },
    );

    // Act
    const reading = await mastodon.read(request());

    // Assess
    expect(reading.counts).toEqual([1, 2, 2]);
  });
});

describe("Mastodon payload helpers", () => {
  it("turns status HTML into plain text", () => {
    // Act
    const text = htmlToText(
      '<p>Calls fail &amp; texts won&#39;t send<br>in <a href="x">#<span>tmobile</span></a> &#x1F4F5;</p><p>Dallas</p>',
    );

    // Assess
    expect(text).toBe("Calls fail & texts won't send in #tmobile 📵 Dallas");
  });

  it("reads statuses, skipping entries without an id or a date", () => {
    // Act
    const statuses = parseStatuses(
      [
        { id: "1", created_at: "2023-02-14T03:00:00.000Z", content: "<p>a</p>", reblog: null },
        { id: "2", created_at: "yesterday", content: "" },
        { created_at: "2023-02-14T03:00:00.000Z", content: "" },
      ],
      "https://m.example",
    );

    // Assess
    expect(statuses).toEqual([
      { id: "1", createdAt: at("2023-02-14T03:00:00Z"), text: "a", isReblog: false },
    ]);
  });

  it("follows only a same-origin rel=next link", () => {
    // Prepare
    const header =
      '<https://m.example/api/v1/timelines/tag/x?min_id=9>; rel="prev", <https://m.example/api/v1/timelines/tag/x?max_id=3>; rel="next"';

    // Act / Assess
    expect(nextLink(header, "https://m.example")).toBe(
      "https://m.example/api/v1/timelines/tag/x?max_id=3",
    );
    expect(nextLink('<https://evil.example/x>; rel="next"', "https://m.example")).toBeNull();
    expect(nextLink('<https://m.example/x?min_id=9>; rel="prev"', "https://m.example")).toBeNull();
  });

  it("matches words whole and case-insensitively", () => {
    // Prepare
    const matches = itemFilter(["no signal", "SOS"], []);

    // Act / Assess
    expect(matches("Phone says sos only")).toBe(true);
    expect(matches("NO   SIGNAL here")).toBe(true);
    expect(matches("no signals here, sosa")).toBe(false);
  });
});

describe("MastodonSourceSchema", () => {
  it("takes several hashtags in `tags`, alone or beside `hashtag`", () => {
    // Act
    const alone = MastodonSourceSchema.safeParse({
      kind: "mastodon",
      instance: "https://mastodon.social",
      tags: ["tmobile", "tmobileoutage"],
    });
    const beside = MastodonSourceSchema.safeParse({
      kind: "mastodon",
      instance: "https://mastodon.social",
      hashtag: "tmobile",
      tags: ["TMobile", "a", "b", "c", "d"],
    });

    // Assess: `TMobile` is `tmobile` again, so five tags in all
    expect(alone.success).toBe(true);
    expect(beside.success).toBe(true);
  });

  it("fills the defaults, and what it yields builds a source", () => {
    // Act
    const parsed = MastodonSourceSchema.parse({
      kind: "mastodon",
      instance: "https://mastodon.social",
      hashtag: "tmobile",
    });

    // Assess
    expect(parsed).toEqual({
      kind: "mastodon",
      id: "mastodon",
      weight: 1,
      instance: "https://mastodon.social",
      hashtag: "tmobile",
      include: [],
      exclude: [],
      maxPages: 10,
    });
    expect(
      new MastodonSource(SERVICE, parsed, { seen: new MemorySeenItems() }, PUBLIC_ONLY).id,
    ).toBe("mastodon");
  });

  it.each([
    [{ hashtag: "#tmobile" }, /without '#'/],
    [{ hashtag: "t-mobile" }, /letters, digits and '_'/],
    [{ instance: "mastodon.social" }, /http:\/\/ or https:\/\//],
    [{ instance: "https://mastodon.social/?local=true" }, /address only/],
    [{ include: [" "] }, /empty word/],
    [{ maxPages: 0 }, /too_small|>=1/i],
    [{ id: "Mastodon" }, /lower-case/],
    [{ token: "secret" }, /unrecognized|token/i],
    [{ hashtag: undefined }, /give the hashtag to read/],
    [{ tags: [] }, /at least one hashtag/],
    [{ tags: ["#outage"] }, /without '#'/],
    [{ tags: ["a", "b", "c", "d", "e", "f"] }, /at most 5 hashtags/],
    [{ tags: ["a", "b", "c", "d", "e"] }, /at most 5 hashtags, `hashtag` and `tags` together/],
    [{ classes: { Calls: ["calls"] } }, /class id \\"Calls\\" is not valid/],
    [{ classes: { calls: [] } }, /a class with no keywords takes no post/],
    [
      { classes: { calls: ["call"], texts: ["CALL"] } },
      /'CALL' is already a keyword of the class 'calls'/,
    ],
  ])("refuses %o", (fields, message) => {
    // Act
    const result = MastodonSourceSchema.safeParse({
      kind: "mastodon",
      instance: "https://mastodon.social",
      hashtag: "tmobile",
      ...fields,
    });

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
