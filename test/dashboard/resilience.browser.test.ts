/**
 * The dashboard when things go wrong or take long, in headless Chromium against the seeded
 * local runtime: a first load that fails, an API that asks for a key, a request that never
 * answers, a refresh that overlaps another, a report answered late or rate-limited, a page
 * that does not exist, and an overview longer than the screen (charts load as cards come
 * near it). The page's clock is Playwright's fake one, so a minute passes on demand.
 * Failures are made by intercepting the page's requests; the browser's own "Failed to
 * load resource" lines for them are expected, any other console error still fails a test.
 */

import type { Browser, BrowserContextOptions, Page, Route } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../dashboard/src/api";
import {
  SEED_NOW,
  SEED_SERVICES,
  type SeededRuntime,
  startSeededRuntime,
} from "../support/seeded-runtime";
import { launchChromium, type PageProblems, paint, watchProblems } from "./browser";
import { resolvedIncident } from "./incident-fixture";

const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 900 },
  locale: "en-US",
  timezoneId: "Europe/Berlin",
};
const MINUTE = 60_000;

let seeded: SeededRuntime;
let browser: Browser;
let problems: PageProblems | undefined;

beforeAll(async () => {
  [seeded, browser] = await Promise.all([
    startSeededRuntime({
      services: [
        ...SEED_SERVICES,
        { id: "quiet", name: "Quiet", category: "app", column: "att", daysEarlier: 1 },
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
  // The failures these tests make are logged by Chromium; nothing else may be.
  expect((problems?.list ?? []).filter((p) => !p.includes("Failed to load resource"))).toEqual([]);
  problems = undefined;
});

/**
 * Opens the page at `hash` with the fake clock installed; `prepare` intercepts requests
 * before the page makes any. Does not wait for data: some tests expect none.
 */
async function start(
  hash: string,
  prepare?: (page: Page) => Promise<unknown>,
  options: BrowserContextOptions = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  problems = await watchProblems(page);
  await page.clock.install();
  await prepare?.(page);
  await page.goto(`${seeded.url}/${hash}`);
  return page;
}

/** A problem answer as the API gives it. */
const problem = (status: number, detail: string, headers: Record<string, string> = {}) => ({
  status,
  headers,
  contentType: "application/problem+json",
  body: JSON.stringify({ title: "Problem", status, detail }),
});

/** Counts the page's requests whose path passes `test`. */
function counter(page: Page, test: (path: string) => boolean): () => number {
  let count = 0;
  page.on("request", (request) => {
    if (test(new URL(request.url()).pathname)) count++;
  });
  return () => count;
}

const heading = (page: Page) =>
  page.evaluate(() => document.querySelector("h1")?.textContent ?? null);

const setVisibility = (page: Page, state: "hidden" | "visible") =>
  page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { value, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);

describe("dashboard under trouble", () => {
  it("shows the page once a refresh succeeds after the first load failed", async () => {
    // Prepare: /services fails until told otherwise
    let fail = true;
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/services",
        (route) => (fail ? route.fulfill(problem(503, "down for a moment")) : route.continue()),
      ),
    );
    await expect.poll(() => heading(page)).toBe("Could not load this page");
    expect(await page.locator("main").textContent()).toContain("down for a moment");

    // Act: the API recovers; a minute passes
    fail = false;
    await page.clock.runFor(MINUTE + 1000);

    // Assess: the overview replaces the error, with its cards and charts
    await expect.poll(() => heading(page), { timeout: 5000 }).toBe("Service status");
    await expect
      .poll(() => page.locator("li.card .chart canvas").count(), { timeout: 5000 })
      .toBeGreaterThan(0);
    expect(await page.locator("main").textContent()).not.toContain("Could not load");
  });

  it("keeps what is typed in the API-key form while refreshes still answer 401", async () => {
    // Prepare: reads need the key "let-me-in"
    let attempts = 0;
    const page = await start("", (p) =>
      p.route(
        (url) => /^\/(services|incidents)/.test(url.pathname),
        (route) => {
          if (route.request().headers()["x-api-key"] === "let-me-in") return route.continue();
          if (new URL(route.request().url()).pathname === "/services") attempts++;
          return route.fulfill(problem(401, `send the key in x-api-key (attempt ${attempts})`));
        },
      ),
    );
    const input = page.locator("#api-key");
    await input.waitFor();
    expect(await input.evaluate((i) => i === document.activeElement)).toBe(true);

    // Act: half the key typed when the next refresh is refused again
    await page.keyboard.type("let-me");
    await page.clock.runFor(MINUTE + 1000);
    await expect.poll(() => page.locator("main").textContent()).toContain("(attempt 2)");

    // Assess: the form was left alone, only its message changed
    expect(await input.inputValue()).toBe("let-me");
    expect(await input.evaluate((i) => i === document.activeElement)).toBe(true);
    expect(await page.locator("#api-key").count()).toBe(1);

    // Act: the rest of the key, then Enter
    await page.keyboard.type("-in");
    await page.keyboard.press("Enter");

    // Assess
    await page.waitForSelector("main[data-loaded]");
    expect(await heading(page)).toBe("Service status");
  });

  it("gives up on a request that never answers and tries again a minute later", async () => {
    // Prepare: the first /services request is never answered
    let stall = true;
    const services = { count: 0 };
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/services",
        (route) => {
          services.count++;
          // Left unanswered: the request hangs until the page gives up on it.
          if (!stall) return route.continue();
        },
      ),
    );
    await expect.poll(() => services.count).toBe(1);

    // Act: 20 seconds pass in the page
    await page.clock.runFor(20_000);

    // Assess: the page says so instead of loading forever
    await expect.poll(() => heading(page)).toBe("Could not load this page");
    expect(await page.locator("main").textContent()).toContain("did not answer within 20 seconds");

    // Act: the API answers again; the next minute comes
    stall = false;
    await page.clock.runFor(MINUTE);

    // Assess
    await page.waitForSelector("main[data-loaded]", { timeout: 5000 });
    expect(await heading(page)).toBe("Service status");
  });

  it("starts no second refresh when the tab is shown during one", async () => {
    // Prepare: the second /services request (the first refresh) is held
    let release: (() => void) | undefined;
    let requests = 0;
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/services",
        async (route) => {
          requests++;
          if (requests === 2) await new Promise<void>((done) => (release = done));
          await route.continue().catch(() => undefined);
        },
      ),
    );
    await page.waitForSelector('main[data-loaded="1"]');
    await page.clock.runFor(MINUTE + 1000);
    await expect.poll(() => release !== undefined).toBe(true);

    // Act: the tab is hidden and shown again while that refresh waits
    await setVisibility(page, "hidden");
    await setVisibility(page, "visible");
    await page.clock.runFor(1000);

    // Assess: no second request; the held one still lands
    expect(requests).toBe(2);
    release?.();
    await page.waitForSelector('main[data-loaded="2"]');
    await page.clock.runFor(1000);
    expect(requests).toBe(2);
  });

  it("ignores a late answer of an earlier report and never posts twice at once", async () => {
    // Prepare: reports are held until answered by hand
    const posts: Route[] = [];
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/reports",
        (route) => {
          posts.push(route);
        },
      ),
    );
    await page.waitForSelector("main[data-loaded]");
    const tmobile = page.locator('li.card[data-service="t-mobile"] button.report');
    const send = page.getByRole("button", { name: "Send report" });

    // Act: send, then Escape while it is on its way
    await tmobile.click();
    await page.getByLabel("Calls").check();
    await send.click();
    await expect.poll(() => posts.length).toBe(1);
    await page.keyboard.press("Escape");

    // Act: open it again and submit at once (as Enter would)
    await tmobile.click();
    await page.getByLabel("Texts").check();
    await page.locator("dialog[open] form").evaluate((form: HTMLFormElement) => {
      form.requestSubmit();
    });
    await page.clock.runFor(100);

    // Assess: Send waits for the report still on its way; nothing was posted again
    expect(await send.isDisabled()).toBe(true);
    expect(posts).toHaveLength(1);

    // Act: another service's dialog is open when the first answer arrives
    await page.keyboard.press("Escape");
    await page.locator('li.card[data-service="verizon"] button.report').click();
    await posts[0]?.fulfill({
      status: 202,
      contentType: "application/json",
      body: JSON.stringify({ status: "accepted", service: "t-mobile", problem: "calls" }),
    });
    await page.clock.runFor(100);

    // Assess: that dialog stays open and usable; the outcome is still told
    await expect.poll(() => send.isEnabled()).toBe(true);
    expect(await page.locator("dialog[open] h2").textContent()).toBe(
      "Report a problem with Verizon",
    );
    await expect
      .poll(async () => {
        await page.clock.runFor(50);
        return page.locator("#notice").textContent();
      })
      .toContain("problems with T-Mobile was counted");
    expect(posts).toHaveLength(1);
  });

  it("keeps Send off until Retry-After has passed after a 429", async () => {
    // Prepare
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/reports",
        (route) => route.fulfill(problem(429, "slow down", { "retry-after": "30" })),
      ),
    );
    await page.waitForSelector("main[data-loaded]");
    const button = page.locator('li.card[data-service="t-mobile"] button.report');
    const send = page.getByRole("button", { name: "Send report" });
    const error = page.locator("dialog[open] .form-error");

    // Act
    await button.click();
    await page.getByLabel("Calls").check();
    await send.click();

    // Assess: told when, and Send stays off until then, even in a dialog opened again
    await expect.poll(() => error.textContent()).toMatch(/30 seconds/);
    expect(await send.isDisabled()).toBe(true);
    await page.clock.runFor(25_000);
    expect(await send.isDisabled()).toBe(true);
    await page.keyboard.press("Escape");
    await button.click();
    expect(await send.isDisabled()).toBe(true);
    expect(await error.textContent()).toMatch(/5 seconds/);

    // Act: the wait is over
    await page.clock.runFor(6_000);

    // Assess
    expect(await send.isEnabled()).toBe(true);
  });

  it("stops asking for a page that does not exist, and refuses ids that are not ids", async () => {
    // Prepare
    const id = "t-mobile-20200101T0000Z";
    let asked = () => 0;
    let page = await start(`#/incident/${id}`, async (p) => {
      asked = counter(p, (path) => path === `/incidents/${id}`);
    });
    await expect.poll(() => heading(page)).toBe("Not found");

    // Act: three minutes pass
    await page.clock.runFor(3 * MINUTE + 1000);

    // Assess: asked once
    expect(asked()).toBe(1);

    // Act: a route whose id would climb out of /services/
    page = await start("#/service/..");

    // Assess
    await expect.poll(() => heading(page)).toBe("Not found");
  });

  it("shades an incident that is not among the newest incidents of all services", async () => {
    // Prepare: the first page of /incidents is full of another service's newer incidents
    const ghost = (i: number): Incident =>
      resolvedIncident(
        `ghost-${i}`,
        "ghost",
        new Date(SEED_NOW - 30 * MINUTE - i * MINUTE).toISOString(),
      );
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/incidents" && !url.searchParams.has("service"),
        async (route) => {
          const url = new URL(route.request().url());
          if (url.searchParams.get("cursor") === "more") {
            // The second page: the real incidents.
            url.searchParams.delete("cursor");
            return route.fulfill({ response: await route.fetch({ url: url.toString() }) });
          }
          const limit = Number(url.searchParams.get("limit") ?? 20);
          return route.fulfill({
            contentType: "application/json",
            body: JSON.stringify({
              incidents: Array.from({ length: limit }, (_, i) => ghost(i)),
              next: "more",
            }),
          });
        },
      ),
    );

    // Act
    await page.waitForSelector("main[data-loaded]");

    // Assess: T-Mobile's open incident is shaded all the same
    const card = page.locator('li.card[data-service="t-mobile"]');
    await expect
      .poll(() => card.locator("figcaption").textContent(), { timeout: 5000 })
      .toContain("1 incident shaded");
    expect((await paint(page, 'li.card[data-service="t-mobile"]')).incident).toBeGreaterThan(1000);
  });

  it("announces a failed refresh once, not on every retry", async () => {
    // Prepare
    let fail = false;
    let requests = 0;
    const page = await start("", (p) =>
      p.route(
        (url) => url.pathname === "/services",
        (route) => {
          requests++;
          return fail ? route.fulfill(problem(503, "down for a moment")) : route.continue();
        },
      ),
    );
    await page.waitForSelector('main[data-loaded="1"]');
    await page.evaluate(() => {
      const notice = document.getElementById("notice") as HTMLElement;
      const said: string[] = [];
      (window as unknown as { said: string[] }).said = said;
      new MutationObserver(() => {
        if (notice.textContent) said.push(notice.textContent);
      }).observe(notice, { childList: true, characterData: true, subtree: true });
    });
    const footer = page.locator("#updated");

    // Act: two refreshes fail
    fail = true;
    await page.clock.runFor(MINUTE + 1000);
    await expect.poll(() => footer.textContent()).toContain("Could not refresh");
    const first = await footer.textContent();
    await page.clock.runFor(MINUTE + 1000);
    await expect.poll(() => requests).toBe(3);
    await expect.poll(() => footer.textContent()).not.toBe(first);
    await page.clock.runFor(1000);

    // Assess: said once in the live region
    const said = await page.evaluate(() => (window as unknown as { said: string[] }).said);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/Could not refresh/);
  });

  it("loads a card's chart only near the screen, and refreshes only those", async () => {
    // Prepare: a phone-sized screen shows the first cards only
    const asked: string[] = [];
    const page = await start(
      "",
      async (p) =>
        p.on("request", (request) => {
          const match = /^\/services\/([^/]+)\/series$/.exec(new URL(request.url()).pathname);
          if (match?.[1]) asked.push(match[1]);
        }),
      { ...DESKTOP, viewport: { width: 375, height: 640 } },
    );
    await page.waitForSelector('main[data-loaded="1"]');

    // Assess: the first card's chart, not the last one's
    expect(asked).toContain("t-mobile");
    expect(asked).not.toContain("quiet");
    const quiet = page.locator('li.card[data-service="quiet"]');
    expect(await quiet.locator("canvas").count()).toBe(0);

    // Act: scroll down to the last card
    await quiet.scrollIntoViewIfNeeded();

    // Assess
    await expect.poll(() => quiet.locator("canvas").count(), { timeout: 5000 }).toBe(1);
    expect((await paint(page, 'li.card[data-service="quiet"]')).line).toBeGreaterThan(100);

    // Act: a minute later
    asked.length = 0;
    await page.clock.runFor(MINUTE + 1000);
    await page.waitForSelector('main[data-loaded="2"]');

    // Assess: the cards on screen were refreshed, the ones scrolled away were not
    expect(asked).toContain("quiet");
    expect(asked).not.toContain("t-mobile");
  });
});
