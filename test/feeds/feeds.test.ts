/**
 * The followers' feeds through real HTTP requests to a local runtime holding the seed
 * story, read by a real feed reader's parser (@extractus/feed-extractor) and checked for
 * well-formed XML (fast-xml-parser): the elements RFC 4287 and the fields JSON Feed 1.1
 * require, permanent ids, an updated time and an ETag that move when the incident does,
 * 304 on If-None-Match, hostile service names, and 404 for an unknown service.
 */
import { extractFromJson, extractFromXml } from "@extractus/feed-extractor";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import {
  SEED_NOW,
  SEED_SERVICES,
  type SeededRuntime,
  startSeededRuntime,
} from "../support/seeded-runtime";

/** Markup, a CDATA end and C0 controls, as a config or a third party might hand them over. */
const HOSTILE_NAME = 'AT<&T "]]> \u0001\u0008\u000bend';

let seeded: SeededRuntime;

beforeAll(async () => {
  seeded = await startSeededRuntime({
    services: SEED_SERVICES.map((service) =>
      service.id === "att" ? { ...service, name: HOSTILE_NAME } : service,
    ),
  });
}, 60_000);
afterAll(async () => seeded?.stop());

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${seeded.url}${path}`, { headers });
  return { response, text: await response.text() };
}

type AtomFeed = { feed: Record<string, unknown> & { entry?: unknown } };
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
function entries(feed: AtomFeed["feed"]): Record<string, unknown>[] {
  const entry = feed.entry;
  return entry === undefined
    ? []
    : Array.isArray(entry)
      ? entry
      : [entry as Record<string, unknown>];
}

describe("GET /feed.atom", () => {
  it("is a well-formed Atom 1.0 feed with the elements RFC 4287 requires", async () => {
    // Act
    const { response, text } = await get("/feed.atom");

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(XMLValidator.validate(text)).toBe(true);
    const { feed } = parser.parse(text) as AtomFeed;
    expect(feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
    for (const required of ["id", "title", "updated", "author"])
      expect(feed).toHaveProperty(required);
    expect(feed.id).toBe("urn:outcry:feed");
    const links = [feed.link].flat() as Record<string, string>[];
    expect(links.find((link) => link["@rel"] === "self")?.["@href"]).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/feed\.atom$/,
    );
    const items = entries(feed);
    expect(items.length).toBeGreaterThan(0);
    for (const entry of items) {
      for (const required of ["id", "title", "updated", "published", "content"]) {
        expect(entry).toHaveProperty(required);
      }
      expect(entry.id).toMatch(/^urn:outcry:incident:/);
      expect(Date.parse(String(entry.updated))).toBeGreaterThanOrEqual(
        Date.parse(String(entry.published)),
      );
    }
    expect(feed.updated).toBe([...items.map((e) => String(e.updated))].sort().at(-1));
    // A feed reader reads it: the T-Mobile incident by its permanent id, with its subject.
    const read = extractFromXml(text);
    const tmobile = read.entries?.find((e) => e.id.startsWith("urn:outcry:incident:t-mobile-"));
    expect(tmobile?.title).toMatch(/T-Mobile/);
    expect(tmobile?.description).toBeTruthy();
    expect(items.map((e) => [e.link].flat()[0])).toContainEqual(
      expect.objectContaining({ "@href": expect.stringMatching(/\/#\/incident\/t-mobile-/) }),
    );
  });

  it("answers 304 to a client holding its ETag", async () => {
    // Arrange
    const first = await get("/feed.atom");
    const etag = first.response.headers.get("etag") ?? "";

    // Act
    const again = await get("/feed.atom", { "if-none-match": etag });

    // Assess
    expect(etag).toMatch(/^"/);
    expect(again.response.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("keeps a hostile service name well-formed, its markup escaped and its controls gone", async () => {
    // Act
    const { response, text } = await get("/services/att/feed.atom");
    const badge = await get("/badge/att.svg");

    // Assess
    expect(response.status).toBe(200);
    expect(XMLValidator.validate(text)).toBe(true);
    expect(text).toContain("AT&lt;&amp;T &quot;]]&gt; end");
    expect(XMLValidator.validate(badge.text)).toBe(true);
    expect(badge.text).toContain("<title>AT&lt;&amp;T &quot;]]&gt; end: ");
    for (const control of ["\u0001", "\u0008", "\u000b"]) expect(badge.text).not.toContain(control);
  });

  it("answers 404 problem details for an unknown service", async () => {
    for (const path of [
      "/services/nope/feed.atom",
      "/services/nope/feed.json",
      "/badge/nope.svg",
      "/badge/nope.json",
    ]) {
      // Act
      const { response, text } = await get(path);

      // Assess
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(JSON.parse(text).detail).toContain('"nope"');
    }
  });
});

describe("GET /feed.json", () => {
  it("is a JSON Feed 1.1 with the fields its spec requires, the same entries as the Atom feed", async () => {
    // Act
    const { response, text } = await get("/services/t-mobile/feed.json");
    const atom = await get("/services/t-mobile/feed.atom");

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
    const body = JSON.parse(text);
    expect(body.version).toBe("https://jsonfeed.org/version/1.1");
    expect(typeof body.title).toBe("string");
    expect(body.feed_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/t-mobile\/feed\.json$/);
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) {
      expect(typeof item.id).toBe("string");
      expect(typeof item.content_text).toBe("string");
    }
    const read = extractFromJson(body);
    const fromAtom = extractFromXml(atom.text);
    expect(read.entries?.map((e) => e.title)).toEqual(fromAtom.entries?.map((e) => e.title));
  });
});

describe("a changing incident", () => {
  it("moves its entry's updated time and the feed's ETag, and keeps its id", async () => {
    // Arrange
    const before = await get("/services/t-mobile/feed.json");
    const [entryBefore] = JSON.parse(before.text).items;

    // Act: two hours of ticks, in which the falling T-Mobile incident falls off further.
    for (let step = 1; step <= 24; step++) {
      seeded.setNow(SEED_NOW + step * 5 * MINUTE_MS);
      await seeded.runtime.tick();
    }
    const after = await get("/services/t-mobile/feed.json");

    // Assess
    const entryAfter = JSON.parse(after.text).items.find(
      (item: { id: string }) => item.id === entryBefore.id,
    );
    expect(entryAfter).toBeDefined();
    expect(Date.parse(entryAfter.date_modified)).toBeGreaterThan(
      Date.parse(entryBefore.date_modified),
    );
    expect(after.response.headers.get("etag")).not.toBe(before.response.headers.get("etag"));
    const stale = await get("/services/t-mobile/feed.json", {
      "if-none-match": before.response.headers.get("etag") ?? "",
    });
    expect(stale.response.status).toBe(200);
  }, 120_000);
});
