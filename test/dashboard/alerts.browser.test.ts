/**
 * "Get alerts" as a person uses it, in headless Chromium against the local runtime with
 * email and SMS subscriptions on: its SNS stand-in writes what SNS would send to the
 * outbox file, so the test reads the confirmation link, the texted code and the alerts
 * there. The runtime starts at 8:41 p.m. ET on 13 February 2023, before T-Mobile's
 * outage, so a subscriber can be confirmed before the ticks that open and resolve it.
 * The last test has a runtime of its own with SMS off, as by default.
 * Each test also fails on any other console error, uncaught exception or CSP violation.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tokenKey } from "../../dashboard/src/alert-token";
import { parseConfig } from "../../lambdas/domain/config";
import { CHEAP_CHALLENGE } from "../support/report-client";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";
import { startTemporaryRuntime } from "../support/temporary-runtime";
import { launchChromium, type PageProblems, watchProblems } from "./browser";

/** Before the first T-Mobile bucket of the outage (02:00 GMT); the detector has the week. */
const BEFORE_OUTAGE = Date.parse("2023-02-14T01:41:00Z");
/** Past T-Mobile's recovery (resolved at 08:10 GMT in the seed story), with room. */
const AFTER_RECOVERY = Date.parse("2023-02-14T09:30:00Z");
const BUCKET_MS = 5 * 60_000;

let seeded: SeededRuntime;
let browser: Browser;
let problems: PageProblems | undefined;

beforeAll(async () => {
  [seeded, browser] = await Promise.all([
    startSeededRuntime({
      now: BEFORE_OUTAGE,
      configure: (config) => ({
        ...config,
        // The tests post from one address; the per-client limit is not their subject.
        subscriptions: { ...config.subscriptions, email: true, sms: true, perClientPerMinute: 20 },
      }),
    }),
    launchChromium(120_000),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
});

afterEach(() => {
  // Chromium logs every refused request (the 400 asked for below); nothing else may show.
  expect((problems?.list ?? []).filter((p) => !p.includes("Failed to load resource"))).toEqual([]);
  problems = undefined;
});

type OutboxLine = Record<string, string>;

/** The outbox file's lines of one kind, to one address. */
async function outbox(kind: string, to: string): Promise<OutboxLine[]> {
  const text = await readFile(seeded.runtime.outboxFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxLine)
    .filter((line) => line.kind === kind && line.to === to);
}

/** Ticks the clock a bucket at a time until `done` holds, or throws at `until`. */
async function tickUntil(done: () => Promise<boolean>, until: number): Promise<void> {
  while (!(await done())) {
    if (seeded.now() >= until) throw new Error(`nothing by ${new Date(until).toISOString()}`);
    seeded.setNow(seeded.now() + BUCKET_MS);
    await seeded.runtime.tick();
  }
}

async function open(hash = "", url = seeded.url): Promise<Page> {
  const context = await browser.newContext({
    locale: "en-US",
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  problems = await watchProblems(page);
  await page.goto(`${url}/${hash}`);
  await page.waitForSelector("main[data-loaded]");
  return page;
}

describe("Get alerts", () => {
  it("subscribes an email address to one service, which gets its opening and resolution", async () => {
    // Arrange
    const address = "ana@example.org";
    const page = await open("#/service/t-mobile");
    await page.locator(".alerts-service").click();
    const dialog = page.locator("dialog.alerts-dialog[open]");
    expect(await dialog.locator("h2").textContent()).toBe("Get alerts about T-Mobile");
    expect(await dialog.getByLabel("Only T-Mobile").isChecked()).toBe(true);

    // Act: the form, then SNS's link from the confirmation email
    await dialog.getByLabel("Email address").fill(address);
    await dialog.getByRole("button", { name: "Get alerts" }).click();
    await dialog.getByText("Check your inbox for a message from AWS Notifications").waitFor();
    const [confirmation] = await outbox("sns-confirmation", address);
    const confirmed = await fetch(confirmation?.confirmUrl ?? "");

    // Assert: confirmed, and nothing but the confirmation sent yet
    expect(confirmed.status).toBe(200);
    expect(await outbox("email", address)).toEqual([]);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain(
      "Check your inbox",
    );

    // Act: the outage opens
    await tickUntil(async () => (await outbox("email", address)).length > 0, AFTER_RECOVERY);

    // Assert: one email for the opening of T-Mobile's incident
    const incidents = (await (await fetch(`${seeded.url}/incidents?service=t-mobile`)).json()) as {
      incidents: { status: string }[];
    };
    expect(incidents.incidents.map((i) => i.status)).toEqual(["open"]);
    const [opening] = await outbox("email", address);
    expect(opening?.subject).toMatch(/^T-Mobile outage: more than [\d,]+ reports at /);

    // Act: the clock moves past the recovery
    const resolved = async () =>
      (await outbox("email", address)).some((e) => /^Resolved: T-Mobile/.test(e.subject ?? ""));
    await tickUntil(resolved, AFTER_RECOVERY);

    // Assert: a still-elevated reminder, the resolution, and nothing about the other
    // carriers (only T-Mobile asked for)
    const emails = await outbox("email", address);
    expect(emails.map((e) => e.subject)).toEqual([
      opening?.subject,
      expect.stringMatching(/^T-Mobile still elevated after 2 h/),
      expect.stringMatching(/^Resolved: T-Mobile outage/),
    ]);
    // Verizon's outage was resolved meanwhile too: a message this subscriber was not sent.
    expect(seeded.lines.some((l) => l.includes("Resolved: Verizon outage"))).toBe(true);

    // Act: the email's unsubscribe link
    const unsubscribeUrl = emails[1]?.unsubscribeUrl ?? "";
    const ended = await fetch(unsubscribeUrl);

    // Assert: ended at SNS, so the link names no subscription any more
    expect(ended.status).toBe(200);
    expect(await outbox("sns-unsubscribed", address)).toHaveLength(1);
    expect((await fetch(unsubscribeUrl)).status).toBe(404);
  });

  it("confirms a text number with the code it was sent, and Stop alerts ends it", async () => {
    // Arrange
    const phone = "+15555550123";
    const page = await open();
    await page.locator(".alerts-get").click();
    const dialog = page.locator("dialog.alerts-dialog[open]");
    expect(await dialog.locator("fieldset", { hasText: "Alerts about" }).isVisible()).toBe(false);

    // Act: the number, then the code from the text
    await dialog.getByLabel("Text message (SMS)").check();
    await dialog.getByLabel("Phone number").fill("+1 555 555 0123");
    await dialog.getByLabel("Also tell me when an outage grows").check();
    await dialog.getByRole("button", { name: "Get alerts" }).click();
    await dialog.getByLabel("Six-digit code").waitFor();
    const [text] = await outbox("sms-code", phone);
    const code = /\b(\d{6})\b/.exec(text?.text ?? "")?.[1] ?? "";
    await dialog.getByLabel("Six-digit code").fill(code);
    await dialog.getByRole("button", { name: "Confirm" }).click();

    // Assert: confirmed, told, the token kept for this origin, Stop alerts offered
    await dialog.getByText("Your text alerts are confirmed.").waitFor();
    await page.locator("#notice", { hasText: "confirmed" }).waitFor();
    const key = tokenKey(new URL(seeded.url).origin);
    expect(await page.evaluate((k) => localStorage.getItem(k), key)).toMatch(/.+/);
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("alerts-get");

    // Act: a later visit stops the alerts
    await page.reload();
    await page.waitForSelector("main[data-loaded]");
    const answer = page.waitForResponse((r) => r.url().endsWith("/subscriptions/unsubscribe"));
    await page.getByRole("button", { name: "Stop alerts" }).click();

    // Assert: answered 200, said, forgotten, and gone from SNS
    expect((await answer).status()).toBe(200);
    await page.locator("#notice", { hasText: "Your alerts are stopped." }).waitFor();
    expect(await page.evaluate((k) => localStorage.getItem(k), key)).toBeNull();
    expect(await page.getByRole("button", { name: "Stop alerts" }).isVisible()).toBe(false);
    const sns = join(dirname(seeded.runtime.outboxFile), "sns-subscriptions.json");
    const left = JSON.parse(await readFile(sns, "utf8")) as { address: string }[];
    expect(left.map((s) => s.address)).not.toContain(phone);
  });

  it("says in words what is wrong with an address and marks the field invalid", async () => {
    // Arrange
    const page = await open();
    await page.locator(".alerts-get").click();
    const dialog = page.locator("dialog.alerts-dialog[open]");
    const email = dialog.getByLabel("Email address");

    // Act: nothing typed
    await dialog.getByRole("button", { name: "Get alerts" }).click();

    // Assert: asked for, before anything is sent
    await dialog.getByText("Type your email address, then choose Get alerts.").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");

    // Act: an address the API refuses (400, field "email")
    await email.fill("ana@example");
    const answer = page.waitForResponse((r) => r.url().endsWith("/subscriptions"));
    await dialog.getByRole("button", { name: "Get alerts" }).click();

    // Assert: the refusal in words, the field still marked and focused, nothing sent
    expect((await answer).status()).toBe(400);
    await dialog.getByText("That is not an email address.").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    expect(await email.evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await outbox("sns-confirmation", "ana@example")).toEqual([]);
  });

  it("says plainly when the deployment sends no texts (404)", async () => {
    // Arrange: subscriptions as configured by default: email on, SMS off
    const config = parseConfig({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      reports: { challenge: CHEAP_CHALLENGE },
    });
    const plain = await startTemporaryRuntime({ config });
    try {
      const page = await open("", plain.url);
      await page.locator(".alerts-get").click();
      const dialog = page.locator("dialog.alerts-dialog[open]");
      const phone = dialog.getByLabel("Phone number");

      // Act
      await dialog.getByLabel("Text message (SMS)").check();
      await phone.fill("+15555550123");
      const answer = page.waitForResponse((r) => r.url().endsWith("/subscriptions"));
      await dialog.getByRole("button", { name: "Get alerts" }).click();

      // Assert
      expect((await answer).status()).toBe(404);
      await dialog
        .getByText("This outcry does not send text messages. Choose Email instead.")
        .waitFor();
      expect(await phone.getAttribute("aria-invalid")).toBe("true");
    } finally {
      await plain.stop();
    }
  });
});
