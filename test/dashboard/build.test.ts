/**
 * The built page: one self-contained HTML file whose Content-Security-Policy allows its
 * own inline script and styles (by hash) and nothing else, as `GET /` serves it and as
 * `cdk synth` writes it into the api bundle.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { EMBED_PAGE_GZIP_BUDGET_BYTES, EMBED_SCRIPT_BUDGET_BYTES } from "../../bench/dashboard";
import {
  buildDashboardHtml,
  buildDashboardHtmlSync,
  buildEmbedFiles,
  buildEmbedFilesSync,
} from "../../dashboard/build";

const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

describe("buildDashboardHtml", () => {
  it("inlines everything and allows exactly its own script and styles", async () => {
    // Act
    const html = await buildDashboardHtml();

    // Assess
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? "");
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(policy).toContain(`script-src ${hash(scripts[0] ?? "")}`);
    expect(policy).toContain(`style-src ${hash(styles[0] ?? "")}`);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
    // Ignored in a meta policy (Chrome warns); the API sends it as a header instead.
    expect(policy).not.toContain("frame-ancestors");
    // Nothing is loaded from elsewhere: no external script, style sheet or font.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//);
    expect(html).not.toContain("<!-- outcry:");
    // uPlot is in the bundle, and its styles with it.
    expect(styles[0]).toContain(".uplot");
    expect(scripts[0]?.length).toBeGreaterThan(40_000);
  });

  it("builds the same page synchronously for cdk synth", async () => {
    expect(buildDashboardHtmlSync()).toBe(await buildDashboardHtml());
  });
});

describe("buildEmbedFiles", () => {
  it("keeps the report button's page and loader within their budgets", async () => {
    // Act
    const { page, script } = await buildEmbedFiles();

    // Assess
    expect(gzipSync(page).length).toBeLessThanOrEqual(EMBED_PAGE_GZIP_BUDGET_BYTES);
    expect(script.length).toBeLessThanOrEqual(EMBED_SCRIPT_BUDGET_BYTES);
    // The loader is one script with nothing of the page's in it.
    expect(script).not.toMatch(/<|altcha|sessionStorage/i);
  });

  it("builds the report button's page and loader the same way synchronously for cdk synth", async () => {
    expect(buildEmbedFilesSync()).toEqual(await buildEmbedFiles());
  });
});
