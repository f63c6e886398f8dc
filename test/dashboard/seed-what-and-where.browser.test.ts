/**
 * The end-to-end check, in headless Chromium: the seed story replayed with the
 * kinds and regions the demo splits its counts by (`DEMO_SERVICES`), through collect and
 * detect. T-Mobile's incident page shows the "what" bar (mostly no signal), the map with
 * Texas, Florida and California filled, the regions table, and a timeline that says
 * "mostly no signal (62%)" and where the reports came from; Verizon's says "across the
 * country". A state seeded with 4 crowd reports is never shown on the service's page: no
 * row, no fill, no count.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import {
  DEMO_SERVICES,
  SEED_NOW,
  type SeededRuntime,
  startSeededRuntime,
} from "../support/seeded-runtime";
import { launchChromium, type PageProblems, watchProblems } from "./browser";

let seeded: SeededRuntime;
let browser: Browser;
const problems: PageProblems[] = [];

beforeAll(async () => {
  [seeded, browser] = await Promise.all([
    startSeededRuntime({ services: DEMO_SERVICES }),
    launchChromium(120_000),
  ]);
  // Four crowd reports from Vermont in T-Mobile's last bucket, as collect stores them.
  const client = createDocumentClient({ endpoint: seeded.runtime.storeEndpoint });
  const last = Math.floor(SEED_NOW / (5 * MINUTE_MS)) * 5 * MINUTE_MS - 5 * MINUTE_MS;
  await new DynamoSeriesStore({ client, tableName: "outcry" }, 90).putCount(
    "t-mobile",
    "reports",
    last,
    4,
    { calls: 4 },
    { "US-VT": 4 },
  );
  client.destroy();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
});

async function open(hash: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    timezoneId: "America/New_York",
  });
  const page = await context.newPage();
  problems.push(await watchProblems(page));
  await page.goto(`${seeded.url}/${hash}`);
  await page.waitForSelector("main[data-loaded]");
  return page;
}

/** The incident page of `service`'s incident, reached from its service page. */
async function incidentPage(service: string): Promise<Page> {
  const page = await open(`#/service/${service}`);
  await page.locator(".incident-list a").first().click();
  await page.waitForSelector('main[data-route*="incident"][data-loaded]');
  await page.waitForSelector('section[aria-labelledby="incident-where-heading"] svg.map');
  return page;
}

describe("the seed story with kinds and regions, on the dashboard", () => {
  it("shows T-Mobile's bar, map and table, and a timeline that says what and where", async () => {
    // Act
    const page = await incidentPage("t-mobile");
    const where = 'section[aria-labelledby="incident-where-heading"]';

    // Assess: the timeline's words
    const timeline = (await page.locator(".timeline").textContent()) ?? "";
    expect(timeline).toContain("Reports of T-Mobile problems, mostly no signal (62%),");
    expect(timeline).toContain("Reports came mostly from Texas, Florida and California.");
    // The bar's legend, largest first
    const legend = await page.locator("main .problem-legend li").allTextContents();
    expect(legend[0]).toMatch(/^No signal\s*62%/);
    // The map fills the three big states, among the others of the split
    const filled = await page
      .locator(`${where} svg.map path.region`)
      .evaluateAll((shapes) =>
        shapes
          .filter((s) => /\bfill-\d\b/.test(s.getAttribute("class") ?? ""))
          .map((s) => s.getAttribute("data-region")),
      );
    expect(filled).toEqual(expect.arrayContaining(["US-TX", "US-FL", "US-CA"]));
    const firstRows = await page
      .locator(`${where} table tbody tr th`)
      .evaluateAll((cells) => cells.slice(0, 3).map((c) => c.textContent));
    expect(firstRows).toEqual(["Texas", "Florida", "California"]);
    expect(problems.flatMap((p) => p.list)).toEqual([]);
  });

  it("tells Verizon's reports came from across the country", async () => {
    // Act
    const page = await incidentPage("verizon");

    // Assess
    expect(await page.locator(".timeline").textContent()).toContain(
      "Reports came from across the country.",
    );
  });

  it("never shows the state with 4 reports on the service's page", async () => {
    // Act
    const page = await open("#/service/t-mobile");
    await page.waitForSelector('section[aria-labelledby="where-heading"] svg.map');

    // Assess: no row and no fill; its shape says what every state without a count says
    const where = 'section[aria-labelledby="where-heading"]';
    const rows = await page.locator(`${where} table tbody tr th`).allTextContents();
    expect(rows).not.toContain("Vermont");
    expect(rows.at(-1)).toBe("Other states (fewer than 5 reports each)");
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text.match(/Vermont[^A-Z]*/g)).toEqual(["Vermont: no count shown"]);
    const vermont = page.locator('section[aria-labelledby="where-heading"] [data-region="US-VT"]');
    expect(await vermont.getAttribute("class")).not.toMatch(/\bfill-\d\b/);
    expect(problems.flatMap((p) => p.list)).toEqual([]);
  });
});
