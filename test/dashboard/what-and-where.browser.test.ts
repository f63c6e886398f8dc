/**
 * The "what" bar and the map, in headless Chromium against the local runtime: a day of the
 * seed story in which T-Mobile's crowd reports (a US service) told their problem kinds and
 * states during the outage, with Vermont at 4 reports (under the k-anonymity floor of 5)
 * and New York at exactly 5, and a world service whose reports told their countries but
 * no kinds. The page shows exactly the regions the API shows, never Vermont; the atlas is
 * fetched once, only by pages that draw a map; desktop and phone screenshots are painted.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";
import { launchChromium, type PageProblems, watchProblems } from "./browser";

const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 900 },
  locale: "en-US",
  timezoneId: "America/New_York",
};
const PHONE: BrowserContextOptions = {
  ...DESKTOP,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/** Twelve buckets from 02:30 (9:30 p.m. ET): inside the T-Mobile incident's first hours. */
const FIRST_SEEDED = parseIso("2023-02-14T02:30:00Z");
const BUCKETS = Array.from({ length: 12 }, (_, i) => FIRST_SEEDED + i * 5 * MINUTE_MS);

/** T-Mobile's reports by kind over the span: texts and total outage are too thin to slice. */
const KINDS = { "no-signal": 48, "mobile-data": 24, calls: 12, texts: 2, "total-outage": 1 };
/** …and by state: Vermont's 4 and Wyoming's 2 are only ever "other states". */
const STATES = { "US-TX": 40, "US-FL": 25, "US-CA": 12, "US-NY": 5, "US-VT": 4, "US-WY": 2 };
/** The world service's reports by country (no kinds). */
const COUNTRIES = { DE: 30, FR: 12, BR: 6, JP: 3 };

/** `totals` spread over the buckets one report at a time, as reports arrive. */
function spread(totals: Record<string, number>): Record<string, number>[] {
  const splits: Record<string, number>[] = BUCKETS.map(() => ({}));
  let i = 0;
  for (const [key, total] of Object.entries(totals)) {
    for (let n = 0; n < total; n++, i++) {
      const split = splits[i % splits.length] as Record<string, number>;
      split[key] = (split[key] ?? 0) + 1;
    }
  }
  return splits;
}

const sum = (split: Record<string, number>) => Object.values(split).reduce((a, b) => a + b, 0);

let seeded: SeededRuntime;
let browser: Browser;
let shots: string;
/** The problems of every page the current test opened. */
let problems: PageProblems[] = [];
/** The atlas requests every page made, by path. */
let atlasRequests: string[] = [];

beforeAll(async () => {
  [seeded, browser, shots] = await Promise.all([
    startSeededRuntime({
      services: [
        { id: "t-mobile", name: "T-Mobile", category: "carrier", column: "t-mobile" },
        { id: "globe", name: "Globe Chat", category: "app", column: "verizon" },
        { id: "att", name: "AT&T", category: "carrier", column: "att" },
      ],
      configure: (config) => ({
        ...config,
        services: config.services.map((s) => ({ ...s, area: s.id === "globe" ? "world" : "us" })),
      }),
    }),
    launchChromium(120_000),
    mkdtemp(join(tmpdir(), "outcry-map-shots-")),
  ]);
  // The crowd reports' splits, as collect stores them, straight into the runtime's store.
  const client = createDocumentClient({ endpoint: seeded.runtime.storeEndpoint });
  const series = new DynamoSeriesStore(
    { client, tableName: "outcry" },
    seeded.config.retentionDays,
  );
  const kinds = spread(KINDS);
  const states = spread(STATES);
  const countries = spread(COUNTRIES);
  await Promise.all(
    BUCKETS.flatMap((at, i) => {
      const byKind = kinds[i] ?? {};
      const byState = states[i] ?? {};
      const byCountry = countries[i] ?? {};
      return [
        series.putCount(
          "t-mobile",
          "reports",
          at,
          Math.max(sum(byKind), sum(byState)),
          byKind,
          byState,
        ),
        series.putCount("globe", "reports", at, sum(byCountry), undefined, byCountry),
      ];
    }),
  );
  client.destroy();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
  await rm(shots, { recursive: true, force: true });
});

afterEach(() => {
  // Every page of every test: nothing logged as an error, blocked, or injected.
  expect(problems.flatMap((p) => p.list)).toEqual([]);
  problems = [];
  atlasRequests = [];
});

/** Opens the dashboard at `hash` and waits until its data (and any map) is shown. */
async function open(hash: string, options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  problems.push(await watchProblems(page));
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/atlas/")) atlasRequests.push(path);
  });
  await page.goto(`${seeded.url}/${hash}`);
  await page.waitForSelector("main[data-loaded]");
  return page;
}

/** The regions table's rows: name, reports, share. */
async function tableRows(page: Page, section: string) {
  return page
    .locator(`${section} table tbody tr`)
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.children).map((cell) => cell.textContent ?? "")),
    );
}

/** The codes of the filled shapes, and how many shapes the map has. */
async function mapShapes(page: Page, section: string) {
  return page.locator(`${section} svg.map`).evaluate((map) => {
    const shapes = Array.from(map.querySelectorAll("path.region"));
    return {
      shapes: shapes.length,
      filled: shapes
        .filter((s) => /\bfill-\d\b/.test(s.getAttribute("class") ?? ""))
        .map((s) => s.getAttribute("data-region"))
        .sort(),
    };
  });
}

/**
 * Paint of a PNG screenshot, decoded by a blank page's canvas: the share of pixels that are
 * not the page's background, and how many are the darkest map fill (#b30000).
 */
async function paintOf(page: Page, png: Buffer) {
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d") as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      let darkest = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b] = [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0];
        if (Math.abs(r - 0xf4) + Math.abs(g - 0xf4) + Math.abs(b - 0xf1) > 24) painted++;
        if (Math.abs(r - 0xb3) < 12 && g < 16 && b < 16) darkest++;
      }
      return { share: painted / (pixels.length / 4), darkest, width: canvas.width };
    }, png.toString("base64"));
  } finally {
    await blank.close();
  }
}

const SERVICE_MAP = 'section[aria-labelledby="where-heading"]';
const SERVICE_BAR = 'section[aria-labelledby="problems-heading"]';
const SHOWN_STATES = [
  ["Texas", "40", "45%"],
  ["Florida", "25", "28%"],
  ["California", "12", "14%"],
  ["New York", "5", "6%"],
  ["Other states (fewer than 5 reports each)", "6", "7%"],
];

describe("what and where", () => {
  it("serves the atlases as cacheable JSON with the headers of every answer", async () => {
    // Act
    const first = await fetch(`${seeded.url}/atlas/us.json`, {
      headers: { "accept-encoding": "gzip" },
    });
    const body = await first.json();
    const again = await fetch(`${seeded.url}/atlas/us.json`, {
      headers: { "if-none-match": first.headers.get("etag") ?? "" },
    });
    const world = await fetch(`${seeded.url}/atlas/world.json`);
    const unknown = await fetch(`${seeded.url}/atlas/mars.json`);

    // Assess
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^application\/json/);
    expect(first.headers.get("content-encoding")).toBe("gzip");
    expect(first.headers.get("cache-control")).toBe("public, max-age=300");
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("strict-transport-security")).toMatch(/max-age=/);
    expect(body.type).toBe("Topology");
    expect(body.objects.states.geometries).toHaveLength(51);
    expect(again.status).toBe(304);
    expect((await world.json()).objects.countries.geometries.length).toBeGreaterThan(150);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
  });

  it("maps a US service's states and lists exactly the shown ones in its table", async () => {
    // Prepare: the API holds Vermont back (4 reports) and names New York (5)
    const mix = (await (await fetch(`${seeded.url}/services/t-mobile/series`)).json()).mix;
    expect(mix.regions).toEqual({ "US-TX": 40, "US-FL": 25, "US-CA": 12, "US-NY": 5 });
    expect(mix.otherRegions).toBe(6);

    // Act
    const page = await open("#/service/t-mobile");

    // Assess: the map draws every state and fills exactly the shown ones
    const map = await mapShapes(page, SERVICE_MAP);
    expect(map.shapes).toBe(51);
    expect(map.filled).toEqual(["US-CA", "US-FL", "US-NY", "US-TX"]);
    const texas = page.locator(`${SERVICE_MAP} path[data-region="US-TX"]`);
    expect(await texas.getAttribute("class")).toBe("region fill-4");
    expect(await texas.locator("title").textContent()).toBe("Texas: 40 reports (45%)");
    expect(await page.locator(`${SERVICE_MAP} .map-caption`).textContent()).toMatch(
      /^Map of reports by state in the last 24 hours/,
    );

    // ...and the table, its equivalent, says the same in words, reachable by keyboard
    expect(await tableRows(page, SERVICE_MAP)).toEqual(SHOWN_STATES);
    const table = page.getByRole("table", { name: "Reports by state in the last 24 hours" });
    expect(await table.locator("thead th[scope=col]").allTextContents()).toEqual([
      "State",
      "Reports",
      "Share",
    ]);
    expect(await table.locator("tbody th[scope=row]").count()).toBe(5);
    const region = page.getByRole("region", { name: "Reports by state in the last 24 hours" });
    await region.focus();
    expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(atlasRequests).toEqual(["/atlas/us.json"]);
  });

  it("never shows a region with 4 reports: no row, no fill, no words beyond any empty state's", async () => {
    // Act
    const page = await open("#/service/t-mobile");

    // Assess: Vermont's shape reads exactly like Ohio's, which had no report at all
    const vermont = page.locator(`${SERVICE_MAP} path[data-region="US-VT"]`);
    const ohio = page.locator(`${SERVICE_MAP} path[data-region="US-OH"]`);
    expect(await vermont.getAttribute("class")).toBe("region no-data");
    expect(await ohio.getAttribute("class")).toBe("region no-data");
    expect(await vermont.locator("title").textContent()).toBe("Vermont: no count shown");
    expect(await ohio.locator("title").textContent()).toBe("Ohio: no count shown");
    // Nowhere else on the page: not in its text, not in the table, not in an attribute
    const mentions = await page.evaluate(() => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // The page's own script lists every state: it is code, not text the page shows.
        if (node.parentElement?.tagName === "SCRIPT") continue;
        if (/Vermont/.test(node.textContent ?? "")) found.push(node.textContent ?? "");
      }
      // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees is the point
      return { text: found, visible: document.body.innerText.includes("Vermont") };
    });
    expect(mentions).toEqual({ text: ["Vermont: no count shown"], visible: false });
    expect(await page.locator(`${SERVICE_MAP} table [data-region="US-VT"]`).count()).toBe(0);
    expect(await page.locator('[data-region="US-VT"]:not(path.no-data)').count()).toBe(0);
  });

  it("shows the problem kinds as one bar with a legend, largest first, thin ones as Other", async () => {
    // Act
    const page = await open("#/service/t-mobile");

    // Assess: the legend is the bar's text, in order; the bar is hidden from screen readers
    expect(await page.locator(`${SERVICE_BAR} .problem-legend li`).allTextContents()).toEqual([
      "No signal 55% (48 reports)",
      "Mobile data 28% (24 reports)",
      "Calls 14% (12 reports)",
      "Other 3% (3 reports)",
    ]);
    expect(await page.locator(`${SERVICE_BAR} h2`).textContent()).toBe(
      "Most reported problems in the last 24 hours",
    );
    expect(await page.locator(`${SERVICE_BAR} .problem-bar`).getAttribute("aria-hidden")).toBe(
      "true",
    );
    const widths = await page
      .locator(`${SERVICE_BAR} .problem-bar .slice`)
      .evaluateAll((slices) => slices.map((s) => s.getBoundingClientRect().width));
    expect(widths).toHaveLength(4);
    // Drawn in proportion: no signal is twice mobile data, which is twice calls
    expect((widths[0] ?? 0) / (widths[1] ?? 1)).toBeCloseTo(2, 0);
    expect((widths[1] ?? 0) / (widths[2] ?? 1)).toBeCloseTo(2, 0);
  });

  it("shows the incident's bar and map, and fetches the atlas once for both pages", async () => {
    // Act: the service page, then its incident
    const page = await open("#/service/t-mobile");
    await page.locator(".incident-list a").first().click();
    await page.waitForSelector('main[data-route*="incident"][data-loaded]');
    const where = 'section[aria-labelledby="incident-where-heading"]';
    await page.waitForSelector(`${where} svg.map`);

    // Assess
    expect((await mapShapes(page, where)).filled).toEqual(["US-CA", "US-FL", "US-NY", "US-TX"]);
    expect(await tableRows(page, where)).toEqual(SHOWN_STATES);
    expect(
      await page
        .locator('section[aria-labelledby="incident-problems-heading"] .problem-share')
        .allTextContents(),
    ).toEqual(["55%", "28%", "14%", "3%"]);
    expect(atlasRequests).toEqual(["/atlas/us.json"]);
  });

  it("draws a world service's countries, with no bar when no report told its kind", async () => {
    // Act
    const page = await open("#/service/globe");

    // Assess
    const map = await mapShapes(page, SERVICE_MAP);
    expect(map.shapes).toBeGreaterThan(150);
    expect(map.filled).toEqual(["BR", "DE", "FR"]);
    expect(await tableRows(page, SERVICE_MAP)).toEqual([
      ["Germany", "30", "59%"],
      ["France", "12", "24%"],
      ["Brazil", "6", "12%"],
      ["Other countries (fewer than 5 reports each)", "3", "6%"],
    ]);
    expect(await page.locator("path.map-sphere").count()).toBe(1);
    expect(await page.locator(SERVICE_BAR).isHidden()).toBe(true);
    expect(atlasRequests).toEqual(["/atlas/world.json"]);
  });

  it("shows neither, and fetches no atlas, for a service whose reports told nothing", async () => {
    // Act
    const page = await open("#/service/att");

    // Assess
    expect(await page.locator(SERVICE_MAP).isHidden()).toBe(true);
    expect(await page.locator(SERVICE_BAR).isHidden()).toBe(true);
    expect(atlasRequests).toEqual([]);
  });

  it.each([
    ["desktop", DESKTOP, 1280],
    ["phone", PHONE, 390],
  ] as const)("is painted and fits the width on a %s", async (name, options, width) => {
    // Act
    const page = await open("#/service/t-mobile", options);
    const section = page.locator(SERVICE_MAP);
    await section.scrollIntoViewIfNeeded();
    const full = await page.screenshot({ fullPage: true });
    const shot = await section.screenshot();
    await writeFile(join(shots, `map-${name}.png`), full);

    // Assess: nothing wider than the screen; the map and its darkest state are painted
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      width,
    );
    const box = await page.locator(`${SERVICE_MAP} svg.map`).boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(width < 500 ? 300 : 500);
    const paint = await paintOf(page, shot);
    expect(paint.share).toBeGreaterThan(0.2);
    expect(paint.darkest).toBeGreaterThan(100);
    expect((await paintOf(page, full)).share).toBeGreaterThan(0.05);
    // On a phone the table sits under the map, not beside it
    const tableBox = await page.locator(`${SERVICE_MAP} .region-table`).boundingBox();
    if (width < 500) expect(tableBox?.y ?? 0).toBeGreaterThan((box?.y ?? 0) + (box?.height ?? 0));
    else expect(tableBox?.x ?? 0).toBeGreaterThan((box?.x ?? 0) + (box?.width ?? 0) - 1);
  });
});
