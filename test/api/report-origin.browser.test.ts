/**
 * Pages of other sites cannot get a crowd report counted through their visitors'
 * browsers, in headless Chromium: a JSON fetch, a `no-cors` text POST and a form post
 * from a page on another origin are all refused, while a page on a listed embed origin
 * and a script without a browser are counted.
 *
 * The check of what counted is the dedup itself: every request comes from 127.0.0.1, so
 * a plain POST afterwards is `accepted` only if none of the page's reports counted.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../dashboard/browser";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";

let seeded: SeededRuntime;
let browser: Browser;
let foreign: FixtureServer;
let embed: FixtureServer;

const PAGE = {
  headers: { "content-type": "text/html" },
  body: "<!doctype html><title>page</title>",
};

beforeAll(async () => {
  [foreign, embed] = await Promise.all([startFixtureServer(), startFixtureServer()]);
  foreign.route("/", PAGE);
  embed.route("/", PAGE);
  [seeded, browser] = await Promise.all([
    startSeededRuntime({
      configure: (config) => ({
        ...config,
        // The challenge is not this test's subject: off, so only the origin rule decides.
        reports: { ...config.reports, embedOrigins: [embed.url], challenge: false },
      }),
    }),
    launchChromium(120_000),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
  await foreign?.close();
  await embed?.close();
});

/** Posts a report without a browser, as a script does; the answer's status. */
async function postDirectly(service: string): Promise<number> {
  const response = await fetch(`${seeded.runtime.url}/reports`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ service, problem: "no-signal" }),
  });
  return response.status;
}

describe("POST /reports from browser pages", () => {
  it("counts nothing a page of another site sends, however it sends it", async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(`${foreign.url}/`);
    const api = seeded.runtime.url;

    // Act
    const outcomes = await page.evaluate(async (base) => {
      const body = JSON.stringify({ service: "t-mobile", problem: "no-signal" });
      const tries: Record<string, string> = {};
      const attempt = async (name: string, send: () => Promise<Response>) => {
        try {
          tries[name] = String((await send()).status);
        } catch (error) {
          tries[name] = `blocked: ${(error as Error).name}`;
        }
      };
      await attempt("json", () =>
        fetch(`${base}/reports`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      );
      await attempt("no-cors", () =>
        fetch(`${base}/reports`, { method: "POST", mode: "no-cors", body }),
      );
      // A form post navigates a hidden frame; its answer is not readable across origins.
      const frame = document.createElement("iframe");
      frame.name = "sink";
      document.body.append(frame);
      const form = document.createElement("form");
      form.method = "POST";
      form.action = `${base}/reports`;
      form.enctype = "text/plain";
      form.target = "sink";
      const field = document.createElement("input");
      field.name = '{"service":"t-mobile","problem":"no-signal","x":"';
      field.value = '"}';
      form.append(field);
      document.body.append(form);
      const loaded = new Promise((done) => frame.addEventListener("load", done, { once: true }));
      form.submit();
      await loaded;
      return tries;
    }, api);
    await page.close();

    // Assess
    expect(outcomes.json).toMatch(/^blocked/);
    expect(outcomes["no-cors"]).toBe("0");
    expect(await postDirectly("t-mobile")).toBe(202);
  });

  it("counts a report from a page on a listed embed origin", async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(`${embed.url}/`);

    // Act
    const status = await page.evaluate(async (base) => {
      const response = await fetch(`${base}/reports`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ service: "verizon", problem: "no-signal" }),
      });
      return response.status;
    }, seeded.runtime.url);
    await page.close();

    // Assess
    expect(status).toBe(202);
    expect(await postDirectly("verizon")).toBe(200);
  });
});
