import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SourceMemory, SourceRequest } from "../../lambdas/domain/count-source";
import type { SeenItemsStore } from "../../lambdas/domain/ports";
import { RssSourceSchema } from "../../lambdas/sources/rss/config";
import { parseFeed, parseFeedDate } from "../../lambdas/sources/rss/payload";
import { type RssSettings, RssSource } from "../../lambdas/sources/rss/source";
import { itemFilter, keywordMatcher } from "../../lambdas/sources/text-matching";
import { DynamoSeenItemsStore } from "../../lambdas/store/seen-items-store";
import { startTestTable, type TestTable } from "../support/embedded-table";
import type { FixtureHandler } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";
import { MemorySeenItems, useFixtureServer } from "./source-harness";

const FEEDS = new URL("../fixtures/feeds/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FEEDS), "utf8");
const googleNews = fixture("google-news-search.rss");
const reddit = fixture("reddit-subreddit.atom");
const statusPage = fixture("statuspage-history.rss");
const redditRecorded = fixture("reddit-localllama.atom");
const errorPage = fixture("error-page.html");

const RSS_TYPE = { "content-type": "application/rss+xml; charset=utf-8" };
const GOOGLE_TYPE = { "content-type": "application/xml; charset=utf-8" };
const ATOM_TYPE = { "content-type": "application/atom+xml; charset=UTF-8" };

const at = (iso: string) => Date.parse(iso);
/** The tick of 03:31 UTC on 2023-02-14 reads the 5-minute buckets 03:15, 03:20 and 03:25. */
const NOW = at("2023-02-14T03:31:00Z");
const BUCKETS = [
  at("2023-02-14T03:15:00Z"),
  at("2023-02-14T03:20:00Z"),
  at("2023-02-14T03:25:00Z"),
];

function request(
  memory: SourceMemory | null = null,
  nowMs = NOW,
  buckets = BUCKETS,
): SourceRequest {
  return { buckets, bucketMinutes: 5, nowMs, signal: AbortSignal.timeout(10_000), memory };
}

const server = useFixtureServer();

function source(settings: Partial<RssSettings> & { url: string }, seen: SeenItemsStore) {
  return new RssSource(
    "t-mobile",
    { id: "news", weight: 1, include: [], exclude: [], ...settings },
    seen,
    FIXTURE_NETWORK,
  );
}

describe("RssSource: real feed formats", () => {
  it("counts matching Google News items per bucket, leaving out future and older items", async () => {
    // Prepare
    server.route("/rss/search", { headers: GOOGLE_TYPE, body: googleNews });
    const rss = source(
      {
        url: `${server.url}/rss/search?q=%22T-Mobile%22+when:1d&hl=en-US`,
        include: ["outage", "down", "no signal"],
      },
      new MemorySeenItems(),
    );

    // Act
    const reading = await rss.read(request());

    // Assess
    // 03:17 The Verge (outage) | 03:22 USA TODAY (down), 03:23 CNN (outage) | 03:26 Reuters
    // does not match; CNET at 03:42 is in the future; Fierce Wireless is from the day before.
    expect(reading.counts).toEqual([1, 2, 0]);
    expect(server.requests[0]?.query).toBe("q=%22T-Mobile%22+when:1d&hl=en-US");
  });

  it("counts a subreddit's Atom entries, by published or else updated", async () => {
    // Prepare
    server.route("/r/tmobile/new/.rss", { headers: ATOM_TYPE, body: reddit });
    const rss = source(
      {
        url: `${server.url}/r/tmobile/new/.rss`,
        include: ["down", "no signal", "SOS", "outage", "no service"],
        exclude: ["download"],
      },
      new MemorySeenItems(),
    );

    // Act
    const reading = await rss.read(request());

    // Assess
    // 03:15: "Is T-Mobile down" and "SOS only"; 03:20: the megathread ("outage"), not the
    // "Download speeds" post (excluded although it says "down"); 03:25: "Still no service"
    // (updated only), not "T-Mobile Tuesdays".
    expect(reading.counts).toEqual([2, 1, 1]);
  });

  it("counts every dated item of a vendor status feed when no keywords are set", async () => {
    // Prepare
    server.route("/history.rss", { headers: RSS_TYPE, body: statusPage });
    const rss = source({ url: `${server.url}/history.rss` }, new MemorySeenItems());

    // Act
    const reading = await rss.read(request());

    // Assess: the undated maintenance item is not counted anywhere.
    expect(reading.counts).toEqual([1, 1, 0]);
  });
});

/** The subreddit's feed with an ETag, and 304 to a request that sends it back. */
const redditWithEtag: FixtureHandler = (req) =>
  req.headers["if-none-match"] === '"feed-v1"'
    ? { status: 304, headers: { etag: '"feed-v1"' } }
    : { headers: { ...ATOM_TYPE, etag: '"feed-v1"' }, body: reddit };

describe("RssSource: no double counts", () => {
  it("counts an item once across reads, and keeps it after it drops off the feed", async () => {
    // Prepare
    const items = (guids: string[]) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${guids
        .map(
          (g) =>
            `<item><title>outage ${g}</title><guid isPermaLink="false">${g}</guid><pubDate>Tue, 14 Feb 2023 03:21:00 GMT</pubDate></item>`,
        )
        .join("")}</channel></rss>`;
    server.route(
      "/feed.rss",
      { headers: RSS_TYPE, body: items(["a", "b"]) },
      { headers: RSS_TYPE, body: items(["b", "c"]) },
    );
    const rss = source({ url: `${server.url}/feed.rss` }, new MemorySeenItems());

    // Act
    const first = await rss.read(request());
    const second = await rss.read(request());

    // Assess
    expect(first.counts).toEqual([0, 2, 0]);
    expect(second.counts).toEqual([0, 3, 0]);
  });

  it("answers from the store on 304 after an ETag round trip, over the real table", async () => {
    // Prepare
    const table: TestTable = await startTestTable();
    try {
      const seen = new DynamoSeenItemsStore(await table.freshTable(), 30);
      server.route("/r/tmobile/new/.rss", redditWithEtag);
      const rss = source(
        {
          url: `${server.url}/r/tmobile/new/.rss`,
          include: ["down", "SOS", "outage", "no service"],
          exclude: ["download"],
        },
        seen,
      );

      // Act
      const first = await rss.read(request());
      const second = await rss.read(request(first.memory ?? null));

      // Assess
      expect(first.memory).toEqual({ etag: '"feed-v1"' });
      expect(server.requests[1]?.headers["if-none-match"]).toBe('"feed-v1"');
      expect(first.counts).toEqual([2, 1, 1]);
      expect(second.counts).toEqual([2, 1, 1]);
      expect(second.memory).toEqual({ etag: '"feed-v1"' });
    } finally {
      await table.close();
    }
  });

  it("counts an Atom entry dated only by <updated> once when an edit moves it to a later bucket, over the real table", async () => {
    // Prepare: the entry at 03:18, then edited at 03:27 (same id).
    const table: TestTable = await startTestTable();
    try {
      const seen = new DynamoSeenItemsStore(await table.freshTable(), 30);
      const feed = (updated: string) =>
        `<feed xmlns="http://www.w3.org/2005/Atom"><title>Status</title><entry><id>tag:status,2023:1</id><title>Outage: no signal</title><updated>${updated}</updated></entry></feed>`;
      let version = feed("2023-02-14T03:18:00Z");
      server.route("/status.atom", () => ({ headers: ATOM_TYPE, body: version }));
      const rss = source({ url: `${server.url}/status.atom`, include: ["outage"] }, seen);

      // Act
      const before = await rss.read(request());
      version = feed("2023-02-14T03:27:00Z");
      const after = await rss.read(request());

      // Assess
      expect(before.counts).toEqual([1, 0, 0]);
      expect(after.counts).toEqual([1, 0, 0]);
    } finally {
      await table.close();
    }
  });

  it("counts an item from the future once its bucket has closed", async () => {
    // Prepare
    server.route("/rss/search", { headers: GOOGLE_TYPE, body: googleNews });
    const rss = source(
      { url: `${server.url}/rss/search`, include: ["bill credit"] },
      new MemorySeenItems(),
    );
    const later = [
      at("2023-02-14T03:35:00Z"),
      at("2023-02-14T03:40:00Z"),
      at("2023-02-14T03:45:00Z"),
    ];

    // Act
    const early = await rss.read(request(null, at("2023-02-14T03:41:00Z"), later));
    const onTime = await rss.read(request(null, at("2023-02-14T03:51:00Z"), later));

    // Assess: CNET's 03:42 item is in the future at 03:41, and in the 03:40 bucket at 03:51.
    expect(early.counts).toEqual([0, 0, 0]);
    expect(onTime.counts).toEqual([0, 1, 0]);
  });
});

describe("RssSource: keyword classes", () => {
  const subreddit = {
    include: ["down", "no signal", "SOS", "outage", "no service"],
    exclude: ["download"],
  };
  /** "SOS only" says "No signal" and "Wi-Fi calling": no-signal comes first. */
  const classes = { "no-signal": ["no signal", "SOS", "no service"], calls: ["calling", "calls"] };

  it("puts each counted entry in the first class it mentions, and leaves the count as it was", async () => {
    // Prepare
    server.route("/r/tmobile/new/.rss", { headers: ATOM_TYPE, body: reddit });
    const url = `${server.url}/r/tmobile/new/.rss`;

    // Act
    const plain = await source({ url, ...subreddit }, new MemorySeenItems()).read(request());
    const split = await source({ url, ...subreddit, classes }, new MemorySeenItems()).read(
      request(),
    );

    // Assess: 03:15 "SOS only in Chicago" and "No signal … Wi-Fi calling"; 03:20 the
    // megathread, in no class; 03:25 "Still no service"
    expect(split.counts).toEqual(plain.counts);
    expect(split.breakdowns).toEqual([{ "no-signal": 2 }, {}, { "no-signal": 1 }]);
    expect(plain).not.toHaveProperty("breakdowns");
  });

  it("follows the order of the classes: with calls first, the Wi-Fi calling entry is calls", async () => {
    // Prepare
    server.route("/r/tmobile/new/.rss", { headers: ATOM_TYPE, body: reddit });
    const { calls, ...others } = classes;
    const rss = source(
      { url: `${server.url}/r/tmobile/new/.rss`, ...subreddit, classes: { calls, ...others } },
      new MemorySeenItems(),
    );

    // Act
    const reading = await rss.read(request());

    // Assess
    expect(reading.breakdowns?.[0]).toEqual({ calls: 1, "no-signal": 1 });
  });

  it("tells the stored split on 304, each entry once in its class, over the real table", async () => {
    // Prepare
    const table: TestTable = await startTestTable();
    try {
      const seen = new DynamoSeenItemsStore(await table.freshTable(), 30);
      server.route("/r/tmobile/new/.rss", redditWithEtag);
      const rss = source({ url: `${server.url}/r/tmobile/new/.rss`, ...subreddit, classes }, seen);

      // Act: a fresh read, the same feed again, then a 304
      const first = await rss.read(request());
      const again = await rss.read(request());
      const notModified = await rss.read(request(first.memory ?? null));

      // Assess
      expect(first.breakdowns).toEqual([{ "no-signal": 2 }, {}, { "no-signal": 1 }]);
      expect(again.breakdowns).toEqual(first.breakdowns);
      expect(notModified.counts).toEqual([2, 1, 1]);
      expect(notModified.breakdowns).toEqual(first.breakdowns);
    } finally {
      await table.close();
    }
  });
});

describe("RssSource: broken feeds", () => {
  it("fails naming the URL when the XML is cut short", async () => {
    // Prepare
    server.route("/history.rss", { headers: RSS_TYPE, body: statusPage.slice(0, 900) });
    const rss = source({ url: `${server.url}/history.rss` }, new MemorySeenItems());

    // Act / Assess
    await expect(rss.read(request())).rejects.toThrow(
      new RegExp(`${server.url}/history\\.rss returned a body that is not valid RSS or Atom`),
    );
  });

  it("fails naming the URL when the connection drops mid-feed", async () => {
    // Prepare
    server.route("/history.rss", { headers: RSS_TYPE, body: statusPage, truncateAfterBytes: 500 });
    const rss = source({ url: `${server.url}/history.rss` }, new MemorySeenItems());

    // Act / Assess
    await expect(rss.read(request())).rejects.toThrow(/history\.rss failed while reading the body/);
  });

  it("rejects an HTML error page served with 200", async () => {
    // Prepare
    server.route("/rss/search", { headers: { "content-type": "text/html" }, body: errorPage });
    const rss = source({ url: `${server.url}/rss/search` }, new MemorySeenItems());

    // Act / Assess
    await expect(rss.read(request())).rejects.toThrow(/Content-Type text\/html, but an XML feed/);
  });

  it("rejects well-formed XML that is neither RSS nor Atom", async () => {
    // Prepare
    server.route("/sitemap.xml", {
      headers: { "content-type": "application/xml" },
      body: '<?xml version="1.0"?><urlset><url><loc>https://example.com/</loc></url></urlset>',
    });
    const rss = source({ url: `${server.url}/sitemap.xml` }, new MemorySeenItems());

    // Act / Assess
    await expect(rss.read(request())).rejects.toThrow(
      /root element is <urlset>, not <rss> or <feed>/,
    );
  });

  it("refuses entity declarations instead of expanding them", async () => {
    // Prepare
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "outage outage outage"><!ENTITY b "&a;&a;&a;&a;">]><rss version="2.0"><channel><item><title>&b;</title><guid>1</guid><pubDate>Tue, 14 Feb 2023 03:21:00 GMT</pubDate></item></channel></rss>`;
    server.route("/bomb.rss", { headers: RSS_TYPE, body: bomb });
    const rss = source({ url: `${server.url}/bomb.rss` }, new MemorySeenItems());

    // Act / Assess
    await expect(rss.read(request())).rejects.toThrow(/declares XML entities/);
  });

  it("rejects a feed over the source's maxBytes", async () => {
    // Prepare
    server.route("/rss/search", { headers: GOOGLE_TYPE, body: googleNews });
    const rss = source({ url: `${server.url}/rss/search`, maxBytes: 1_000 }, new MemorySeenItems());

    // Act / Assess
    await expect(rss.read(request())).rejects.toThrow(/more than the 1000-byte limit/);
  });
});

describe("parseFeed", () => {
  it("reads CDATA bodies, Atom xhtml content and RSS 1.0 items", () => {
    // Prepare
    const cdata = `<rss version="2.0"><channel><item><title><![CDATA[Outage at <b>AT&T</b>]]></title><description><![CDATA[<p>Calls &amp; texts failing</p>]]></description><link>https://example.com/a</link><pubDate>Tue, 14 Feb 2023 03:21:00 +0000</pubDate></item></channel></rss>`;
    const xhtml = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:uuid:1</id><title type="text">Status</title><updated>2023-02-14T03:21:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>No <em>signal</em> in Denver</p></div></content></entry><entry><id>urn:uuid:2</id><title>Update</title><updated>2023-02-14T03:22:00Z</updated><summary type="html"><![CDATA[<p>Calls <b>failing</b></p>]]></summary></entry></feed>`;
    const rdf = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://example.com/"><title>x</title></channel><item rdf:about="https://example.com/1"><title>Down again</title><link>https://example.com/1</link><dc:date>2023-02-14T03:21:00Z</dc:date></item></rdf:RDF>`;

    // Act
    const [rssItem] = parseFeed(cdata, "https://example.com/cdata.rss");
    const [atomItem, cdataEntry] = parseFeed(xhtml, "https://example.com/xhtml.atom");
    const [rdfItem] = parseFeed(rdf, "https://example.com/rdf.rss");

    // Assess
    expect(rssItem).toEqual({
      id: "https://example.com/a",
      at: at("2023-02-14T03:21:00Z"),
      text: "Outage at AT&T Calls & texts failing",
    });
    expect(atomItem?.text).toBe("Status No signal in Denver");
    expect(atomItem?.id).toBe("urn:uuid:1");
    expect(cdataEntry?.text).toBe("Update Calls failing");
    expect(rdfItem).toEqual({
      id: "https://example.com/1",
      at: at("2023-02-14T03:21:00Z"),
      text: "Down again",
    });
  });

  it("reads RFC 822 and ISO dates, and dates without a zone as UTC", () => {
    const expected = at("2023-02-14T03:21:00Z");
    expect(parseFeedDate("Tue, 14 Feb 2023 03:21:00 GMT")).toBe(expected);
    expect(parseFeedDate("Tue, 14 Feb 2023 03:21:00 +0000")).toBe(expected);
    expect(parseFeedDate("Mon, 13 Feb 2023 22:21:00 EST")).toBe(expected);
    expect(parseFeedDate("Mon, 13 Feb 2023 22:21:00 -0500")).toBe(expected);
    expect(parseFeedDate("Tue, 14 Feb 2023 03:21:00")).toBe(expected);
    expect(parseFeedDate("2023-02-13T22:21:00-05:00")).toBe(expected);
    expect(parseFeedDate("2023-02-14 03:21:00")).toBe(expected);
    expect(parseFeedDate("yesterday")).toBeNull();
  });
});

describe("keyword matching", () => {
  it("matches whole words in any case", () => {
    const down = keywordMatcher("down");
    expect(down("Is T-Mobile DOWN?")).toBe(true);
    expect(down("down.")).toBe(true);
    expect(down("Download speeds")).toBe(false);
    expect(down("a slowdown tonight")).toBe(false);
  });

  it("matches names with symbols, hyphens and accents as written", () => {
    expect(keywordMatcher("AT&T")("Verizon and at&t customers")).toBe(true);
    expect(keywordMatcher("AT&T")("AT&Tx store")).toBe(false);
    expect(keywordMatcher("at")("AT&T")).toBe(true);
    expect(keywordMatcher("at")("Batman")).toBe(false);
    expect(keywordMatcher("T-Mobile")("t-mobile outage")).toBe(true);
    expect(keywordMatcher("T-Mobile")("T Mobile outage")).toBe(false);
    expect(keywordMatcher("T-Mobile")("T\u2011Mobile outage")).toBe(true);
    expect(keywordMatcher("Verizon's")("Verizon\u2019s network")).toBe(true);
    expect(keywordMatcher("Telefónica")("caída de TELEFÓNICA hoy")).toBe(true);
    // The same word written with a combining accent (NFD) still matches.
    expect(keywordMatcher("Telefónica")("caída de Telefo\u0301nica")).toBe(true);
    expect(keywordMatcher("Telef")("Telefónica")).toBe(false);
    expect(keywordMatcher("panne")("grosse panne chez Orange")).toBe(true);
    expect(keywordMatcher("panne")("dépanneur")).toBe(false);
  });

  it("matches phrases across any whitespace", () => {
    const noSignal = keywordMatcher("no signal");
    expect(noSignal("No\n  signal since 10:15")).toBe(true);
    expect(noSignal("no signals")).toBe(false);
  });

  it("lets an exclude keyword win over an include", () => {
    const counts = itemFilter(["outage"], ["T-Mobile Tuesdays"]);
    expect(counts("Outage tonight")).toBe(true);
    expect(counts("T-Mobile Tuesdays outage giveaway")).toBe(false);
    expect(counts("Nothing relevant")).toBe(false);
    expect(itemFilter([], [])("anything")).toBe(true);
    expect(itemFilter([], ["ad"])("an ad")).toBe(false);
  });
});

describe("RssSource: a subreddit with a descriptive User-Agent", () => {
  it("counts a recorded subreddit feed's entries and names itself as Reddit asks", async () => {
    // Prepare: the tick of 07:11 reads 06:55, 07:00 and 07:05 on 2025-09-30
    server.route("/r/LocalLLaMA/new/.rss", { headers: ATOM_TYPE, body: redditRecorded });
    const rss = source(
      {
        url: `${server.url}/r/LocalLLaMA/new/.rss`,
        userAgent: "aws:outcry:0.1 (by /u/outcry_ops)",
      },
      new MemorySeenItems(),
    );
    const buckets = ["06:55", "07:00", "07:05"].map((t) => at(`2025-09-30T${t}:00Z`));

    // Act
    const reading = await rss.read(request(null, at("2025-09-30T07:11:00Z"), buckets));

    // Assess: 07:02:12 (GLM-4.6 beats…) and 07:09:51 (z.ai glm-4.6…); the 20:03 entry is
    // after the tick, the one of the day before outside the window
    expect(reading.counts).toEqual([0, 1, 1]);
    expect(server.requests[0]?.headers["user-agent"]).toBe("aws:outcry:0.1 (by /u/outcry_ops)");
  });

  it("sends outcry's own User-Agent when none is configured", async () => {
    // Prepare
    server.route("/r/LocalLLaMA/new/.rss", { headers: ATOM_TYPE, body: redditRecorded });

    // Act
    await source({ url: `${server.url}/r/LocalLLaMA/new/.rss` }, new MemorySeenItems()).read(
      request(),
    );

    // Assess
    expect(server.requests[0]?.headers["user-agent"]).toMatch(/^outcry\//);
  });

  it("refuses a User-Agent that is not one printable line", () => {
    // Act
    const result = RssSourceSchema.safeParse({
      kind: "rss",
      url: "https://www.reddit.com/r/tmobile/new/.rss",
      userAgent: "aws:outcry:0.1\r\nX-Injected: 1",
    });

    // Assess
    expect(result.error?.issues[0]?.path).toEqual(["userAgent"]);
    expect(result.error?.issues[0]?.message).toMatch(/printable ASCII only/);
  });
});

describe("RssSourceSchema", () => {
  it("fills defaults for a minimal source", () => {
    const parsed = RssSourceSchema.parse({
      kind: "rss",
      url: "https://www.reddit.com/r/tmobile/new/.rss",
    });
    expect(parsed).toEqual({
      kind: "rss",
      id: "rss",
      weight: 1,
      url: "https://www.reddit.com/r/tmobile/new/.rss",
      include: [],
      exclude: [],
    });
  });

  it("rejects what a user could get wrong, saying how to fix it", () => {
    const problems = (input: unknown) => {
      const result = RssSourceSchema.safeParse(input);
      return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(problems({ kind: "rss", url: "ftp://example.com/feed" })[0]).toMatch(
      /^url: use an absolute http:\/\/ or https:\/\/ address, e\.g\. .https:\/\/news\.google\.com/,
    );
    expect(problems({ kind: "rss", url: "news.google.com/rss" })[0]).toMatch(/^url:/);
    expect(problems({ kind: "rss", url: "https://x.test/f", include: [""] })[0]).toMatch(
      /^include\.0:/,
    );
    expect(
      problems({ kind: "rss", url: "https://x.test/f", include: ["a".repeat(81)] }),
    ).toHaveLength(1);
    expect(
      problems({
        kind: "rss",
        url: "https://x.test/f",
        exclude: Array.from({ length: 51 }, (_, i) => `k${i}`),
      })[0],
    ).toMatch(/^exclude: .*at most 50/);
    expect(problems({ kind: "rss", url: "https://x.test/f", id: "Bad Id" })[0]).toMatch(/^id:/);
    expect(problems({ kind: "rss", url: "https://x.test/f", weight: 0 })[0]).toMatch(/^weight:/);
    expect(problems({ kind: "rss", url: "https://x.test/f", keywords: ["x"] })[0]).toMatch(
      /keywords/,
    );
    expect(problems({ kind: "rss", url: "https://x.test/f", classes: { calls: [""] } })[0]).toMatch(
      /^classes\.calls\.0: an empty keyword matches nothing/,
    );
    expect(
      problems({ kind: "rss", url: "https://x.test/f", classes: { "4g": ["lte"] } })[0],
    ).toMatch(/^classes\.4g: the class id "4g" is not valid/);
  });
});
