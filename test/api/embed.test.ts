/**
 * The embeddable report button's routes through real requests to the local runtime: the
 * page (framing by `reports.embedOrigins`, its own strict policy, the service written in
 * as data, caching) and the loader script; every other page stays unframeable.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_SERVICE_ELEMENT } from "../../contract/embedded-service";
import { parseConfig } from "../../lambdas/domain/config";
import { CHEAP_CHALLENGE } from "../support/report-client";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

const EMBED_ORIGINS = ["https://news.example", "http://localhost:8080"];
/** A name with markup in it: it must reach the page as text, never as markup. */
const HOSTILE_NAME = `Acme </script><b onclick="x">&'`;

const configWith = (embedOrigins: string[]) =>
  parseConfig({
    services: [
      { id: "t-mobile", name: "T-Mobile", category: "carrier", area: "us" },
      { id: "acme", name: HOSTILE_NAME, category: "app" },
    ],
    reports: { challenge: CHEAP_CHALLENGE, embedOrigins },
  });

let listed: TemporaryRuntime;
let unlisted: TemporaryRuntime;

beforeAll(async () => {
  [listed, unlisted] = await Promise.all([
    startTemporaryRuntime({ config: configWith(EMBED_ORIGINS) }),
    startTemporaryRuntime({ config: configWith([]) }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([listed?.stop(), unlisted?.stop()]);
});

const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** The data block the page's script reads the service from. */
function embeddedService(page: string): unknown {
  const block = new RegExp(
    `<script type="application/json" id="${EMBEDDED_SERVICE_ELEMENT}">([^<]*)</script>`,
  ).exec(page)?.[1];
  return block === undefined ? undefined : JSON.parse(block);
}

describe("GET /embed/report", () => {
  it("may be framed by the API itself and the listed origins only", async () => {
    // Act
    const response = await fetch(`${listed.url}/embed/report?service=t-mobile`);
    const page = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(
      "frame-ancestors 'self' https://news.example http://localhost:8080",
    );
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("etag")).toMatch(/^"/);
    expect(embeddedService(page)).toEqual({
      id: "t-mobile",
      name: "T-Mobile",
      category: "carrier",
      area: "us",
    });
    expect(page).toContain("<title>Report a problem with T-Mobile</title>");
  });

  it("may be framed by the API itself alone when no embed origin is listed", async () => {
    // Act
    const response = await fetch(`${unlisted.url}/embed/report?service=t-mobile`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe("frame-ancestors 'self'");
  });

  it("keeps every other page unframeable", async () => {
    // Act
    const dashboard = await fetch(`${listed.url}/`);
    const missing = await fetch(`${listed.url}/embed/report`);

    // Assess
    expect(dashboard.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(missing.headers.get("content-security-policy")).toBeNull();
  });

  it("runs only its own script and styles and talks only to its own origin", async () => {
    // Act
    const page = await (await fetch(`${listed.url}/embed/report?service=t-mobile`)).text();

    // Assess
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? "");
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(policy?.split("; ")).toEqual([
      "default-src 'none'",
      `script-src ${hash(scripts[0] ?? "")}`,
      `style-src ${hash(styles[0] ?? "")}`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//);
    expect(page).not.toContain("<!-- outcry:");
  });

  it("writes a service's name in as text, whatever it holds", async () => {
    // Act
    const page = await (await fetch(`${listed.url}/embed/report?service=acme`)).text();

    // Assess
    expect(embeddedService(page)).toMatchObject({ id: "acme", name: HOSTILE_NAME, area: "world" });
    expect(page).not.toContain("<b onclick");
    expect(page).toContain(
      "<title>Report a problem with Acme &lt;/script&gt;&lt;b onclick=&quot;x&quot;&gt;&amp;&apos;</title>",
    );
  });

  it("names the field and the fix for a missing or unknown service", async () => {
    // Act
    const missing = await fetch(`${listed.url}/embed/report`);
    const unknown = await fetch(`${listed.url}/embed/report?service=nope`);

    // Assess
    expect(missing.status).toBe(400);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect(await missing.json()).toMatchObject({
      field: "service",
      detail: expect.stringContaining("?service=t-mobile"),
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).detail).toContain("GET /services lists them");
  });
});

describe("GET /embed.js", () => {
  it("is a script, cached like the pages, that frames the button page", async () => {
    // Act
    const response = await fetch(`${listed.url}/embed.js`);
    const script = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(script).toContain("embed/report?service=");
    expect(script.length).toBeLessThan(2048);
  });
});
