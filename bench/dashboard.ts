/**
 * Dashboard figures: the page's size as `GET /` serves it (gzipped) with the map's atlases
 * it fetches when it shows a map (`GET /atlas/{area}.json`), and how long headless
 * Chromium takes from navigation to the first complete render of 20 services (every card
 * and status, and the 24-hour chart of every card on or near the screen: the others load
 * when scrolled to), against the local runtime seeded with a day of the seed story.
 * Targets: at most 150 KB gzipped for the page and every atlas together; first render at
 * most 1 s (median of the loads). Beside it, the embeddable report button's page and
 * loader, by their own budgets.
 */
import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { REGION_AREAS } from "../contract/regions";
import { atlasText } from "../dashboard/atlas";
import { buildDashboardHtml, buildEmbedFiles } from "../dashboard/build";
import { launchChromium } from "../test/dashboard/browser";
import { type SeededService, startSeededRuntime } from "../test/support/seeded-runtime";

/** Budget of the page and every asset it may load later (the atlases), gzipped. */
export const DASHBOARD_GZIP_BUDGET_BYTES = 150 * 1024;
/** Budget of the embeddable report button's page (`GET /embed/report`), gzipped. */
export const EMBED_PAGE_GZIP_BUDGET_BYTES = 12 * 1024;
/** Budget of the loader a host page includes (`GET /embed.js`), as it is (not gzipped). */
export const EMBED_SCRIPT_BUDGET_BYTES = 1024;
/** Budget of the first render with {@link SERVICES} services. */
export const FIRST_RENDER_BUDGET_MS = 1000;
const SERVICES = 20;
const LOADS = 7;

/** Twenty services: the three carriers' columns in turn, every third an ordinary day. */
function benchServices(): SeededService[] {
  const columns = ["t-mobile", "verizon", "att"] as const;
  return Array.from({ length: SERVICES }, (_, i) => ({
    id: `service-${String(i + 1).padStart(2, "0")}`,
    name: `Service ${i + 1}`,
    category: "carrier",
    column: columns[i % columns.length] ?? "att",
    daysEarlier: i % 3 === 2 ? 1 : 0,
  }));
}

/** The bytes `GET path` sends to a browser that accepts gzip. */
function servedBytes(url: string, path = "/"): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { "accept-encoding": "gzip" } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on("end", () =>
        resolve({ bytes, encoding: String(response.headers["content-encoding"] ?? "identity") }),
      );
      response.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Prints the dashboard's size and first-render figures; false when one is over budget.
 * @example const ok = await dashboardBench();
 */
export async function dashboardBench(): Promise<boolean> {
  const html = await buildDashboardHtml();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const files = [
    { path: "/", text: html },
    ...REGION_AREAS.map((area) => ({ path: `/atlas/${area}.json`, text: atlasText(area) })),
  ].map((file) => ({ ...file, gzipped: gzipSync(file.text).length }));
  const gzipped = files.reduce((sum, file) => sum + file.gzipped, 0);
  const sizeOk = gzipped <= DASHBOARD_GZIP_BUDGET_BYTES;
  console.log(
    "\nDashboard (GET /): one HTML page, script and styles inlined, uPlot, d3-geo and topojson-client included; the map's atlases fetched only when a map is shown",
  );
  for (const file of files) {
    console.log(
      `  ${`GET ${file.path}`.padEnd(24)} ${kb(file.text.length).padStart(9)}, ${kb(file.gzipped).padStart(8)} gzipped`,
    );
  }
  console.log(
    `  all of it: ${kb(gzipped)} gzipped (zlib default level) — budget ${DASHBOARD_GZIP_BUDGET_BYTES / 1024} KB: ${sizeOk ? "ok" : "OVER"}`,
  );

  const embed = await buildEmbedFiles();
  const embedGzipped = gzipSync(embed.page).length;
  const embedOk =
    embedGzipped <= EMBED_PAGE_GZIP_BUDGET_BYTES &&
    embed.script.length <= EMBED_SCRIPT_BUDGET_BYTES;
  console.log("\nReport button (GET /embed/report, GET /embed.js)");
  console.log(
    `  page: ${(embed.page.length / 1024).toFixed(1)} KB, ${(embedGzipped / 1024).toFixed(1)} KB gzipped — budget ${EMBED_PAGE_GZIP_BUDGET_BYTES / 1024} KB; loader: ${embed.script.length} bytes — budget ${EMBED_SCRIPT_BUDGET_BYTES}: ${embedOk ? "ok" : "OVER"}`,
  );

  const seeded = await startSeededRuntime({ services: benchServices() });
  const browser = await launchChromium();
  try {
    for (const file of files) {
      const served = await servedBytes(seeded.url, file.path);
      console.log(
        `  ${file.path} as served by the local runtime: ${kb(served.bytes)} (${served.encoding})`,
      );
    }
    const times: number[] = [];
    let drawn = 0;
    let seriesRequests = 0;
    for (let i = 0; i < LOADS; i++) {
      // A new context each time: empty HTTP cache, like a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      let series = 0;
      page.on("request", (r) => {
        if (/\/series(\?|$)/.test(r.url())) series++;
      });
      await page.goto(`${seeded.url}/`);
      const handle = await page.waitForFunction(
        () => performance.getEntriesByName("outcry:first-render")[0]?.startTime,
        undefined,
        { timeout: 30_000 },
      );
      // Every card is there, and every card on the screen has its chart drawn.
      const cards = await page.locator("li.card").evaluateAll((items) =>
        items.map((card) => ({
          onScreen: card.getBoundingClientRect().top < window.innerHeight,
          chart: card.querySelector(".chart canvas") !== null,
        })),
      );
      const missing = cards.filter((c) => c.onScreen && !c.chart).length;
      if (cards.length !== SERVICES || missing > 0 || cards.every((c) => !c.onScreen)) {
        throw new Error(
          `expected ${SERVICES} cards with a chart on each one on screen; saw ${cards.length}, ${missing} without`,
        );
      }
      drawn = cards.filter((c) => c.chart).length;
      seriesRequests = series;
      times.push(Number(await handle.jsonValue()));
      await context.close();
    }
    const typical = median(times);
    const renderOk = typical <= FIRST_RENDER_BUDGET_MS;
    console.log(
      `  first render, ${SERVICES} services: median ${typical.toFixed(0)} ms over ${LOADS} loads (first, cold server: ${times[0]?.toFixed(0)} ms; all: ${times.map((t) => t.toFixed(0)).join(", ")}) — budget ${FIRST_RENDER_BUDGET_MS} ms: ${renderOk ? "ok" : "OVER"}`,
    );
    console.log(
      "  measured: headless Chromium (/usr/bin/chromium), 1280x900, fresh context per load, local runtime on loopback;",
    );
    console.log(
      `  from navigation start to the frame after /services, /incidents and the series of the cards on or near the screen are fetched and their charts drawn (performance mark outcry:first-render): ${drawn} of ${SERVICES} charts, ${seriesRequests} series requests; the rest load as they are scrolled to`,
    );
    return sizeOk && embedOk && renderOk;
  } finally {
    await browser.close();
    await seeded.stop();
  }
}
