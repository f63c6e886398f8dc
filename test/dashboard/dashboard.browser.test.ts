/**
 * The dashboard as a reader uses it, in headless Chromium, against the local runtime
 * serving a day of the seed story (T-Mobile's outage of 13 February 2023 open, Verizon
 * and AT&T with it) plus a service whose name is an HTML injection attempt. Each test
 * also fails on any console error, uncaught exception, CSP violation or script dialog.
 * Screenshots go to test-artifacts/ (gitignored).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SEED_SERVICES, type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";
import { launchChromium, type PageProblems, paint, watchProblems } from "./browser";

const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");
const HOSTILE_NAME = "<img src=x onerror=alert(1)>";
const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 900 },
  locale: "en-US",
  // Not the services' zone: the page must show the viewer's times and offer ET on hover.
  timezoneId: "Europe/Berlin",
};
const PHONE: BrowserContextOptions = {
  ...DESKTOP,
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let seeded: SeededRuntime;
let browser: Browser;
let problems: PageProblems | undefined;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  [seeded, browser] = await Promise.all([
    startSeededRuntime({
      services: [
        ...SEED_SERVICES,
        // An ordinary day (AT&T's counts a day earlier), so the baseline band shows.
        { id: "hostile", name: HOSTILE_NAME, category: "app", column: "att", daysEarlier: 1 },
      ],
    }),
    // The package may still be installing on a fresh machine.
    launchChromium(120_000),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
});

afterEach(() => {
  // Every page of every test: nothing logged as an error, blocked, or injected.
  expect(problems?.list ?? []).toEqual([]);
  problems = undefined;
});

/** Opens the dashboard at `hash` and waits until its data is shown. */
async function open(hash = "", options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  problems = await watchProblems(page);
  await page.goto(`${seeded.url}/${hash}`);
  await page.waitForSelector("main[data-loaded]");
  return page;
}

describe("dashboard", () => {
  it("shows every service with its status in words and a drawn 24-hour chart", async () => {
    // Act
    const page = await open();

    // Assess: cards in config order, status as text
    const cards = page.locator("li.card");
    await expect.poll(() => cards.count()).toBe(4);
    const names = await page.locator("li.card h2").allTextContents();
    expect(names).toEqual(["T-Mobile", "Verizon", "AT&T", HOSTILE_NAME]);
    const statuses = await page.locator("li.card .status").allTextContents();
    expect(statuses).toEqual(["Outage", "Outage", "Normal", "Normal"]);
    expect(await page.locator("h1").textContent()).toBe("Service status");

    // The chart's sentence: the peak at 03:20 GMT is 4:20 AM in Berlin.
    const tmobile = page.locator('li.card[data-service="t-mobile"]');
    expect(await tmobile.locator("figcaption").textContent()).toBe(
      "T-Mobile, last 24 hours: peak 83,412 reports at 4:20 AM, baseline 36; latest 2,274 at 6:55 AM; 1 incident shaded.",
    );
    expect(await tmobile.locator('[role="img"]').getAttribute("aria-labelledby")).toBe(
      await tmobile.locator("figcaption").getAttribute("id"),
    );
    // The viewer's time as text, the service's on hover.
    const latest = tmobile.locator(".stats time");
    expect(await latest.textContent()).toBe("6:55 AM");
    expect(await latest.getAttribute("title")).toBe(
      "12:55 a.m. ET on Feb 14 (05:55 GMT) in the service's zone",
    );

    // The canvas really has the count line and the incident shading on it...
    const outage = await paint(page, 'li.card[data-service="t-mobile"]');
    expect(outage.width).toBeGreaterThan(200);
    expect(outage.line).toBeGreaterThan(300);
    expect(outage.incident).toBeGreaterThan(1000);
    // ...and an ordinary day its baseline band and no shading.
    const ordinary = await paint(page, 'li.card[data-service="hostile"]');
    expect(ordinary.band).toBeGreaterThan(1000);
    expect(ordinary.line).toBeGreaterThan(300);
    expect(ordinary.incident).toBe(0);

    await page.screenshot({ path: join(ARTIFACTS, "dashboard-desktop.png"), fullPage: true });
  });

  it("renders a service name that is HTML as text, everywhere it appears", async () => {
    // Act
    const page = await open();
    await page.locator('li.card[data-service="hostile"] h2 a').click();
    await page.waitForSelector('main[data-route*="hostile"][data-loaded]');

    // Assess: the heading reads the markup as characters, and no element was made of it
    expect(await page.locator("h1").textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.title()).toBe(`${HOSTILE_NAME} · outcry`);
    await page.locator("main button.report").click();
    expect(await page.locator("dialog[open] h2").textContent()).toBe(
      `Report a problem with ${HOSTILE_NAME}`,
    );
    await page.keyboard.press("Escape");
    // (A script dialog would have been recorded as a problem by afterEach.)
  });

  it("opens an incident from its card and tells its timeline", async () => {
    // Prepare
    const page = await open();

    // Act
    await page.locator('li.card[data-service="t-mobile"] .card-incident a').click();
    await page.waitForSelector('main[data-route*="incident"][data-loaded]');

    // Assess
    expect(page.url()).toMatch(/#\/incident\/t-mobile-20230214T\d{4}Z$/);
    const heading = page.locator("h1");
    expect(await heading.textContent()).toBe("T-Mobile outage");
    // Focus moves to the new page's heading, as after a page load.
    expect(await heading.evaluate((h1) => h1 === document.activeElement)).toBe(true);
    const timeline = (await page.locator(".timeline").textContent()) ?? "";
    expect(timeline).toContain("peaked at more than 83,000 at around 10:20 p.m. ET (03:20 GMT)");
    expect(timeline).toContain("had fallen to about 9,000 by midnight ET");
    expect(await page.locator(".facts").textContent()).toContain(
      "83,412 reports at Feb 14, 4:20 AM",
    );
    expect(await page.locator(".facts a").allTextContents()).toEqual(["AT&T", "Verizon"]);
    // Still open and falling off: when it should be back to usual, with the range.
    expect(await page.locator(".facts").textContent()).toMatch(
      /Back to usual, forecastaround Feb 1\d, .+ \(between Feb 1\d, .+ and Feb 1\d, .+\)/,
    );
    const chart = await paint(page, "main");
    expect(chart.line).toBeGreaterThan(500);
    expect(chart.incident).toBeGreaterThan(5000);
    expect(await page.locator("figcaption").textContent()).toContain(
      "peak 83,412 reports at 4:20 AM",
    );
    const notifications = page.locator('section[aria-labelledby="notifications-heading"] li');
    expect(await notifications.first().textContent()).toMatch(
      /sent to nobody: T-Mobile outage: peak more than 83,000 reports/,
    );

    await page.screenshot({ path: join(ARTIFACTS, "incident-desktop.png"), fullPage: true });
  });

  it("takes a report from the keyboard, says so in the live region, and the API counts it", async () => {
    // Prepare
    const page = await open();
    const button = page.locator('li.card[data-service="t-mobile"] button.report');

    // Act: Enter opens the dialog on the first kind; arrow to the second; Tab to where
    // the reporter is (a country: T-Mobile's area is the world here), Tab to send
    await button.focus();
    await page.keyboard.press("Enter");
    const dialog = page.locator("dialog[open]");
    expect(await dialog.locator("h2").textContent()).toBe("Report a problem with T-Mobile");
    expect(
      await dialog
        .locator("input[type=radio]")
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)),
    ).toEqual(["no-signal", "mobile-data", "calls", "texts", "total-outage"]);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Tab");
    const where = page.getByLabel("Your country (optional)");
    expect(await where.evaluate((select) => select === document.activeElement)).toBe(true);
    expect(await where.inputValue()).toBe("");
    await where.selectOption("DE");
    await page.keyboard.press("Tab");
    const accepted = page.waitForResponse((r) => r.url().endsWith("/reports"));
    await page.keyboard.press("Enter");

    // Assess
    expect((await accepted).status()).toBe(202);
    expect(await (await accepted).json()).toMatchObject({ problem: "mobile-data", region: "DE" });
    const notice = page.locator("#notice");
    await expect
      .poll(() => notice.textContent())
      .toBe("Thank you: your report of mobile data problems with T-Mobile was counted.");
    expect(await notice.getAttribute("role")).toBe("status");
    expect(await page.locator("dialog[open]").count()).toBe(0);
    expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);

    // Act: the same reporter again, with the mouse
    await button.click();
    await page.getByLabel("Calls").check();
    const duplicate = page.waitForResponse((r) => r.url().endsWith("/reports"));
    await page.getByRole("button", { name: "Send report" }).click();

    // Assess
    expect((await duplicate).status()).toBe(200);
    await expect
      .poll(() => notice.textContent())
      .toMatch(/already reported a problem with T-Mobile/);

    // The report is in the series once its bucket closes.
    seeded.setNow(seeded.now() + 5 * 60_000);
    await seeded.runtime.tick();
    const series = (await (
      await fetch(
        `${seeded.url}/services/t-mobile/series?from=2023-02-14T06:00:00Z&to=2023-02-14T06:00:00Z`,
      )
    ).json()) as { points: { breakdowns?: Record<string, Record<string, number>> }[] };
    expect(series.points[0]?.breakdowns?.reports).toEqual({ "mobile-data": 1 });
  });

  it("refreshes every minute in place, keeping focus", async () => {
    // Prepare: a fake clock in the page, and focus on a button of a card
    const context = await browser.newContext(DESKTOP);
    const page = await context.newPage();
    problems = await watchProblems(page);
    await page.clock.install();
    await page.goto(`${seeded.url}/`);
    await page.waitForSelector('main[data-loaded="1"]');
    const latest = page.locator('li.card[data-service="verizon"] .stats time');
    const before = await latest.textContent();
    const button = page.locator('li.card[data-service="verizon"] button.report');
    await button.focus();

    // Act: five minutes pass on the server, one in the page
    seeded.setNow(seeded.now() + 5 * 60_000);
    await seeded.runtime.tick();
    await page.clock.runFor(61_000);
    await page.waitForSelector('main[data-loaded="2"]');

    // Assess: newer data, same focused element, no card rebuilt
    expect(await latest.textContent()).not.toBe(before);
    expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);

    // Act: the tab is hidden for two minutes, then shown again
    const setVisibility = (state: string) =>
      page.evaluate((value) => {
        Object.defineProperty(document, "visibilityState", { value, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    await setVisibility("hidden");
    await page.clock.runFor(120_000);
    const whileHidden = await page.locator("main").getAttribute("data-loaded");
    await setVisibility("visible");
    await page.clock.runFor(10);

    // Assess: no request while hidden; stale data is fetched as soon as it is seen
    expect(whileHidden).toBe("2");
    await page.waitForSelector('main[data-loaded="3"]');
  });

  it("fits a phone screen, with nothing wider than it", async () => {
    // Act: charts load as their cards come near the screen; scroll past them all
    const page = await open("", PHONE);
    await page.locator('li.card[data-service="hostile"]').scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator(".chart canvas").count()).toBe(4);

    // Assess
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      charts: Array.from(document.querySelectorAll(".chart canvas")).map(
        (c) => c.getBoundingClientRect().right,
      ),
    }));
    expect(widths.page).toBeLessThanOrEqual(375);
    expect(widths.charts).toHaveLength(4);
    expect(Math.max(...widths.charts)).toBeLessThanOrEqual(375);
    expect((await paint(page, 'li.card[data-service="t-mobile"]')).line).toBeGreaterThan(300);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });

    await page.locator('li.card[data-service="t-mobile"] .card-incident a').click();
    await page.waitForSelector('main[data-route*="incident"][data-loaded]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await page.screenshot({ path: join(ARTIFACTS, "incident-phone.png"), fullPage: true });
  });

  it("names a service page's Report button by the service's name, not its id", async () => {
    // Act
    const page = await open("#/service/t-mobile");

    // Assess
    const button = page.getByRole("button", {
      name: "Report a problem with T-Mobile",
      exact: true,
    });
    expect(await button.count()).toBe(1);
  });

  it("gives the key times in the service's zone too, readable without a pointer", async () => {
    // Act: a service's page
    const page = await open("#/service/t-mobile");

    // Assess: the latest time reads in ET too (earlier tests move the runtime's clock)
    expect(await page.locator(".stats").textContent()).toMatch(
      / at \d{1,2}:\d{2} AM \((\d{1,2}:\d{2} a\.m\.|midnight) ET\)/,
    );
    const note = await page.locator(".stats + .muted").textContent();
    expect(note).not.toMatch(/hover/i);
    expect(note).toContain("America/New_York");

    // Act: its incident's page
    await page.locator(".incident-list a").first().click();
    await page.waitForSelector('main[data-route*="incident"][data-loaded]');

    // Assess: start, peak and resolution carry ET in brackets; the note says so
    const facts = (await page.locator(".facts").textContent()) ?? "";
    expect(facts).toContain("83,412 reports at Feb 14, 4:20 AM (10:20 p.m. ET on Feb 13)");
    expect(await page.locator("dl.facts dd").first().textContent()).toMatch(/\(.+ ET on Feb 13\)$/);
    expect(await page.locator(".timeline ~ .muted").textContent()).not.toMatch(/hover/i);
  });

  it("offers the incident chart's counts as a table, as the service page does", async () => {
    // Prepare
    const page = await open();
    await page.locator('li.card[data-service="t-mobile"] .card-incident a').click();
    await page.waitForSelector('main[data-route*="incident"][data-loaded]');

    // Act
    const table = page.locator('section[aria-labelledby="incident-chart-heading"] details');
    expect(await table.count()).toBe(1);
    await table.locator("summary").click();

    // Assess
    await expect.poll(() => table.locator("tbody tr").count()).toBeGreaterThan(20);
    expect(await table.locator("tbody tr").first().locator("th").textContent()).toMatch(
      /^Feb 14, /,
    );
  });

  it("is usable without a mouse and without colour", async () => {
    // Prepare
    const page = await open();

    // Act: the first Tab stop is the skip link, with a visible focus ring
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      const style = getComputedStyle(element);
      return { text: element.textContent, outline: `${style.outlineStyle} ${style.outlineWidth}` };
    });

    // Assess
    expect(focused).toEqual({ text: "Skip to content", outline: "solid 3px" });
    const structure = await page.evaluate(() => ({
      h1: document.querySelectorAll("h1").length,
      landmarks: ["header", "main", "footer"].map((tag) => document.querySelectorAll(tag).length),
      lang: document.documentElement.lang,
      unnamedControls: Array.from(document.querySelectorAll("a, button")).filter(
        (el) => !(el.textContent ?? "").trim() && !el.getAttribute("aria-label"),
      ).length,
      unlabelledCharts: Array.from(document.querySelectorAll('[role="img"]')).filter((el) => {
        const id = el.getAttribute("aria-labelledby");
        return !(id && document.getElementById(id)?.textContent?.trim());
      }).length,
    }));
    expect(structure).toEqual({
      h1: 1,
      landmarks: [1, 1, 1],
      lang: "en",
      unnamedControls: 0,
      unlabelledCharts: 0,
    });

    // WCAG AA: 4.5:1 for every piece of text (3:1 for large), on its actual background.
    const lowContrast = await page.evaluate(() => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      const rgba = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r = 0, g = 0, b = 0]: number[]) =>
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      const background = (element: Element | null): number[] => {
        for (let el = element; el; el = el.parentElement) {
          const [r, g, b, a = 1] = rgba(getComputedStyle(el).backgroundColor);
          if (a > 0.5) return [r ?? 255, g ?? 255, b ?? 255];
        }
        return [255, 255, 255];
      };
      const failures: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.parentElement;
        if (
          !element ||
          !(node.textContent ?? "").trim() ||
          element.closest(".visually-hidden, .skip-link, dialog:not([open]), noscript")
        )
          continue;
        const style = getComputedStyle(element);
        const fg = luminance(rgba(style.color));
        const bg = luminance(background(element));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        const large =
          Number.parseFloat(style.fontSize) >= 24 ||
          (Number.parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5))
          failures.push(`${node.textContent?.trim()} (${ratio.toFixed(2)})`);
      }
      return failures;
    });
    expect(lowContrast).toEqual([]);
  });
});
