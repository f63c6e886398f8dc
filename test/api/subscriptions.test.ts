/**
 * Self-service subscriptions through real requests to the local runtime, whose SNS
 * stand-in writes what SNS would send (confirmations, codes) to the outbox file: nothing
 * reaches an address before it is confirmed, the limits hold, bad bodies name their field,
 * and no address is stored.
 */
import { readFile } from "node:fs/promises";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { createDocumentClient } from "../../lambdas/store/client";
import { CHEAP_CHALLENGE, solvedChallenge } from "../support/report-client";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

const running: TemporaryRuntime[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(subscriptions: Record<string, unknown> = {}) {
  const config = parseConfig({
    services: [
      { id: "t-mobile", name: "T-Mobile", category: "carrier" },
      { id: "verizon", name: "Verizon", category: "carrier" },
    ],
    reports: { challenge: CHEAP_CHALLENGE },
    subscriptions: { email: true, sms: true, ...subscriptions },
  });
  const runtime = await startTemporaryRuntime({ config });
  running.push(runtime);
  return runtime;
}

/** Lines of the outbox file, of one kind. */
async function outbox(runtime: TemporaryRuntime, kind?: string): Promise<Record<string, string>[]> {
  const text = await readFile(runtime.runtime.outboxFile, "utf8").catch(() => "");
  const lines = text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string>);
  return kind ? lines.filter((l) => l.kind === kind) : lines;
}

async function post(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function subscribe(
  url: string,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
) {
  return post(url, "/subscriptions", { ...body, altcha: await solvedChallenge(url) }, headers);
}

describe("POST /subscriptions: email", () => {
  it("answers 202 and sends nothing but SNS's confirmation, which its link confirms", async () => {
    // Arrange
    const runtime = await start();
    // Act
    const answer = await subscribe(runtime.url, {
      email: " Ana@Example.ORG ",
      services: ["t-mobile"],
    });
    // Assert
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: "pending", channel: "email", confirmWith: "link" });
    expect(String(answer.body.subscription)).toMatch(/^self-[0-9a-f]{20}$/);
    const sent = await outbox(runtime);
    expect(sent.map((l) => l.kind)).toEqual(["sns-confirmation"]);
    expect(sent[0]?.to).toBe("ana@example.org");
    const confirmed = await fetch(sent[0]?.confirmUrl ?? "");
    expect(confirmed.status).toBe(200);
    expect((await outbox(runtime)).map((l) => l.kind)).toEqual([
      "sns-confirmation",
      "sns-confirmed",
    ]);
  });

  it("answers a second request for the same address alike, and sends nothing again", async () => {
    // Arrange
    const runtime = await start();
    const first = await subscribe(runtime.url, { email: "ana@example.org" });
    // Act
    const second = await subscribe(runtime.url, { email: "ANA@example.org" });
    // Assert
    expect(second).toMatchObject({ status: 202, body: first.body });
    expect(await outbox(runtime, "sns-confirmation")).toHaveLength(1);
  });

  it("keeps no address in the store, only its keyed hash", async () => {
    // Arrange
    const runtime = await start();
    await subscribe(runtime.url, { email: "private.person@example.org" });
    await subscribe(runtime.url, { phone: "+15555550199" });
    // Act
    const store = JSON.parse(
      await readFile(`${runtime.dataDir}/sns-subscriptions.json`, "utf8"),
    ) as unknown[];
    const client = createDocumentClient({ endpoint: await dynaliteEndpoint(runtime) });
    const { Items = [] } = await client.send(new ScanCommand({ TableName: "outcry" }));
    // Assert
    const text = JSON.stringify(Items);
    expect(Items.filter((i) => i.pk === "SUB")).toHaveLength(2);
    expect(text).not.toContain("private.person");
    expect(text).not.toContain("5555550199");
    expect(store).toHaveLength(2);
  });
});

/** The embedded store's endpoint of a runtime (the address the runtime printed it at). */
async function dynaliteEndpoint(runtime: TemporaryRuntime): Promise<string> {
  return runtime.runtime.storeEndpoint;
}

describe("POST /subscriptions: SMS and its code", () => {
  it("texts one code, confirms with it, and the token unsubscribes", async () => {
    // Arrange
    const runtime = await start();
    const answer = await subscribe(runtime.url, { phone: "+1 (555) 555-0123", updates: true });
    const [text] = await outbox(runtime, "sms-code");
    const code = /\b(\d{6})\b/.exec(text?.text ?? "")?.[1] ?? "";
    // Act
    const confirmed = await post(runtime.url, "/subscriptions/confirm", {
      subscription: answer.body.subscription,
      code,
    });
    const token = String(confirmed.body.unsubscribeToken);
    const ended = await post(runtime.url, "/subscriptions/unsubscribe", { token });
    const again = await post(runtime.url, "/subscriptions/unsubscribe", { token });
    // Assert
    expect(answer).toMatchObject({ status: 202, body: { channel: "sms", confirmWith: "code" } });
    expect(text?.to).toBe("+15555550123");
    expect(confirmed).toMatchObject({ status: 200, body: { status: "confirmed" } });
    expect(ended).toMatchObject({ status: 200, body: { status: "unsubscribed" } });
    expect(again.status).toBe(200);
    const kept = JSON.parse(await readFile(`${runtime.dataDir}/sns-subscriptions.json`, "utf8"));
    expect(kept).toEqual([]);
  });

  it("counts wrong codes and drops the subscription after the last try", async () => {
    // Arrange
    const runtime = await start({ codeAttempts: 2, perDestinationPerDay: 1 });
    const answer = await subscribe(runtime.url, { phone: "+15555550123" });
    const [text] = await outbox(runtime, "sms-code");
    const code = /\b(\d{6})\b/.exec(text?.text ?? "")?.[1] ?? "";
    const wrong = code === "000000" ? "111111" : "000000";
    const attempt = (c: string) =>
      post(runtime.url, "/subscriptions/confirm", {
        subscription: answer.body.subscription,
        code: c,
      });
    // Act
    const first = await attempt(wrong);
    const second = await attempt(wrong);
    const right = await attempt(code);
    const renewed = await subscribe(runtime.url, { phone: "+15555550123" });
    // Assert
    expect(first).toMatchObject({ status: 400, body: { field: "code" } });
    expect(String(first.body.detail)).toContain("1 try left");
    expect(String(second.body.detail)).toContain("no tries are left");
    expect(right).toMatchObject({ status: 400, body: { field: "subscription" } });
    // One confirmation a day to that number: the second request is refused, not texted.
    expect(renewed.status).toBe(429);
    expect(await outbox(runtime, "sms-code")).toHaveLength(1);
  });

  it("refuses a forged unsubscribe token", async () => {
    // Arrange
    const runtime = await start();
    const answer = await subscribe(runtime.url, { phone: "+15555550123" });
    // Act
    const forged = await post(runtime.url, "/subscriptions/unsubscribe", {
      token: `${answer.body.subscription}.${"0".repeat(32)}`,
    });
    // Assert
    expect(forged).toMatchObject({ status: 400, body: { field: "token" } });
  });
});

describe("POST /subscriptions: what it refuses", () => {
  it.each([
    ["both channels", { email: "a@example.org", phone: "+15555550123" }, "email"],
    ["neither channel", { services: ["t-mobile"] }, "email"],
    ["a malformed address", { email: "not-an-address" }, "email"],
    ["a number without its country code", { phone: "555-0123" }, "phone"],
    ["an unknown service", { email: "a@example.org", services: ["nope"] }, "services.0"],
    ["an unknown category", { email: "a@example.org", categories: ["weather"] }, "categories.0"],
  ])("400 for %s, naming the field", async (_what, body, field) => {
    // Arrange
    const runtime = await start();
    // Act
    const answer = await subscribe(runtime.url, body);
    // Assert
    expect(answer).toMatchObject({ status: 400, body: { field } });
  });

  it("400 without a solved challenge, 415 for a body that is not JSON, 403 from another site", async () => {
    // Arrange
    const runtime = await start();
    // Act
    const unsolved = await post(runtime.url, "/subscriptions", { email: "a@example.org" });
    const form = await fetch(`${runtime.url}/subscriptions`, { method: "POST", body: "email=a" });
    const foreign = await subscribe(
      runtime.url,
      { email: "a@example.org" },
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    );
    // Assert
    expect(unsolved).toMatchObject({ status: 400, body: { field: "altcha" } });
    expect(form.status).toBe(415);
    expect(foreign.status).toBe(403);
    expect(await outbox(runtime)).toEqual([]);
  });

  it("404 for a channel that is off", async () => {
    // Arrange
    const runtime = await start({ sms: false });
    // Act
    const answer = await subscribe(runtime.url, { phone: "+15555550123" });
    // Assert
    expect(answer.status).toBe(404);
    expect(String(answer.body.detail)).toContain("subscriptions.sms");
  });

  it("503 with Retry-After once as many wait for confirmation as it takes", async () => {
    // Arrange
    const runtime = await start({ maxPending: 1 });
    await subscribe(runtime.url, { email: "first@example.org" });
    // Act
    const answer = await subscribe(runtime.url, { email: "second@example.org" });
    // Assert
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("3600");
    expect(await outbox(runtime, "sns-confirmation")).toHaveLength(1);
  });

  it("429 past perClientPerMinute requests from one address", async () => {
    // Arrange
    const runtime = await start({ perClientPerMinute: 2 });
    // Act
    const answers = [];
    for (const email of ["a@example.org", "b@example.org", "c@example.org"]) {
      answers.push(await subscribe(runtime.url, { email }));
    }
    // Assert
    expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
    expect(answers[2]?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
