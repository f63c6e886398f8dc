/**
 * Headless Chromium for the dashboard's browser test and bench: Debian's package at
 * /usr/bin/chromium driven by playwright-core, which never downloads a browser of its own.
 * The flags keep Chromium off the network (the test machines have none) and quiet.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where Debian's chromium package puts the browser (`apt-get install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** Launch flags: headless, no sandbox (containers), nothing phoning home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches Chromium, first waiting up to `waitMs` for the package to finish installing.
 * @throws Error naming the package to install when it never appears
 */
export async function launchChromium(waitMs = 0): Promise<Browser> {
  const deadline = Date.now() + waitMs;
  while (!existsSync(CHROMIUM)) {
    if (Date.now() >= deadline) {
      throw new Error(
        `no browser at ${CHROMIUM}: install Debian's package (apt-get install chromium)`,
      );
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What went wrong on a page: console errors, uncaught exceptions, CSP violations. */
export interface PageProblems {
  list: string[];
}

/**
 * Records console errors and uncaught exceptions of `page`, and CSP violations (reported
 * by a listener installed before any of the page's own scripts run).
 */
export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { list: [] };
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.list.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.list.push(`uncaught: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.list.push(`a script opened a ${dialog.type()} dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.exposeFunction("__reportCspViolation", (text: string) =>
    problems.list.push(`CSP violation: ${text}`),
  );
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation(text: string): void })
        .__reportCspViolation;
      report(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sample})`,
      );
    });
  });
  return problems;
}

/** Pixels of a chart's canvas by what they show (colours from dashboard/src/chart.ts). */
export async function paint(page: Page, scope: string) {
  return page
    .locator(`${scope} .chart canvas`)
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const context = canvas.getContext("2d");
      if (!context || canvas.width === 0) {
        return { line: 0, incident: 0, band: 0, grey: 0, width: 0 };
      }
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let line = 0;
      let incident = 0;
      let band = 0;
      let grey = 0;
      for (let i = 0; i < data.length; i += 4) {
        // The canvas is transparent: see each pixel over the card's white.
        const alpha = (data[i + 3] ?? 0) / 255;
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]].map(
          (c = 0) => c * alpha + 255 * (1 - alpha),
        ) as [number, number, number];
        if (r > 150 && g < 100 && b < 100) line++;
        else if (r > 240 && g > 200 && g - b > 15 && r - g > 8) incident++;
        else if (b - r > 8 && b > 200 && g < b) band++;
        // Near-neutral mid greys: the partial points' hatching (tinted where it crosses an
        // incident's shading or the band), and the axes' text and dashes.
        else if (Math.max(r, g, b) - Math.min(r, g, b) < 32 && r > 90 && r < 225) grey++;
      }
      return { line, incident, band, grey, width: canvas.width };
    });
}
