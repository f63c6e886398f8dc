/**
 * The overview of a deployment with more services than a page, in headless Chromium
 * against the local runtime: 130 services, some recorded in an outage. The grid shows
 * one page of cards at a time and asks for one page at a time, turns pages with the
 * API's cursors, and filters by status and category.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { incidentId } from "../../lambdas/domain/incident";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoIncidentStore } from "../../lambdas/store/incident-store";
import { DynamoServiceStatusStore } from "../../lambdas/store/service-status-store";
import { startEmbeddedStore } from "../../local/embedded-store";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import { launchChromium, type PageProblems, watchProblems } from "./browser";

const PAGE = 50;
const CATEGORIES = ["carrier", "isp", "app"] as const;
const ids = Array.from({ length: 130 }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
const config = parseConfig({
  services: ids.map((id, i) => ({
    id,
    name: `Service ${i}`,
    category: CATEGORIES[i % CATEGORIES.length],
  })),
});
/** Every tenth service is in an outage. */
const inOutage = ids.filter((_, i) => i % 10 === 0);

let dataDir: string;
let runtime: LocalRuntime;
let browser: Browser;
let problems: PageProblems | undefined;

beforeAll(async () => {
  // The records detect would have written, put in the store before the runtime opens it.
  dataDir = await mkdtemp(join(tmpdir(), "outcry-paging-"));
  const store = await startEmbeddedStore({ dataDir: join(dataDir, "db"), tableName: "outcry" });
  const client = createDocumentClient({ endpoint: store.endpoint });
  const table = { client, tableName: store.tableName };
  const statuses = new DynamoServiceStatusStore(table);
  const incidents = new DynamoIncidentStore(table, 30);
  const startedAt = Date.now() - 60 * MINUTE_MS;
  for (const id of inOutage) {
    const incident = {
      id: incidentId(id, startedAt),
      service: id,
      startedAt,
      openedAt: startedAt,
      countAtOpen: 100,
      baselineAtOpen: 10,
      peak: { count: 100, at: startedAt },
      falloffs: [],
      resolvedAt: null,
      correlatedWith: [],
    };
    await incidents.put(incident, { subject: "outage", text: "outage", sms: "outage" }, startedAt);
    await statuses.record(
      id,
      { status: "normal", openIncident: null },
      { status: "outage", openIncident: incident.id },
      startedAt,
    );
  }
  client.destroy();
  await store.close();
  [runtime, browser] = await Promise.all([
    startLocalRuntime({ config, dataDir, port: 0, autoTick: false, print: () => {} }),
    launchChromium(120_000),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  expect(problems?.list ?? []).toEqual([]);
  problems = undefined;
});

/** Opens the overview; the `GET /services` requests it makes land in `asked`. */
async function open(): Promise<{ page: Page; asked: URLSearchParams[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  problems = await watchProblems(page);
  const asked: URLSearchParams[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/services") asked.push(url.searchParams);
  });
  await page.goto(`${runtime.url}/`);
  await page.waitForSelector("main[data-loaded]");
  return { page, asked };
}

/** Waits for the load after an action, and answers the ids of the cards shown. */
async function afterLoad(page: Page, act: () => Promise<void>): Promise<string[]> {
  const loads = Number(await page.locator("main").getAttribute("data-loaded"));
  await act();
  await expect
    .poll(async () => Number(await page.locator("main").getAttribute("data-loaded")))
    .toBeGreaterThan(loads);
  return page
    .locator("li.card")
    .evaluateAll((cards) => cards.map((card) => card.getAttribute("data-service") ?? ""));
}

const cardIds = (page: Page) =>
  page
    .locator("li.card")
    .evaluateAll((cards) => cards.map((card) => card.getAttribute("data-service") ?? ""));

describe("the overview with more services than a page", () => {
  it("shows one page of cards at a time and turns pages with the cursor", async () => {
    // Act
    const { page, asked } = await open();
    const first = await cardIds(page);
    const second = await afterLoad(page, () =>
      page.getByRole("button", { name: "Next page" }).click(),
    );
    const third = await afterLoad(page, () =>
      page.getByRole("button", { name: "Next page" }).click(),
    );
    const nextOnLast = await page.getByRole("button", { name: "Next page" }).isDisabled();
    const back = await afterLoad(page, () =>
      page.getByRole("button", { name: "Previous page" }).click(),
    );

    // Assess: every service once over the pages, never more than a page drawn or asked
    expect(first).toEqual(ids.slice(0, PAGE));
    expect(second).toEqual(ids.slice(PAGE, 2 * PAGE));
    expect(third).toEqual(ids.slice(2 * PAGE));
    expect(back).toEqual(second);
    expect(nextOnLast).toBe(true);
    expect(asked.length).toBeGreaterThanOrEqual(4);
    expect(asked.every((query) => query.get("limit") === String(PAGE))).toBe(true);
    expect(asked[0]?.has("cursor")).toBe(false);
    expect(asked[1]?.get("cursor")).toBeTruthy();
    expect(await page.locator(".pager").textContent()).toContain("Page 2");
    expect(await page.locator(".lead").textContent()).toBe(
      "Page 2: 50 services: 5 with an outage, 0 elevated, 45 normal.",
    );
  });

  it("filters by status and category, from the first page", async () => {
    // Prepare
    const { page, asked } = await open();
    await afterLoad(page, () => page.getByRole("button", { name: "Next page" }).click());

    // Act
    const outages = await afterLoad(page, async () => {
      await page.getByLabel("Status", { exact: true }).selectOption("outage");
    });
    const outageStatuses = await page.locator("li.card .status").allTextContents();
    const pagerHidden = await page.locator(".pager").isHidden();
    const isps = await afterLoad(page, async () => {
      await page.getByLabel("Category", { exact: true }).selectOption("isp");
    });

    // Assess
    expect(outages).toEqual(inOutage);
    expect(outageStatuses).toEqual(inOutage.map(() => "Outage"));
    expect(pagerHidden).toBe(true);
    expect(isps).toEqual(inOutage.filter((id) => ids.indexOf(id) % 3 === 1));
    const last = asked[asked.length - 1];
    expect([last?.get("status"), last?.get("category"), last?.has("cursor")]).toEqual([
      "outage",
      "isp",
      false,
    ]);
  });
});
