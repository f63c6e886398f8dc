/**
 * The status badge as a browser shows it: the SVG from a real request decodes in an
 * <img> at the width its text needs, the message box has the status colour, the title
 * names service and status; and the shields.io endpoint JSON says the same.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShieldsEndpointSchema } from "../../contract/api-schemas";
import { launchChromium } from "../dashboard/browser";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";

let seeded: SeededRuntime;
let browser: Browser;

beforeAll(async () => {
  [seeded, browser] = await Promise.all([startSeededRuntime(), launchChromium(120_000)]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
});

describe("GET /badge/{id}.svg", () => {
  it("draws the open T-Mobile outage red, as wide as its text, with an accessible title", async () => {
    // Arrange
    const page = await browser.newPage();
    const svg = await (await fetch(`${seeded.url}/badge/t-mobile.svg`)).text();
    const declaredWidth = Number(/width="(\d+)"/.exec(svg)?.[1]);

    // Act: decode it as an image and read a pixel of the message box's right end.
    await page.goto(`${seeded.url}/health`);
    const drawn = await page.evaluate(async (source) => {
      const image = new Image();
      image.src = `data:image/svg+xml;base64,${btoa(source)}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext("2d");
      context?.drawImage(image, 0, 0);
      const pixel = context?.getImageData(image.naturalWidth - 3, 10, 1, 1).data;
      return { width: image.naturalWidth, height: image.naturalHeight, pixel: [...(pixel ?? [])] };
    }, svg);
    await page.close();

    // Assess
    expect(drawn.height).toBe(20);
    expect(drawn.width).toBe(declaredWidth);
    // "T-Mobile" and "outage" in Verdana 11px with padding: about 60 + 50 pixels.
    expect(drawn.width).toBeGreaterThan(90);
    expect(drawn.width).toBeLessThan(130);
    const [red = 0, green = 0, blue = 0] = drawn.pixel;
    // #e05d44 under shields' faint gradient.
    expect(Math.abs(red - 0xe0)).toBeLessThan(24);
    expect(Math.abs(green - 0x5d)).toBeLessThan(24);
    expect(Math.abs(blue - 0x44)).toBeLessThan(24);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="T-Mobile: outage"');
    expect(svg).toContain("<title>T-Mobile: outage</title>");
  });
});

describe("GET /badge/{id}.json", () => {
  it("is a shields.io endpoint saying the same as the image, cacheable with an ETag", async () => {
    // Act
    const response = await fetch(`${seeded.url}/badge/verizon.json`);
    const body = await response.json();
    const { status } = await (await fetch(`${seeded.url}/services/verizon`)).json();
    const again = await fetch(`${seeded.url}/badge/verizon.json`, {
      headers: { "if-none-match": response.headers.get("etag") ?? "" },
    });

    // Assess
    expect(ShieldsEndpointSchema.safeParse(body).success).toBe(true);
    expect(body).toEqual({
      schemaVersion: 1,
      label: "Verizon",
      ...{
        normal: { message: "normal", color: "brightgreen" },
        elevated: { message: "elevated reports", color: "yellow" },
        outage: { message: "outage", color: "red" },
      }[status as "normal" | "elevated" | "outage"],
      cacheSeconds: 300,
    });
    expect(again.status).toBe(304);
  });
});
