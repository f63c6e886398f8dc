/**
 * Folded openings (`OutboxMessage.foldInto`): a dependent's opening goes with its
 * upstream service's opening whatever the category or the time between, and openings
 * ascribed to one provider incident go as one message across categories.
 */
import { describe, expect, it } from "vitest";
import { foldKey, groupOpened } from "../../lambdas/domain/grouping";
import type { OutboxMessage } from "../../lambdas/domain/ports";

const MIN = 60_000;
const T0 = Date.parse("2023-02-14T02:05:00Z");
const WINDOW = 5 * MIN;
const AWS_EC2 = foldKey({ kind: "stated", ref: "aws#aws-health#ec2-1" });

function opened(
  service: string,
  createdAt: number,
  category: string,
  foldInto?: string,
): OutboxMessage {
  return {
    key: `${service}-20230214T0200Z#opened`,
    incidentId: `${service}-20230214T0200Z`,
    transition: "opened",
    service,
    serviceName: service,
    category,
    summary: { subject: `${service} outage`, text: `${service} text`, sms: `${service} sms` },
    createdAt,
    ...(foldInto ? { foldInto } : {}),
  };
}

const keysOf = (groups: ReturnType<typeof groupOpened>) =>
  groups.map((g) => ({
    members: g.members.map((m) => m.service),
    joins: g.joins?.service ?? null,
  }));

describe("folded openings", () => {
  it("put a dependent of another category into its upstream's group of this round", () => {
    // Prepare
    const okta = opened("okta", T0, "app");
    const github = opened("github", T0 + MIN, "app");
    const bank = opened("bank", T0 + 2 * MIN, "other", okta.key);

    // Act
    const groups = groupOpened([bank, github, okta], [], WINDOW);

    // Assess
    expect(keysOf(groups)).toEqual([{ members: ["okta", "github", "bank"], joins: null }]);
  });

  it("join an upstream's opening sent long before, outside the window", () => {
    // Prepare
    const okta = opened("okta", T0, "app");
    const bank = opened("bank", T0 + 90 * MIN, "other", okta.key);

    // Act
    const groups = groupOpened([bank], [okta], WINDOW);

    // Assess
    expect(keysOf(groups)).toEqual([{ members: ["bank"], joins: "okta" }]);
  });

  it("group as usual when the upstream's opening is neither due nor sent", () => {
    // Prepare
    const bank = opened("bank", T0, "other", "okta-20230214T0100Z#opened");
    const shop = opened("shop", T0 + MIN, "other");

    // Act
    const groups = groupOpened([bank, shop], [], WINDOW);

    // Assess
    expect(keysOf(groups)).toEqual([{ members: ["bank", "shop"], joins: null }]);
  });

  it("send the openings ascribed to one provider incident as one, across categories", () => {
    // Prepare
    const slack = opened("slack", T0, "app", AWS_EC2);
    const isp = opened("isp", T0 + MIN, "isp", AWS_EC2);
    const zoom = opened("zoom", T0 + 2 * MIN, "app");

    // Act
    const groups = groupOpened([zoom, isp, slack], [], WINDOW);

    // Assess
    expect(keysOf(groups)).toEqual([
      { members: ["zoom"], joins: null },
      { members: ["slack", "isp"], joins: null },
    ]);
  });

  it("make a later opening ascribed to a provider incident an update of the first one sent", () => {
    // Prepare
    const slack = opened("slack", T0, "app", AWS_EC2);
    const figma = opened("figma", T0 + 40 * MIN, "app", AWS_EC2);

    // Act
    const groups = groupOpened([figma], [slack], WINDOW);

    // Assess
    expect(keysOf(groups)).toEqual([{ members: ["figma"], joins: "slack" }]);
  });
});
