/**
 * Partial points on the dashboard, in headless Chromium against the local runtime: a day
 * of T-Mobile in which its feed failed for half an hour after the peak. The service
 * page's chart hatches those points (compared with the same answer stripped of its
 * partial flags), its caption says what the hatching means, the cursor's reading and the
 * counts table say it of each such point, and nothing else on the page changes.
 */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";
import { launchChromium, type PageProblems, paint, watchProblems } from "./browser";

const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 900 },
  locale: "en-US",
  timezoneId: "America/New_York",
};
/** Six buckets from 04:00 (11 p.m. ET): after the 03:20 peak, the incident still open. */
const FIRST_FAILED = parseIso("2023-02-14T04:00:00Z");
const FAILED = Array.from({ length: 6 }, (_, i) => FIRST_FAILED + i * 5 * MINUTE_MS);

let seeded: SeededRuntime;
let browser: Browser;
/** The problems of every page the current test opened. */
let problems: PageProblems[] = [];

beforeAll(async () => {
  [seeded, browser] = await Promise.all([
    startSeededRuntime({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          column: "t-mobile",
          failedBuckets: FAILED,
        },
      ],
    }),
    launchChromium(120_000),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
});

afterEach(() => {
  expect(problems.flatMap((p) => p.list)).toEqual([]);
  problems = [];
});

/** The service page, optionally with the series answer's partial flags taken out. */
async function servicePage(stripPartial = false): Promise<Page> {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  problems.push(await watchProblems(page));
  if (stripPartial) {
    await page.route(
      (url) => url.pathname.endsWith("/series"),
      async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        for (const point of body.points) {
          delete point.partial;
          delete point.failedSources;
        }
        await route.fulfill({ response, body: JSON.stringify(body) });
      },
    );
  }
  await page.goto(`${seeded.url}/#/service/t-mobile`);
  await page.waitForSelector("main[data-loaded]");
  await page.waitForSelector(".view.service .chart canvas");
  return page;
}

describe("partial points", () => {
  it("are hatched on the service's chart, and its caption says what that means", async () => {
    // Act
    const page = await servicePage();
    const stripped = await servicePage(true);

    // Assess: the caption names the hatching; the same chart without flags does not
    const caption = page.locator(".view.service figcaption");
    await expect
      .poll(() => caption.textContent())
      .toContain("6 points hatched: partial, a source failed.");
    expect(await stripped.locator(".view.service figcaption").textContent()).not.toContain(
      "hatched",
    );
    // The hatching adds grey over the failed half hour, and changes nothing else drawn
    const hatched = await paint(page, ".view.service");
    const plain = await paint(stripped, ".view.service");
    expect(hatched.grey - plain.grey).toBeGreaterThan(400);
    expect(Math.abs(hatched.line - plain.line)).toBeLessThan(plain.line * 0.05);
    expect(hatched.incident).toBeGreaterThan(1000);
  });

  it("say so where the cursor reads a point, and in the counts table", async () => {
    // Prepare
    const page = await servicePage();

    // Act: the cursor over the middle of the failed half hour, then the table opened
    const over = await page.locator(".view.service .u-over").boundingBox();
    if (!over) throw new Error("the chart has no plot area");
    // uPlot's x scale runs from the first point to the last, the 24 hours before 06:00.
    const from = parseIso("2023-02-13T06:00:00Z") / 1000;
    const to = parseIso("2023-02-14T06:00:00Z") / 1000;
    const middle = FIRST_FAILED / 1000 + 15 * 60;
    await page.mouse.move(
      over.x + ((middle - from) / (to - from)) * over.width,
      over.y + over.height / 2,
    );
    // The legend follows the cursor on the next frame.
    const reading = page.locator(".view.service .u-legend .u-series").nth(1).locator(".u-value");
    await expect.poll(() => reading.textContent()).toContain("(partial, a source failed)");
    await page.locator(".view.service .data-table summary").click();
    const rowsOf = () => page.locator(".view.service .data-table tbody tr").allTextContents();

    // Assess: the table is filled when it is opened
    await expect
      .poll(async () => (await rowsOf()).filter((row) => row.includes("partial")).length)
      .toBe(6);
    const rows = await rowsOf();
    expect(rows.filter((row) => row.includes("(partial, a source failed)"))).toHaveLength(6);
  });
});
