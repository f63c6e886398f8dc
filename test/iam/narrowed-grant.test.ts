/**
 * The layer can fail: with one grant narrowed in the synthesized template, the real code
 * path is refused as AWS would refuse it. collect without `dynamodb:PutItem` cannot store
 * a Statuspage annotation; the webhook function with its leading keys narrowed to one
 * webhook cannot claim a delivery to the other; detect without `kms:GenerateDataKey`
 * cannot publish to the encrypted topic.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import type { SNSEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { createWebhookHandler } from "../../lambdas/handlers/webhook";
import { SnsNotifier } from "../../lambdas/notify/sns-notifier";
import { postWebhook } from "../../lambdas/notify/webhook-post";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { DynamoWebhookDeliveryStore } from "../../lambdas/store/webhook-delivery-store";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { fixture } from "../sources/source-harness";
import { startFixtureServer } from "../support/fixture-server";
import {
  type FunctionName,
  type GatedStack,
  roleStatements,
  startGatedStack,
} from "../support/iam/gated-stack";
import type { TemplateJson } from "../support/iam/stand-ins";
import { lambdaContext } from "../support/lambda-events";
import { FIXTURE_NETWORK } from "../support/outbound";

const SERVICE = { id: "t-mobile", name: "T-Mobile", category: "carrier" };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

/** Edits every statement of `name`'s role policies in the template. */
function narrow(name: FunctionName, edit: (statement: Record<string, unknown>) => void) {
  return (template: TemplateJson, functions: Partial<Record<FunctionName, string>>) => {
    for (const statement of roleStatements(template, functions[name] as string)) edit(statement);
  };
}

/** Removes `action` from every statement that names it. */
function withoutAction(action: string) {
  return (statement: Record<string, unknown>) => {
    const actions = [statement.Action].flat() as string[];
    if (actions.includes(action)) statement.Action = actions.filter((a) => a !== action);
  };
}

async function gatedWith(config: unknown, editTemplate: Parameters<typeof startGatedStack>[1]) {
  const gated = await startGatedStack(config, editTemplate);
  open.push(gated);
  return gated;
}

const dependenciesOf = (gated: GatedStack, name: FunctionName, extra = {}) =>
  buildDependencies({
    config: gated.config,
    tableName: gated.tableName,
    client: gated.documents(name),
    notifiers: () => [],
    sources: (service, stores) => sourcesForService(service, stores, FIXTURE_NETWORK),
    salt: async () => "",
    now: Date.now,
    ...extra,
  });

describe("a narrowed grant", () => {
  it("refuses collect's annotation write once PutItem is gone from its policy", async () => {
    // Prepare: a Statuspage source whose incident updates become annotations
    const server = await startFixtureServer();
    open.push(server);
    const json = { "content-type": "application/json" };
    server.route("/api/v2/summary.json", {
      headers: json,
      body: fixture("statuspage", "summary.json"),
    });
    server.route("/api/v2/incidents.json", {
      headers: json,
      body: fixture("statuspage", "incidents.json"),
    });
    const gated = await gatedWith(
      { services: [{ ...SERVICE, sources: [{ kind: "statuspage", url: `${server.url}/` }] }] },
      { editTemplate: narrow("collect", withoutAction("dynamodb:PutItem")) },
    );
    const deps = dependenciesOf(gated, "collect");

    // Act
    const result = await collectCounts(deps.collect, Date.parse("2023-02-14T04:01:00Z"));
    const direct = deps.collect.annotations.put({
      service: "t-mobile",
      source: "statuspage",
      at: Date.parse("2023-02-14T03:50:00Z"),
      key: "inc-1",
      text: "Investigating",
    });

    // Assess: the SDK throws the error AWS sends, and the gate names the refused call
    const collect = gated.identity("collect");
    const message = `User: ${collect.principalArn} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${gated.tableName} because no identity-based policy allows the dynamodb:PutItem action`;
    await expect(direct).rejects.toMatchObject({ name: "AccessDeniedException", message });
    // The SDK's message names the role and the table: the source's health keeps only "internal".
    expect(result.failures).toEqual([
      { service: "t-mobile", source: "statuspage", error: message, reason: "internal" },
    ]);
    expect(gated.gate.refusals()[0]).toBe(
      `collect dynamodb:PutItem on arn:aws:dynamodb:us-east-1:000000000000:table/${gated.tableName} [LeadingKeys A#t-mobile]: refused: no identity-based policy allows it`,
    );
  }, 30_000);

  it("refuses the webhook function a delivery outside its narrowed leading keys", async () => {
    // Prepare: only noc-slack's delivery items instead of every webhook's
    const gated = await gatedWith(
      { services: [SERVICE], webhooks: [{ id: "noc-slack" }, { id: "ops" }] },
      {
        editTemplate: narrow("webhook", (statement) => {
          const condition = statement.Condition as
            | Record<string, Record<string, string[]>>
            | undefined;
          const keys = condition?.["ForAllValues:StringLike"];
          if (keys?.["dynamodb:LeadingKeys"]) keys["dynamodb:LeadingKeys"] = ["WEBHOOK#noc-slack"];
        }),
      },
    );
    const hook = await startFixtureServer();
    open.push(hook);
    hook.route("/hook", { body: "ok" });
    const handler = createWebhookHandler(() => ({
      deliveries: new DynamoWebhookDeliveryStore({
        client: gated.documents("webhook"),
        tableName: gated.tableName,
      }),
      urls: new Map(["noc-slack", "ops"].map((id) => [id, async () => `${hook.url}/hook`])),
      now: Date.now,
      post: (id, url, body) => postWebhook(id, url, body, { outbound: FIXTURE_NETWORK }),
    }));
    // Only ops in the audience: nothing else is still in flight when its claim is refused.
    const envelope = {
      key: "m-1#opened",
      audience: ["ops"],
      slack: { text: "T-Mobile outage" },
    };
    const event = {
      Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify(envelope) } }],
    };

    // Act
    const delivery = handler(event as unknown as SNSEvent, lambdaContext("webhook"));

    // Assess
    await expect(delivery).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        "is not authorized to perform: dynamodb:UpdateItem on resource",
      ),
    });
    expect(gated.gate.refusals()).toEqual([
      `webhook dynamodb:UpdateItem on arn:aws:dynamodb:us-east-1:000000000000:table/${gated.tableName} [LeadingKeys WEBHOOK#ops]: refused: no identity-based policy allows it`,
    ]);
  });

  it("refuses detect's publish when it may not use the topic's key", async () => {
    // Prepare: two quiet hours, then a surge; detect without kms:GenerateDataKey
    const gated = await gatedWith(
      { services: [SERVICE], subscribers: [{ email: "noc@example.org" }] },
      { editTemplate: narrow("detect", withoutAction("kms:GenerateDataKey")) },
    );
    const start = Date.parse("2024-01-01T00:00:00Z");
    const series = new DynamoSeriesStore(gated.unchecked, 30);
    for (let i = 0; i < 30; i++) {
      await series.putCount("t-mobile", "reports", start + i * 5 * MINUTE_MS, i < 27 ? 10 : 900);
    }
    const topicArn = gated.identity("detect").environment.TOPIC_ARN as string;
    const deps = dependenciesOf(gated, "detect", {
      notifiers: () => [new SnsNotifier(new SNSClient(gated.clientSettings("detect")), topicArn)],
    });

    // Act
    const result = await detectIncidents(deps.detect, start + 31 * 5 * MINUTE_MS);

    // Assess: SNS says so as KMSAccessDenied; the message waits in the outbox for a retry
    expect(result.delivery.failed.map((f) => f.error)).toEqual([
      expect.stringMatching(
        /^sns: User: .* is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:.* \(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException;/,
      ),
    ]);
    expect(gated.gate.refusals()).toEqual([
      expect.stringMatching(
        /^detect kms:GenerateDataKey on arn:aws:kms:us-east-1:000000000000:key\/NotificationsKey\w+: refused/,
      ),
    ]);
    expect(gated.aws.publishes).toEqual([]);
  });
});
