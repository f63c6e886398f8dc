/**
 * A person subscribes themselves in the local runtime, as on a laptop with `npm start`:
 * real HTTP requests, the runtime's SNS stand-in writing the confirmation, the code and
 * each message a subscriber receives to the outbox file, and ticks of the same handlers
 * over a surge replayed from a CSV. Nothing reaches an address before it is confirmed; a
 * confirmed one hears the opening and the resolution; each way out ends it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, toIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { type LocalRuntime, startLocalRuntime } from "../../local/local-runtime";
import { CHEAP_CHALLENGE, solvedChallenge } from "../support/report-client";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const BUCKET_MS = 5 * MINUTE_MS;
/** A minute after bucket `index` closed. */
const tickAfter = (index: number) => T0 + index * BUCKET_MS + BUCKET_MS + MINUTE_MS;
/** T-Mobile: quiet, a surge from bucket 24 to 29, quiet again. */
const count = (index: number) => (index >= 24 && index < 30 ? 900 : 10);

let dir: string;
let runtime: LocalRuntime;
let now = tickAfter(19);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "outcry-subscriber-"));
  const csv = join(dir, "counts.csv");
  const rows = Array.from(
    { length: 50 },
    (_, i) => `${toIso(T0 + i * BUCKET_MS)},t-mobile,${count(i)}`,
  );
  await writeFile(csv, `timestamp,service,count\n${rows.join("\n")}\n`);
  runtime = await startLocalRuntime({
    config: parseConfig({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          reports: { enabled: false },
          sources: [{ kind: "replay", file: csv }],
        },
      ],
      reports: { challenge: CHEAP_CHALLENGE },
      subscriptions: { sms: true },
    }),
    dataDir: join(dir, "data"),
    port: 0,
    autoTick: false,
    clock: { now: () => now },
    print: () => {},
  });
  // The history before the test's first tick, as collect would have written it.
  const series = new DynamoSeriesStore(
    { client: createDocumentClient({ endpoint: runtime.storeEndpoint }), tableName: "outcry" },
    30,
  );
  for (let i = 0; i < 20; i++)
    await series.putCount("t-mobile", "replay", T0 + i * BUCKET_MS, count(i));
}, 60_000);
afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The outbox file's lines for `to`. */
async function sentTo(to: string): Promise<Record<string, string>[]> {
  const text = await readFile(runtime.outboxFile, "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string>)
    .filter((line) => line.to === to);
}

async function post(path: string, body: Record<string, unknown>) {
  const response = await fetch(`${runtime.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe("a self-service subscriber in the local runtime", () => {
  it("is confirmed, hears the opening and the resolution, and leaves", async () => {
    // Arrange: Ana subscribes by email and follows the link; a phone confirms its code
    const ana = await post("/subscriptions", {
      email: "ana@example.org",
      altcha: await solvedChallenge(runtime.url),
    });
    const [confirmation] = await sentTo("ana@example.org");
    const followed = await fetch(confirmation?.confirmUrl ?? "");
    const phone = await post("/subscriptions", {
      phone: "+15555550123",
      altcha: await solvedChallenge(runtime.url),
    });
    const [text] = await sentTo("+15555550123");
    const code = /outcry code (\d{6})/.exec(text?.text ?? "")?.[1];
    const confirmed = await post("/subscriptions/confirm", {
      subscription: phone.body.subscription,
      code,
    });
    const beforeAnything = [
      ...(await sentTo("ana@example.org")),
      ...(await sentTo("+15555550123")),
    ];

    // Act: the surge opens an incident; the phone leaves; the incident resolves
    for (let i = 20; i < 31; i++) {
      now = tickAfter(i);
      await runtime.tick();
    }
    const left = await post("/subscriptions/unsubscribe", {
      token: confirmed.body.unsubscribeToken,
    });
    for (let i = 31; i < 45; i++) {
      now = tickAfter(i);
      await runtime.tick();
    }
    const toAna = await sentTo("ana@example.org");
    const lastEmail = toAna.filter((l) => l.kind === "email").at(-1);
    const unsubscribed = await fetch(lastEmail?.unsubscribeUrl ?? "");

    // Assert
    expect([ana.status, followed.status, phone.status, confirmed.status, left.status]).toEqual([
      202, 200, 202, 200, 200,
    ]);
    expect(beforeAnything.map((l) => l.kind)).toEqual([
      "sns-confirmation",
      "sns-confirmed",
      "sms-code",
    ]);
    expect(toAna.filter((l) => l.kind === "email").map((l) => l.subject)).toEqual([
      expect.stringMatching(/^T-Mobile outage/),
      expect.stringMatching(/^Resolved: T-Mobile/),
    ]);
    expect((await sentTo("+15555550123")).map((l) => l.kind)).toEqual(["sms-code", "sms"]);
    expect(unsubscribed.status).toBe(200);
    expect((await sentTo("ana@example.org")).at(-1)?.kind).toBe("sns-unsubscribed");
  }, 60_000);
});
