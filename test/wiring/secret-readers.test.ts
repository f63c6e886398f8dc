/**
 * The secret readers: Secrets Manager through its real JSON protocol (a local server
 * playing the endpoint) with its ten-minute memory and its "not found" as null, and the
 * environment variables of a local run.
 */
import { describe, expect, it } from "vitest";
import {
  EnvironmentSecretReader,
  SecretsManagerSecretReader,
} from "../../lambdas/wiring/secret-readers";
import { useFixtureServer } from "../sources/source-harness";

const server = useFixtureServer();
const AMZ_JSON = { "content-type": "application/x-amz-json-1.1" };

function reader(now: () => number = Date.now) {
  return new SecretsManagerSecretReader(
    {
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    },
    now,
  );
}

describe("SecretsManagerSecretReader", () => {
  it("reads a secret's string by name, trimmed, and asks again only after ten minutes", async () => {
    // Prepare
    server.route("/", {
      headers: AMZ_JSON,
      body: JSON.stringify({ Name: "outcry/bluesky", SecretString: " pass-word\n" }),
    });
    let now = 0;
    const secrets = reader(() => now);

    // Act
    const first = await secrets.read("outcry/bluesky");
    now = 9 * 60_000;
    const cached = await secrets.read("outcry/bluesky");
    now = 11 * 60_000;
    const again = await secrets.read("outcry/bluesky");

    // Assess
    expect([first, cached, again]).toEqual(["pass-word", "pass-word", "pass-word"]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.headers["x-amz-target"]).toBe("secretsmanager.GetSecretValue");
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({ SecretId: "outcry/bluesky" });
  });

  it("reads a secret that does not exist, or is empty, as null, and asks again next time", async () => {
    // Prepare
    server.route(
      "/",
      {
        status: 400,
        headers: AMZ_JSON,
        body: JSON.stringify({
          __type: "ResourceNotFoundException",
          message: "Secrets Manager can't find the specified secret.",
        }),
      },
      { headers: AMZ_JSON, body: JSON.stringify({ Name: "outcry/bluesky", SecretString: "  " }) },
    );
    const secrets = reader();

    // Act
    const missing = await secrets.read("outcry/bluesky");
    const empty = await secrets.read("outcry/bluesky");

    // Assess
    expect([missing, empty]).toEqual([null, null]);
    expect(server.requests).toHaveLength(2);
    expect(secrets.howToSet("outcry/bluesky")).toMatch(
      /aws secretsmanager create-secret --name outcry\/bluesky/,
    );
  });

  it("throws any other failure, so the source's health shows it", async () => {
    // Prepare
    server.route("/", {
      status: 400,
      headers: AMZ_JSON,
      body: JSON.stringify({ __type: "AccessDeniedException", message: "not authorized" }),
    });

    // Act / Assess
    await expect(reader().read("outcry/bluesky")).rejects.toThrow(/not authorized/);
  });
});

describe("EnvironmentSecretReader", () => {
  it("reads OUTCRY_SECRET_<NAME>, an unset or blank variable as null", async () => {
    // Prepare
    const env = new EnvironmentSecretReader({
      OUTCRY_SECRET_OUTCRY_BLUESKY: "pw",
      OUTCRY_SECRET_TEAM_BSKY: " ",
    });

    // Act / Assess
    expect(await env.read("outcry/bluesky")).toBe("pw");
    expect(await env.read("team/bsky")).toBeNull();
    expect(await env.read("other")).toBeNull();
  });
});
