/**
 * tidySubscriptions over the real store (dynalite) and a gateway standing in for the
 * topic: waiting subscriptions past their time are dropped at SNS too; where the limits
 * are reached, what SNS knows (an email confirmed by its link, one ended by its
 * unsubscribe link) is taken in, and the topic is listed once, not per subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { PerMinuteRateLimiter } from "../../lambdas/domain/rate-limiter";
import type { SelfSubscription } from "../../lambdas/domain/subscription";
import type { SubscriptionGateway } from "../../lambdas/domain/subscription-ports";
import { DynamoSharedRateLimit } from "../../lambdas/store/rate-limit-store";
import { DynamoSpentChallenges } from "../../lambdas/store/spent-challenge-store";
import { DynamoSubscriptionStore } from "../../lambdas/store/subscription-store";
import { tidySubscriptions } from "../../lambdas/usecases/subscribe";
import { startTestTable, type TestTable } from "../support/embedded-table";

const NOW = Date.parse("2026-12-07T10:00:00Z");

let testTable: TestTable;
beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => {
  await testTable?.close();
});

/** The topic as a set of confirmed ARNs, with the calls made on it. */
function topic(confirmed: string[]) {
  const calls: string[] = [];
  const gateway: SubscriptionGateway = {
    subscribe: async () => "",
    sendText: async () => {},
    confirmedEndpoints: async () => {
      calls.push("list");
      return new Set(confirmed);
    },
    unsubscribe: async (endpoint) => {
      calls.push(`unsubscribe ${endpoint}`);
    },
  };
  return { gateway, calls };
}

const subscription = (id: string, changes: Partial<SelfSubscription>): SelfSubscription => ({
  id,
  channel: "email",
  destination: id,
  updates: false,
  state: "pending",
  createdAt: NOW - 3_600_000,
  confirmedAt: null,
  expiresAt: NOW + 3_600_000,
  endpoint: `arn:${id}`,
  codeHash: null,
  codeAttempts: 0,
  ...changes,
});

async function setUp(limits: Record<string, number>, confirmed: string[]) {
  const table = await testTable.freshTable();
  const subscriptions = new DynamoSubscriptionStore(table);
  const all = [
    subscription("expired", { expiresAt: NOW - 1 }),
    subscription("clicked", {}),
    subscription("waiting", {}),
    subscription("left", { state: "confirmed", confirmedAt: NOW - 7_200_000, expiresAt: null }),
    subscription("texts", { channel: "sms", state: "confirmed", expiresAt: null }),
  ];
  for (const s of all) await subscriptions.add(s);
  const { gateway, calls } = topic(confirmed);
  const deps = {
    config: parseConfig({
      services: [{ id: "a", name: "A", category: "app" }],
      subscriptions: limits,
    }),
    subscriptions,
    gateway,
    rateLimiter: new PerMinuteRateLimiter(),
    rateLimits: new DynamoSharedRateLimit(table),
    spentChallenges: new DynamoSpentChallenges(table),
    salt: async () => "salt",
  };
  return { deps, all, calls, subscriptions };
}

describe("tidySubscriptions", () => {
  it("drops only what expired while the limits are far, without listing the topic", async () => {
    // Arrange
    const { deps, all, calls, subscriptions } = await setUp({}, ["arn:clicked"]);
    // Act
    const left = await tidySubscriptions(deps, all, NOW);
    // Assert
    expect(left.map((s) => s.id)).toEqual(["clicked", "waiting", "left", "texts"]);
    expect(calls).toEqual(["unsubscribe arn:expired"]);
    expect(await subscriptions.get("expired")).toBeNull();
  });

  it("takes in what SNS knows once the waiting ones fill their room", async () => {
    // Arrange: "clicked" followed SNS's link; "left" used the unsubscribe link of an email
    const { deps, all, calls, subscriptions } = await setUp({ maxPending: 2 }, [
      "arn:clicked",
      "arn:texts",
    ]);
    // Act
    const left = await tidySubscriptions(deps, all, NOW);
    // Assert
    expect(left.map((s) => [s.id, s.state])).toEqual([
      ["clicked", "confirmed"],
      ["waiting", "pending"],
      ["texts", "confirmed"],
    ]);
    expect(calls).toEqual(["unsubscribe arn:expired", "list"]);
    expect((await subscriptions.get("clicked"))?.state).toBe("confirmed");
    expect(await subscriptions.get("left")).toBeNull();
  });
});
