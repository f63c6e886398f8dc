/**
 * The likely upstream on a replayed mass outage, through the local runtime a user runs:
 * three SaaS services replay the seed story's three surges (13-14 February 2023) while
 * AWS's current-events feed, replayed from its recorded payload (UTF-16 behind a mark,
 * its times moved to the night of the surges), states an EC2 incident in us-east-1 that
 * began 20 minutes before them, beside a Middle East event stated for months and a
 * CloudFront event that began later. The incidents and the grouped message name AWS
 * us-east-1; a service that declared `dependsOn: ["aws:us-east-1"]` is folded into the
 * same message; with the feed stating nothing, nothing is named.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Service, ServiceSchema } from "../../lambdas/domain/config";
import type { Notifier, OutgoingMessage } from "../../lambdas/domain/ports";
import { fixture } from "../sources/source-harness";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server";
import { FIXTURE_NETWORK } from "../support/outbound";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";

const FEED_PATH = "/public/currentevents";
const UTF16_TYPE = { "content-type": "application/json;charset=utf-16" };
/** When the replayed EC2 event begins: 20 minutes before the first surge's first rise. */
const EC2_BEGINS = Date.parse("2023-02-14T01:30:00Z");

/** UTF-16BE behind its byte-order mark, as the dashboard serves the feed. */
const utf16 = (text: string) => Buffer.from(`\ufeff${text}`, "utf16le").swap16();

/** The recorded feed with every time moved by the same amount, so EC2's event begins at `EC2_BEGINS`. */
function replayedFeed(): string {
  const events = JSON.parse(fixture("aws-health", "currentevents.json")) as Record<
    string,
    unknown
  >[];
  const ec2 = events.find((e) => String(e.service).startsWith("ec2-"));
  const shiftSeconds = EC2_BEGINS / 1000 - Number(ec2?.date);
  const moved = (seconds: unknown) => String(Math.round(Number(seconds) + shiftSeconds));
  for (const event of events) {
    event.date = moved(event.date);
    for (const entry of (event.event_log as Record<string, unknown>[] | undefined) ?? []) {
      entry.timestamp = Number(moved(entry.timestamp));
    }
    delete event.impacted_service_status_changes;
  }
  return JSON.stringify(events);
}

/** A notifier that keeps what it was asked to send. */
function recorder(): Notifier & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    name: "recorder",
    sent,
    async send(message) {
      sent.push(message);
    },
  };
}

let server: FixtureServer | undefined;
let seeded: SeededRuntime | undefined;

afterEach(async () => {
  await seeded?.stop();
  await server?.close();
  seeded = undefined;
  server = undefined;
});

/** The seeded runtime with AWS watched through its feed, which answers `feed`. */
async function start(feed: string, dependsOn: Record<string, string[]> = {}) {
  server = await startFixtureServer();
  server.route(FEED_PATH, { headers: UTF16_TYPE, body: utf16(feed) });
  const aws: Service = ServiceSchema.parse({
    id: "aws",
    name: "AWS",
    category: "cloud",
    reports: { enabled: false },
    sources: [{ kind: "aws-health", url: server.url }],
  });
  const notifier = recorder();
  seeded = await startSeededRuntime({
    services: [
      { id: "slack", name: "Slack", category: "app", column: "t-mobile" },
      { id: "zoom", name: "Zoom", category: "app", column: "verizon" },
      { id: "figma", name: "Figma", category: "other", column: "att" },
    ],
    outbound: FIXTURE_NETWORK,
    notifiers: [notifier],
    configure: (config) => ({
      ...config,
      services: [aws, ...config.services.map((s) => ({ ...s, dependsOn: dependsOn[s.id] ?? [] }))],
    }),
  });
  type Listed = { service: string; likelyUpstream: { text: string; declared: boolean } | null };
  const { incidents } = (await (await fetch(`${seeded.url}/incidents`)).json()) as {
    incidents: Listed[];
  };
  const opened = notifier.sent.filter((m) => m.transition === "opened");
  return { incidents, opened };
}

describe("the likely upstream of a replayed mass outage", () => {
  it("names AWS us-east-1 on every incident of the wave and in the one grouped message", async () => {
    // Act
    const { incidents, opened } = await start(replayedFeed());

    // Assess: the wave opened, each incident names the EC2 event (not the older
    // me-central-1 one nor the later CloudFront one)
    const named = Object.fromEntries(incidents.map((i) => [i.service, i.likelyUpstream]));
    expect(Object.keys(named).sort()).toEqual(["figma", "slack", "zoom"]);
    for (const upstream of Object.values(named)) {
      expect(upstream).toEqual({
        service: "aws",
        text: "AWS us-east-1: Increased API Error Rates",
        declared: false,
      });
    }
    // One message for the three, whatever their categories, naming the upstream.
    expect(opened).toHaveLength(1);
    expect(opened[0]?.summary.subject).toMatch(/^Slack outage; .*also elevated/);
    expect(opened[0]?.summary.text).toContain(
      "Likely upstream: AWS us-east-1: Increased API Error Rates.",
    );
    expect(opened[0]?.summary.sms).toContain("Likely upstream: AWS us-east-1.");
  });

  it("folds a service that declared aws:us-east-1 into the message, as declared", async () => {
    // Act
    const { incidents, opened } = await start(replayedFeed(), { figma: ["aws:us-east-1"] });

    // Assess
    expect(incidents.find((i) => i.service === "figma")?.likelyUpstream).toMatchObject({
      declared: true,
      text: "AWS us-east-1: Increased API Error Rates",
    });
    expect(opened).toHaveLength(1);
    expect(opened[0]?.summary.text).toContain("Figma");
  });

  it("stays silent when the provider states nothing", async () => {
    // Act
    const { incidents, opened } = await start("[]");

    // Assess: the same wave, no upstream named anywhere
    expect(incidents.map((i) => i.service).sort()).toEqual(["figma", "slack", "zoom"]);
    expect(incidents.every((i) => i.likelyUpstream === null)).toBe(true);
    for (const message of opened) {
      expect(`${message.summary.text} ${message.summary.sms}`).not.toContain("upstream");
    }
    expect(opened.length).toBeGreaterThan(0);
  });
});
