/**
 * The likely upstream (`domain/upstream.ts`): a provider's stated incident named for a
 * wave, a declared dependency for any opening (in its scope, or its upstream service's
 * own incident), and silence when nothing fits.
 */
import { describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { Incident } from "../../lambdas/domain/incident";
import {
  likelyUpstream,
  parseDependency,
  type StatedRecord,
  upstreamServices,
} from "../../lambdas/domain/upstream";

const T = Date.parse("2023-02-14T01:50:00Z");
const SLACK_MS = 30 * MINUTE_MS;
const NOW = T + 3 * 60 * MINUTE_MS;

function incident(service: string, startedAt = T, resolvedAt: number | null = null): Incident {
  return {
    id: `${service}-x`,
    service,
    startedAt,
    openedAt: startedAt + 15 * MINUTE_MS,
    countAtOpen: 100,
    baselineAtOpen: 5,
    peak: { count: 500, at: startedAt + 30 * MINUTE_MS },
    falloffs: [],
    resolvedAt,
    correlatedWith: [],
  };
}

function stated(overrides: Partial<StatedRecord> = {}): StatedRecord {
  return {
    service: "aws",
    source: "aws-health",
    key: "arn:aws:health:us-east-1::event/EC2/1",
    title: "Increased API Error Rates",
    scopes: ["us-east-1", "ec2"],
    where: null,
    startedAt: T - 20 * MINUTE_MS,
    clearedAt: null,
    ...overrides,
  };
}

const SERVICES = upstreamServices([
  { id: "aws", name: "AWS", sources: [{ kind: "aws-health" }] },
  { id: "vendor", name: "Vendor", sources: [{ kind: "statuspage" }] },
  { id: "slack", name: "Slack", sources: [], dependsOn: ["aws:us-west-2"] },
  { id: "zoom", name: "Zoom", sources: [] },
  { id: "figma", name: "Figma", sources: [], dependsOn: ["aws:us-east-1"] },
  { id: "notion", name: "Notion", sources: [], dependsOn: ["figma"] },
]);

describe("likelyUpstream", () => {
  it("names a provider's overlapping incident for a wave, with its one stated scope", () => {
    // Act
    const named = likelyUpstream(
      incident("zoom"),
      [incident("zoom"), incident("vendor-less")],
      [stated({ scopes: ["us-east-1"] })],
      SERVICES,
      SLACK_MS,
      NOW,
    );

    // Assess
    expect(named).toEqual({
      service: "aws",
      kind: "stated",
      ref: "aws#aws-health#arn:aws:health:us-east-1::event/EC2/1",
      declared: false,
      text: "AWS us-east-1: Increased API Error Rates",
    });
  });

  it("stays silent for a lone opening, for a wave no provider spoke of, and for a non-provider's page", () => {
    // Assess: alone, even with a provider incident
    expect(likelyUpstream(incident("zoom"), [], [stated()], SERVICES, SLACK_MS, NOW)).toBeNull();
    // a wave, nothing stated
    const wave = [incident("zoom"), incident("other")];
    expect(likelyUpstream(incident("zoom"), wave, [], SERVICES, SLACK_MS, NOW)).toBeNull();
    // a wave, only a vendor's own page (not a provider) stated something
    const vendor = stated({ service: "vendor", source: "statuspage", key: "v1" });
    expect(likelyUpstream(incident("zoom"), wave, [vendor], SERVICES, SLACK_MS, NOW)).toBeNull();
  });

  it("does not name a provider incident that ended before the wave or began well after it resolved", () => {
    // Prepare
    const wave = [incident("other")];
    const ended = stated({ startedAt: T - 300 * MINUTE_MS, clearedAt: T - 31 * MINUTE_MS });
    const later = stated({ key: "later", startedAt: T + 121 * MINUTE_MS });
    const resolved = incident("zoom", T, T + 90 * MINUTE_MS);

    // Assess
    expect(likelyUpstream(resolved, wave, [ended, later], SERVICES, SLACK_MS, NOW)).toBeNull();
    // ended within the window: still together
    const justEnded = stated({ clearedAt: T - 29 * MINUTE_MS, startedAt: T - 60 * MINUTE_MS });
    expect(likelyUpstream(resolved, wave, [justEnded], SERVICES, SLACK_MS, NOW)?.ref).toContain(
      "EC2",
    );
  });

  it("names the place the format gives over the scopes", () => {
    const named = likelyUpstream(
      incident("zoom"),
      [incident("other")],
      [stated({ where: "us-east-1" })],
      SERVICES,
      SLACK_MS,
      NOW,
    );
    expect(named?.text).toBe("AWS us-east-1: Increased API Error Rates");
  });

  it("prefers the incident that began closest to the opening over one stated for months", () => {
    // Prepare
    const months = stated({
      key: "me-central-1",
      title: "Region Availability",
      scopes: ["me-central-1"],
      startedAt: T - 200 * 24 * 60 * MINUTE_MS,
    });

    // Act
    const named = likelyUpstream(
      incident("zoom"),
      [incident("other")],
      [months, stated()],
      SERVICES,
      SLACK_MS,
      NOW,
    );

    // Assess: two scopes stated, none declared: the provider alone
    expect(named?.text).toBe("AWS: Increased API Error Rates");
  });

  it("names a declared dependency in its scope without a wave, and not out of scope", () => {
    // Act
    const figma = likelyUpstream(incident("figma"), [], [stated()], SERVICES, SLACK_MS, NOW);
    const slack = likelyUpstream(incident("slack"), [], [stated()], SERVICES, SLACK_MS, NOW);

    // Assess
    expect(figma).toMatchObject({
      declared: true,
      kind: "stated",
      text: "AWS us-east-1: Increased API Error Rates",
    });
    expect(slack).toBeNull();
    // A record without scopes covers the whole provider.
    expect(
      likelyUpstream(incident("slack"), [], [stated({ scopes: [] })], SERVICES, SLACK_MS, NOW),
    ).toMatchObject({ declared: true, text: "AWS us-west-2: Increased API Error Rates" });
  });

  it("names an upstream service's own incident that began first, not one that began after", () => {
    // Prepare
    const figmaFirst = incident("figma", T - 10 * MINUTE_MS);
    const figmaAfter = incident("figma", T + 10 * MINUTE_MS);

    // Assess
    expect(likelyUpstream(incident("notion"), [figmaFirst], [], SERVICES, SLACK_MS, NOW)).toEqual({
      service: "figma",
      kind: "incident",
      ref: "figma-x",
      declared: true,
      text: "Figma",
    });
    expect(
      likelyUpstream(incident("notion"), [figmaAfter], [], SERVICES, SLACK_MS, NOW),
    ).toBeNull();
  });

  it("never names the service's own page", () => {
    // Assess
    const own = stated({ service: "zoom", source: "statuspage" });
    expect(
      likelyUpstream(
        incident("zoom"),
        [incident("other")],
        [own],
        upstreamServices([{ id: "zoom", name: "Zoom", provider: true, sources: [] }]),
        SLACK_MS,
        NOW,
      ),
    ).toBeNull();
  });

  it("cuts a long title at a word and keeps it on one line", () => {
    // Prepare
    const long = stated({ title: `Elevated\nerrors ${"and latency ".repeat(12)}`, scopes: [] });

    // Act
    const text = likelyUpstream(incident("figma"), [], [long], SERVICES, SLACK_MS, NOW)?.text;

    // Assess
    expect(text).toMatch(/^AWS us-east-1: Elevated errors and latency .*…$/);
    expect(text?.includes("\n")).toBe(false);
    expect((text ?? "").length).toBeLessThanOrEqual("AWS us-east-1: ".length + 81);
  });
});

describe("dependencies and providers", () => {
  it("reads a dependency with and without a scope", () => {
    expect(parseDependency("aws:US-East-1")).toEqual({ service: "aws", scope: "us-east-1" });
    expect(parseDependency("figma")).toEqual({ service: "figma", scope: null });
  });

  it("takes services read from a provider feed as providers unless told otherwise", () => {
    // Prepare
    const services = upstreamServices([
      { id: "aws", name: "AWS", sources: [{ kind: "aws-health" }] },
      { id: "gcp", name: "Google Cloud", sources: [{ kind: "gcp-status" }], provider: false },
      { id: "cloudflare", name: "Cloudflare", sources: [{ kind: "statuspage" }], provider: true },
      { id: "github", name: "GitHub", sources: [{ kind: "statuspage" }] },
    ]);

    // Assess
    expect(["aws", "gcp", "cloudflare", "github", "nobody"].map(services.isProvider)).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
  });
});
