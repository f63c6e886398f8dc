/**
 * api's policy, proven on every route (`api.auth` none and apiKey, and behind the front
 * door, with its origin secret read from Secrets Manager): the real handler over
 * the real use cases, its DynamoDB and Secrets Manager calls signed as api and decided
 * against its policy from the synthesized template, over a table that holds an incident,
 * its notifications and crowd reports; and no grant in that policy that the routes did
 * not use.
 */

import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { solveReportChallenge } from "../../contract/report-challenge-solver";
import { openApiText } from "../../lambdas/api/openapi";
import { MINUTE_MS, toIso } from "../../lambdas/domain/buckets";
import { createApiHandler } from "../../lambdas/handlers/api";
import { SnsSubscriptionGateway } from "../../lambdas/notify/sns-subscriptions";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { type GatedStack, startGatedStack } from "../support/iam/gated-stack";
import { httpEvent, lambdaContext } from "../support/lambda-events";
import { CHEAP_CHALLENGE } from "../support/report-client";

const T0 = Date.parse("2024-01-01T00:00:00Z");
/** Two quiet hours, a surge from the 28th bucket on, and now an hour after the quiet. */
const NOW = T0 + 34 * 5 * MINUTE_MS;
const API_KEY = "k3y-for-reads";
const ORIGIN_SECRET = "0r1g1n-secret-of-the-front-door";

/** Each way the API can be deployed: who reads, and whether CloudFront is in front. */
type Deployment = { auth: "none" | "apiKey"; frontDoor: boolean };

const config = ({ auth, frontDoor }: Deployment) => ({
  services: [
    { id: "t-mobile", name: "T-Mobile", category: "carrier", area: "us" },
    { id: "verizon", name: "Verizon", category: "carrier" },
  ],
  subscribers: [{ email: "noc@example.org" }],
  api: { auth, ...(frontDoor ? { frontDoor: {} } : {}) },
  // One waiting subscription fills the room, so the next request lists the topic.
  subscriptions: { sms: true, maxPending: 1 },
  // One counted report per network, so the capped path runs too.
  reports: { challenge: CHEAP_CHALLENGE, perNetwork: 1 },
});

/** An incident, its outbox entry and two hours of series, written with no function's rights. */
async function seed(gated: GatedStack): Promise<void> {
  const series = new DynamoSeriesStore(gated.unchecked, 30);
  for (let i = 0; i < 32; i++) {
    await series.putCount("t-mobile", "reports", T0 + i * 5 * MINUTE_MS, i < 27 ? 10 : 900);
    await series.putCount("verizon", "reports", T0 + i * 5 * MINUTE_MS, 10);
  }
  const setup = buildDependencies({
    config: gated.config,
    tableName: gated.tableName,
    client: gated.unchecked.client,
    notifiers: () => [],
    salt: async () => "",
    now: () => NOW,
  });
  await detectIncidents(setup.detect, NOW);
}

/** The api handler as its entry point builds it, on api's own clients. */
async function apiHandler(gated: GatedStack) {
  // The secrets module keeps one client per process: a fresh copy for this stack's gate.
  const api = gated.identity("api");
  vi.resetModules();
  vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", gated.gate.endpoint);
  vi.stubEnv("AWS_ACCESS_KEY_ID", api.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  vi.stubEnv("AWS_REGION", gated.gate.model.account.region);
  for (const name of [
    "REPORTER_SALT_SECRET_ARN",
    "API_KEY_SECRET_ARN",
    "FRONT_DOOR_ORIGIN",
    "FRONT_DOOR_SECRET_ARN",
  ]) {
    const value = api.environment[name];
    if (value) vi.stubEnv(name, value);
  }
  const secrets = await import("../../lambdas/wiring/secrets");
  const deps = buildDependencies({
    config: gated.config,
    tableName: api.environment.TABLE_NAME as string,
    client: gated.documents("api"),
    notifiers: () => [],
    salt: secrets.reporterSaltFromSecret,
    apiKeys: secrets.apiKeysFromSecret,
    edge: secrets.frontDoorFromEnvironment(),
    dashboard: async () => "<!doctype html><title>outcry</title>",
    openApi: async () => openApiText(gated.config.api.auth),
    subscriptionGateway: () =>
      new SnsSubscriptionGateway(
        new SNSClient(gated.clientSettings("api")),
        api.environment.TOPIC_ARN as string,
      ),
    now: () => NOW,
  });
  const handler = createApiHandler(() => deps.api);
  const fronted = api.environment.FRONT_DOOR_SECRET_ARN !== undefined;
  return async (event: ReturnType<typeof httpEvent>) => {
    const result = await handler(fronted ? throughFrontDoor(event) : event, lambdaContext("api"));
    return { status: result.statusCode ?? 0, body: String(result.body ?? "") };
  };
}

/**
 * A request as the front door forwards it: from one of CloudFront's addresses, with the
 * viewer's address and place and the origin secret beside it.
 */
function throughFrontDoor(event: ReturnType<typeof httpEvent>): ReturnType<typeof httpEvent> {
  const viewer = event.requestContext.http.sourceIp;
  return {
    ...event,
    headers: {
      ...event.headers,
      "x-outcry-origin-secret": ORIGIN_SECRET,
      "cloudfront-viewer-address": `${viewer}:443`,
      "cloudfront-viewer-country": "US",
      "cloudfront-viewer-country-region": "TX",
    },
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, sourceIp: "130.176.1.1" },
    },
  };
}

describe.each([
  { auth: "none", frontDoor: false },
  { auth: "apiKey", frontDoor: false },
  { auth: "none", frontDoor: true },
] as const)("api through the IAM gate, api.auth $auth, front door $frontDoor", (deployment) => {
  const { auth } = deployment;
  let gated: GatedStack;
  let call: Awaited<ReturnType<typeof apiHandler>>;
  const headers: Record<string, string> = auth === "apiKey" ? { "x-api-key": API_KEY } : {};

  beforeAll(async () => {
    gated = await startGatedStack(config(deployment), { secret: "reporter-salt" });
    const keySecret = gated.identity("api").environment.API_KEY_SECRET_ARN;
    if (keySecret) gated.aws.setSecret(API_KEY, keySecret);
    const originSecret = gated.identity("api").environment.FRONT_DOOR_SECRET_ARN;
    if (originSecret) gated.aws.setSecret(JSON.stringify({ current: ORIGIN_SECRET }), originSecret);
    await seed(gated);
    call = await apiHandler(gated);
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await gated?.close();
  });

  it("answers every route, reads and crowd reports, with nothing refused", async () => {
    // Act
    const get = (path: string, query = "") => call(httpEvent("GET", path, { query, headers }));
    const report = async (sourceIp = "203.0.113.9") => {
      const challenge = await call(httpEvent("GET", "/reports/challenge", { sourceIp }));
      const altcha = await solveReportChallenge(JSON.parse(challenge.body));
      const body = { service: "t-mobile", problem: "no-signal", altcha };
      return call(httpEvent("POST", "/reports", { body, sourceIp }));
    };
    const health = await get("/health");
    const page = await get("/");
    const openApi = await get("/openapi.json");
    const services = await get("/services");
    const outages = await get("/services", "status=outage&category=carrier");
    const normal = await get("/services", "status=normal&limit=1");
    const service = await get("/services/t-mobile");
    const series = await get("/services/t-mobile/series", `from=${toIso(T0)}&to=${toIso(NOW)}`);
    const incidents = await get("/incidents");
    const open = await get("/incidents", "service=t-mobile&status=open");
    const [first] = JSON.parse(incidents.body).incidents as { id: string }[];
    const incident = await get(`/incidents/${first?.id}`);
    const accepted = await report();
    const duplicate = await report();
    const neighbour = await report("203.0.113.10");
    const withoutKey = await call(httpEvent("GET", "/services"));
    const subscribe = async (address: Record<string, string>, sourceIp: string) => {
      const challenge = await call(httpEvent("GET", "/reports/challenge", { sourceIp }));
      const altcha = await solveReportChallenge(JSON.parse(challenge.body));
      return call(httpEvent("POST", "/subscriptions", { body: { ...address, altcha }, sourceIp }));
    };
    const texted = await subscribe({ phone: "+15555550123" }, "198.51.100.1");
    const { subscription } = JSON.parse(texted.body);
    const code = /outcry code (\d{6})/.exec(gated.aws.sns.deliveries.at(-1)?.body ?? "")?.[1];
    const confirmed = await call(
      httpEvent("POST", "/subscriptions/confirm", {
        body: { subscription, code },
        sourceIp: "198.51.100.1",
      }),
    );
    const { unsubscribeToken } = JSON.parse(confirmed.body);
    // The room is full of no waiting ones now: an email is taken, and the next lists the topic.
    const emailed = await subscribe({ email: "ana@example.org" }, "198.51.100.2");
    const full = await subscribe({ email: "bo@example.org" }, "198.51.100.3");
    const ended = await call(
      httpEvent("POST", "/subscriptions/unsubscribe", {
        body: { token: unsubscribeToken },
        sourceIp: "198.51.100.1",
      }),
    );

    // Assess
    expect(gated.gate.refusals()).toEqual([]);
    expect(
      [health, page, openApi, services, outages, normal, service, series, incidents, open].map(
        (r) => r.status,
      ),
    ).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200]);
    expect(incident.status).toBe(200);
    expect(JSON.parse(outages.body).services.map((s: { id: string }) => s.id)).toEqual([
      "t-mobile",
    ]);
    expect(JSON.parse(normal.body).services.map((s: { id: string }) => s.id)).toEqual(["verizon"]);
    expect(JSON.parse(incident.body).notifications).toHaveLength(1);
    expect(JSON.parse(open.body).incidents).toHaveLength(1);
    expect([accepted.status, duplicate.status]).toEqual([202, 200]);
    // Behind the front door the report counts where the edge saw the viewer.
    expect(JSON.parse(accepted.body).region).toBe(deployment.frontDoor ? "US-TX" : null);
    expect(JSON.parse(neighbour.body).status).toBe("capped");
    expect(withoutKey.status).toBe(auth === "apiKey" ? 401 : 200);
    expect([texted, confirmed, emailed, full, ended].map((r) => r.status)).toEqual([
      202, 200, 202, 503, 200,
    ]);
  });

  it("has no grant that the routes did not use", () => {
    // Act
    gated.lambdaServiceCalls("api");

    // Assess
    expect(gated.unusedGrants("api")).toEqual([]);
  });
});
