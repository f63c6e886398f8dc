/**
 * The rules of a self-service subscription: addresses read strictly, codes and tokens
 * that only the deployment's key makes, and who is in audiences when.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import {
  codeHash,
  codeMatches,
  destinationKey,
  normalizeAddress,
  oneTimeCode,
  recipientOfSubscription,
  type SelfSubscription,
  subscriptionKey,
  subscriptionOfToken,
  unsubscribeToken,
} from "../../lambdas/domain/subscription";

const key = subscriptionKey("salt");

const subscription = (changes: Partial<SelfSubscription> = {}): SelfSubscription => ({
  id: "self-00112233445566778899",
  channel: "email",
  destination: "d",
  updates: false,
  state: "pending",
  createdAt: 0,
  confirmedAt: null,
  expiresAt: 1,
  endpoint: "arn:aws:sns:us-east-1:0:topic:1",
  codeHash: null,
  codeAttempts: 0,
  ...changes,
});

describe("normalizeAddress", () => {
  it.each([
    ["email", "  Ana.Lima+alerts@Example.ORG ", "ana.lima+alerts@example.org"],
    ["sms", "+1 (555) 555-0123", "+15555550123"],
    ["sms", "+44 20 7946 0958", "+442079460958"],
  ] as const)("reads %s %j as %j", (channel, raw, address) => {
    // Act
    const read = normalizeAddress(channel, raw);
    // Assert
    expect(read).toEqual({ ok: true, address });
  });

  it.each([
    ["email", "ana"],
    ["email", "ana@localhost"],
    ["email", "a b@example.org"],
    ["email", `${"a".repeat(65)}@example.org`],
    ["email", `a@${"b".repeat(250)}.org`],
    ["sms", "555-0123"],
    ["sms", "+0123456789"],
    ["sms", "+1 555 555 0123 ext 4"],
  ] as const)("refuses %s %j, saying what it should be", (channel, raw) => {
    // Act
    const read = normalizeAddress(channel, raw);
    // Assert
    expect(read.ok).toBe(false);
    expect(read.ok ? "" : read.problem).toMatch(channel === "email" ? /email address/ : /E\.164/);
  });

  it("refuses a hostile address of 254 characters whose labels almost match", () => {
    // Arrange: the longest address read, every label one character short of ending well
    const hostile = `a@${"a-a.".repeat(62)}a-`;
    // Act
    const read = normalizeAddress("email", hostile);
    // Assert
    expect(read.ok).toBe(false);
  });
});

describe("codes and tokens", () => {
  it("matches a code only for its own subscription and key", () => {
    // Arrange
    const hash = codeHash(key, "self-a", "123456");
    // Act and Assert
    expect(codeMatches(key, "self-a", "123456", hash)).toBe(true);
    expect(codeMatches(key, "self-a", "123457", hash)).toBe(false);
    expect(codeMatches(key, "self-b", "123456", hash)).toBe(false);
    expect(codeMatches(subscriptionKey("other"), "self-a", "123456", hash)).toBe(false);
  });

  it("draws six digits, zeros kept", () => {
    // Act and Assert
    expect(oneTimeCode(() => 42)).toBe("000042");
    expect(oneTimeCode(() => 999_999)).toBe("999999");
  });

  it("reads back only tokens it signed", () => {
    // Arrange
    const token = unsubscribeToken(key, "self-a");
    // Act and Assert
    expect(subscriptionOfToken(key, token)).toBe("self-a");
    expect(subscriptionOfToken(subscriptionKey("other"), token)).toBeNull();
    expect(subscriptionOfToken(key, token.replace("self-a", "self-b"))).toBeNull();
    expect(subscriptionOfToken(key, "self-a")).toBeNull();
    expect(subscriptionOfToken(key, `${token}x`.repeat(10))).toBeNull();
  });

  it("hashes one address alike however it was written, and each channel apart", () => {
    // Arrange
    const read = (raw: string) => {
      const r = normalizeAddress("email", raw);
      return r.ok ? r.address : "";
    };
    // Act and Assert
    expect(destinationKey(key, "email", read("Ana@Example.org"))).toBe(
      destinationKey(key, "email", read(" ana@example.org")),
    );
    expect(destinationKey(key, "email", "x")).not.toBe(destinationKey(key, "sms", "x"));
  });
});

describe("recipientOfSubscription", () => {
  it("hears from the start by email (SNS holds messages until the link), by SMS once confirmed", () => {
    // Act and Assert
    expect(recipientOfSubscription(subscription())?.id).toBe("self-00112233445566778899");
    expect(recipientOfSubscription(subscription({ channel: "sms" }))).toBeNull();
    expect(
      recipientOfSubscription(subscription({ channel: "sms", state: "confirmed" })),
    ).toMatchObject({ sms: expect.any(String), quietHours: [] });
  });
});

describe("subscriptions config", () => {
  it("refuses more subscriptions than SNS's filter policies a topic allow", () => {
    // Act
    const parse = () =>
      parseConfig({
        services: [{ id: "a", name: "A", category: "app" }],
        subscribers: [{ email: "noc@example.org" }],
        subscriptions: { max: 200 },
      });
    // Assert
    expect(parse).toThrow(
      /subscriptions\.max: .*SNS's 200 filter policies per topic; lower max to 199/,
    );
  });

  it("takes a larger max once the quota is raised, and email only by default", () => {
    // Act
    const config = parseConfig({
      services: [{ id: "a", name: "A", category: "app" }],
      subscriptions: { max: 5000, filterPolicyQuota: 10_000 },
    });
    // Assert
    expect(config.subscriptions).toMatchObject({ email: true, sms: false, max: 5000 });
  });
});
