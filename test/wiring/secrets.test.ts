/**
 * The API keys and the front door's origin secret through the real Secrets Manager
 * client, answered at the wire: read again every minute, so a key added or revoked (a
 * rotated origin secret) takes effect in warm containers too.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  API_KEYS_MAX_AGE_MS,
  apiKeysFromSecret,
  frontDoorFromEnvironment,
  ORIGIN_SECRET_MAX_AGE_MS,
  originSecretValues,
  webhookUrlFromSecret,
} from "../../lambdas/wiring/secrets";
import { type FakeAws, startFakeAws } from "../support/fake-aws";

let aws: FakeAws;

beforeAll(async () => {
  aws = await startFakeAws("key-one");
  vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint);
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:keys");
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await aws?.close();
});

describe("apiKeysFromSecret", () => {
  it("reads one key per line, and again once a minute has passed", async () => {
    // Arrange: only the clock's date is faked; the SDK's own timers run as usual.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2024-03-01T10:00:00Z") });
    const first = await apiKeysFromSecret();
    aws.setSecret("key-one\nkey-two\n");

    // Act
    const soon = await apiKeysFromSecret();
    vi.setSystemTime(Date.now() + API_KEYS_MAX_AGE_MS + 1);
    const later = await apiKeysFromSecret();
    aws.setSecret("key-two");
    vi.setSystemTime(Date.now() + API_KEYS_MAX_AGE_MS + 1);
    const revoked = await apiKeysFromSecret();

    // Assess
    expect(first).toEqual(["key-one"]);
    expect(soon).toEqual(["key-one"]);
    expect(later).toEqual(["key-one", "key-two"]);
    expect(revoked).toEqual(["key-two"]);
    expect(aws.secretReads).toBe(3);
  });
});

describe("webhookUrlFromSecret", () => {
  it("says how to fill a secret that holds no URL yet, and reads it afresh next time", async () => {
    // Prepare: the stack made the secret; nobody has put the URL in it yet
    const id = "arn:aws:secretsmanager:us-east-1:000000000000:secret:noc-slack";
    aws.setSecret("replace me", id);
    const url = webhookUrlFromSecret("noc-slack", id);

    // Act: the first post finds no URL; the operator fills the secret; the retry posts
    const unfilled = await url().catch((error: Error) => error.message);
    aws.setSecret("https://hooks.slack.com/services/T0/B0/x", id);
    const filled = await url();

    // Assess
    expect(unfilled).toContain("does not hold its URL yet");
    expect(unfilled).toContain(`aws secretsmanager put-secret-value --secret-id ${id}`);
    expect(filled).toBe("https://hooks.slack.com/services/T0/B0/x");
  });
});

describe("the front door's origin secret", () => {
  it("is no edge when the stack put no front door, and needs the secret beside an origin", () => {
    expect(frontDoorFromEnvironment({})).toBeUndefined();
    expect(() =>
      frontDoorFromEnvironment({ FRONT_DOOR_ORIGIN: "https://d1.cloudfront.net" }),
    ).toThrow(/FRONT_DOOR_SECRET_ARN/);
  });

  it("takes current and, while rotating, previous, read again once a minute has passed", async () => {
    // Arrange
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2024-03-01T10:00:00Z") });
    const id = "arn:aws:secretsmanager:us-east-1:000000000000:secret:origin";
    aws.setSecret('{"current":"old"}', id);
    const edge = frontDoorFromEnvironment({
      FRONT_DOOR_ORIGIN: "https://d111111abcdef8.cloudfront.net",
      FRONT_DOOR_SECRET_ARN: id,
    });

    // Act
    const before = await edge?.secrets();
    aws.setSecret('{"current":"new","previous":"old"}', id);
    vi.setSystemTime(Date.now() + ORIGIN_SECRET_MAX_AGE_MS + 1);
    const rotating = await edge?.secrets();

    // Assess
    expect(edge?.origin).toBe("https://d111111abcdef8.cloudfront.net");
    expect(before).toEqual(["old"]);
    expect(rotating).toEqual(["new", "old"]);
  });

  it.each([
    ["not JSON", "just-a-value"],
    ["JSON without current", '{"previous":"old"}'],
    ["a blank current", '{"current":"  "}'],
  ])("refuses a secret that is %s, saying what it must hold", (_, text) => {
    expect(() => originSecretValues(text)).toThrow(/JSON with a "current" value/);
  });
});
