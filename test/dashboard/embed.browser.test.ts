/**
 * The embeddable report button as a newsroom's reader uses it, in headless Chromium at
 * phone width: a page on another origin (listed in `reports.embedOrigins`) includes the
 * copy-paste snippet, the reader opens the form from the keyboard, picks a kind and a
 * state and sends; the report is counted with that state in the store. A page on an
 * origin that is not listed includes the same snippet, and Chromium refuses to frame the
 * button. No console error, uncaught exception or CSP violation on the listed page.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketStart, MINUTE_MS } from "../../lambdas/domain/buckets";
import { type Config, parseConfig } from "../../lambdas/domain/config";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoReportStore } from "../../lambdas/store/report-store";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { CHEAP_CHALLENGE } from "../support/report-client";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";
import { launchChromium, watchProblems } from "./browser";

let api: TemporaryRuntime;
let config: Config;
let browser: Browser;
let newsroom: FixtureServer;
let stranger: FixtureServer;

/** A host page with the README's snippet between two paragraphs of its own. */
const hostPage = (apiUrl: string) => ({
  headers: { "content-type": "text/html; charset=utf-8" },
  body: `<!doctype html><html lang="en"><title>News</title><link rel="icon" href="data:,"><h1>Carrier outage</h1><p id="before">Readers report trouble.</p><script src="${apiUrl}/embed.js" data-service="t-mobile" async></script><p id="after">More soon.</p></html>`,
});

beforeAll(async () => {
  [newsroom, stranger] = await Promise.all([startFixtureServer(), startFixtureServer()]);
  config = parseConfig({
    services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier", area: "us" }],
    reports: { challenge: CHEAP_CHALLENGE, embedOrigins: [newsroom.url] },
  });
  [api, browser] = await Promise.all([startTemporaryRuntime({ config }), launchChromium(120_000)]);
  newsroom.route("/", hostPage(api.url));
  stranger.route("/", hostPage(api.url));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await Promise.all([newsroom?.close(), stranger?.close()]);
});

/** Opens `url` at phone width, watched from the first byte; the snippet's frame. */
async function openHost(url: string) {
  const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
  const problems = await watchProblems(page);
  await page.goto(url);
  const frame = await (await page.waitForSelector("iframe", { state: "attached" })).contentFrame();
  if (!frame) throw new Error("the snippet inserted no frame");
  return { page, frame, problems };
}

/** Reports of T-Mobile counted in the current and the previous bucket, by kind and region. */
async function countedReports() {
  const store = new DynamoReportStore(
    { client: createDocumentClient({ endpoint: api.runtime.storeEndpoint }), tableName: "outcry" },
    {
      bucketMinutes: config.bucketMinutes,
      dedupMinutes: config.reports.dedupMinutes,
      shards: config.reports.shards,
      perNetwork: config.reports.perNetwork,
      retentionDays: config.retentionDays,
    },
  );
  const now = bucketStart(Date.now(), config.bucketMinutes);
  const buckets = [now - config.bucketMinutes * MINUTE_MS, now];
  const tallies = [...(await store.countBuckets("t-mobile", buckets)).values()];
  return {
    problems: Object.assign({}, ...tallies.map((t) => t.problems)),
    regions: Object.assign({}, ...tallies.map((t) => t.regions)),
  };
}

describe("the embedded report button", () => {
  it("takes a report with its kind and state from a listed site's page", async () => {
    // Arrange
    const { page, frame, problems } = await openHost(`${newsroom.url}/`);
    const opener = frame.getByRole("button", { name: "Report a problem with T-Mobile" });
    await opener.waitFor();

    // Act: open from the keyboard, choose, send.
    await opener.focus();
    await page.keyboard.press("Enter");
    const focused = await frame.evaluate(() => document.activeElement?.id);
    const expanded = await opener.getAttribute("aria-expanded");
    // Sent without a kind first: the form says what is missing, and still fits the frame.
    await frame.getByRole("button", { name: "Send report" }).click();
    const missing = await frame.getByRole("alert").textContent();
    const invalid = await frame.getByLabel("What is not working?").getAttribute("aria-invalid");
    const fits = await frame.evaluate(() => ({
      wide: document.documentElement.scrollWidth <= document.documentElement.clientWidth,
      tall: document.documentElement.scrollHeight <= document.documentElement.clientHeight,
    }));
    const states = await frame.getByLabel("Your state (optional)").locator("option").count();
    await frame.getByLabel("What is not working?").selectOption("calls");
    await frame.getByLabel("Your state (optional)").selectOption("US-TX");
    await frame.getByRole("button", { name: "Send report" }).click();
    const status = frame.getByRole("status");
    await status.getByText("was counted").waitFor();

    // Assess: what the reader was told and where focus went.
    expect(focused).toBe("problem");
    expect(expanded).toBe("true");
    expect(missing).toBe("Choose what is not working, then send the report.");
    expect(invalid).toBe("true");
    expect(fits).toEqual({ wide: true, tall: true });
    // The 50 states and DC, after "Prefer not to say".
    expect(states).toBe(52);
    expect(await status.textContent()).toBe(
      "Thank you: your report of calls problems with T-Mobile was counted.",
    );
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toBe(
      "Report a problem with T-Mobile",
    );
    // The host page kept all of its own and gained only the frame, right after the snippet.
    const host = await page.evaluate(() => ({
      children: Array.from(document.body.children, (e) => e.id || e.tagName.toLowerCase()),
      frame: document.querySelector("iframe")?.getAttribute("title"),
    }));
    expect(host).toEqual({
      children: ["h1", "before", "script", "iframe", "after"],
      frame: "Report a problem (outcry)",
    });
    // Counted in the store, with the state.
    expect(await countedReports()).toEqual({ problems: { calls: 1 }, regions: { "US-TX": 1 } });
    expect(problems.list).toEqual([]);
    await page.close();
  });

  it("cannot be framed by a site that is not listed", async () => {
    // Arrange
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    const problems = await watchProblems(page);
    const refused = page.waitForEvent("console", (message) =>
      message.text().includes("violates the following Content Security Policy directive"),
    );

    // Act
    await page.goto(`${stranger.url}/`);
    const said = (await refused).text();
    const frame = await (await page.waitForSelector("iframe")).contentFrame();

    // Assess: Chromium refused to show the button in the frame, and said why.
    expect(said).toContain(`"frame-ancestors 'self' ${newsroom.url}"`);
    expect(await frame?.locator("button").count()).toBe(0);
    expect(problems.list).toEqual([`console error: ${said}`]);
    await page.close();
  });
});
