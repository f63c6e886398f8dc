/**
 * The webhook channel in the template: one small function subscribed to the topic for
 * the configured webhooks, their URLs in Secrets Manager (created for the operator, or
 * named by the config) that only it may read, Lambda's retries into an alarmed
 * dead-letter queue, and no URL in the bundled config.
 */
import type { CfnElement } from "aws-cdk-lib";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { normalizeForBundle } from "../../lib/app-config";
import type { OutcryFunction } from "../../lib/constructs/outcry-function";
import type { OutcryStack } from "../../lib/outcry-stack";
import { type Synthesized, synthesize } from "./synth";

const NAMED_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:outcry/ops-chat-AbCdEf";

const withWebhooks = {
  services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
  subscribers: [{ email: "noc@example.org" }],
  webhooks: [
    { id: "noc-slack", url: "https://hooks.slack.com/services/T0/B0/local-only" },
    { id: "team", secret: "outcry/team-webhook", categories: ["carrier"] },
    { id: "ops-chat", secret: NAMED_ARN, updates: true },
  ],
};

let synthesized: Synthesized;
let webhooks: NonNullable<OutcryStack["webhooks"]>;
beforeAll(() => {
  synthesized = synthesize(withWebhooks);
  if (!synthesized.stack.webhooks) throw new Error("no webhook construct");
  webhooks = synthesized.stack.webhooks;
});

function logicalId(stack: OutcryStack, element: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(element.node.defaultChild as CfnElement);
}

/** Every statement of the function's role policies, sorted by action. */
function statements(fn: OutcryFunction) {
  const { stack, template } = synthesized;
  const policies = template.findResources("AWS::IAM::Policy", {
    Properties: { Roles: [{ Ref: logicalId(stack, fn.role) }] },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      policy.Properties.PolicyDocument.Statement as {
        Action: string | string[];
        Resource: unknown;
        Condition?: unknown;
      }[],
  );
}

describe("webhook function", () => {
  it("runs Node.js 24 on arm64 with the table and each webhook's secret in its environment", () => {
    const { stack, template } = synthesized;
    const created = logicalId(stack, webhooks.secrets.get("noc-slack") as never);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Description: "outcry webhook: posts notifications to Slack-compatible webhooks",
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      MemorySize: 256,
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: logicalId(stack, stack.table.table) },
          WEBHOOK_SECRETS: {
            "Fn::Join": [
              "",
              [
                '{"noc-slack":"',
                { Ref: created },
                `","team":"outcry/team-webhook","ops-chat":"${NAMED_ARN}"}`,
              ],
            ],
          },
        }),
      },
    });
  });

  // Which actions it may call is proven in test/iam/webhook-permissions.test.ts on its calls.
  it("reads only the three webhook secrets and updates only webhook delivery items", () => {
    const { stack } = synthesized;
    const fn = webhooks.function;
    const byAction = statements(fn).map((s) => ({
      actions: [s.Action].flat().sort(),
      resource: s.Resource,
    }));
    const secrets = byAction.find((s) => s.actions.includes("secretsmanager:GetSecretValue"));
    expect(secrets?.resource).toHaveLength(3);
    expect(secrets?.resource).toEqual(
      expect.arrayContaining([
        { Ref: logicalId(stack, webhooks.secrets.get("noc-slack") as never) },
        {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":secretsmanager:",
              { Ref: "AWS::Region" },
              ":",
              { Ref: "AWS::AccountId" },
              ":secret:outcry/team-webhook-??????",
            ],
          ],
        },
        NAMED_ARN,
      ]),
    );
    const table = statements(fn).find((s) => [s.Action].flat().includes("dynamodb:UpdateItem"));
    expect(table?.Resource).toEqual({ "Fn::GetAtt": [logicalId(stack, stack.table.table), "Arn"] });
    // Only the webhook delivery items, never the outbox or incidents.
    expect(table?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["WEBHOOK#*"] },
    });
    expect(JSON.stringify(statements(fn))).not.toMatch(/"Resource":"\*"/);
  });

  it("leaves detect and the other functions unable to read the webhook secrets", () => {
    for (const fn of [synthesized.stack.detect, synthesized.stack.collect, synthesized.stack.api]) {
      const resources = JSON.stringify(statements(fn));
      expect(resources).not.toContain("team-webhook");
      expect(resources).not.toContain(
        logicalId(synthesized.stack, webhooks.secrets.get("noc-slack") as never),
      );
    }
  });

  it("is subscribed to the topic for the webhooks' ids in the audience, and SNS may invoke it", () => {
    const { stack, template } = synthesized;
    const topic = { Ref: logicalId(stack, stack.notifications.topic) };
    const fnArn = { "Fn::GetAtt": [logicalId(stack, webhooks.function.function), "Arn"] };
    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: topic,
      Protocol: "lambda",
      Endpoint: fnArn,
      FilterPolicy: { audience: ["noc-slack", "team", "ops-chat"] },
      FilterPolicyScope: "MessageAttributes",
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: fnArn,
      Principal: "sns.amazonaws.com",
      SourceArn: topic,
    });
    // One subscription per subscriber and one for all webhooks.
    template.resourceCountIs("AWS::SNS::Subscription", 2);
  });

  it("retries a failed delivery twice, then keeps it in an alarmed dead-letter queue", () => {
    const { stack, template } = synthesized;
    const dlq = logicalId(stack, webhooks.deadLetterQueue);
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: logicalId(stack, webhooks.function.function) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [dlq, "Arn"] } } },
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    const alarmTopic = { Ref: logicalId(stack, stack.alarms.topic) };
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [dlq, "QueueName"] } }],
      AlarmActions: [alarmTopic],
    });
    for (const metric of ["Errors", "Throttles"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: metric,
        Dimensions: [
          { Name: "FunctionName", Value: { Ref: logicalId(stack, webhooks.function.function) } },
        ],
        AlarmActions: [alarmTopic],
      });
    }
  });

  it("creates a secret only for a webhook the config names none for, and outputs it", () => {
    const { stack, template } = synthesized;
    template.resourceCountIs("AWS::SecretsManager::Secret", 2); // the reporter salt, noc-slack
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      Description: "URL of the outcry webhook noc-slack: replace this value with it",
    });
    template.hasOutput("WebhookNocSlackSecret", {
      Value: { Ref: logicalId(stack, webhooks.secrets.get("noc-slack") as never) },
    });
  });

  it("warns that a webhook's url is for npm start only, and never bundles it", () => {
    const warnings = Annotations.fromStack(synthesized.stack).findWarning(
      "*",
      Match.stringLikeRegexp("webhooks\\[0\\]\\.url is used by npm start only"),
    );
    expect(warnings).toHaveLength(1);
    const { config } = normalizeForBundle(parseConfig(withWebhooks));
    expect(config.webhooks.map((w) => w.id)).toEqual(["noc-slack", "team", "ops-chat"]);
    expect(JSON.stringify(config)).not.toContain("hooks.slack.com");
  });

  it("is left out when the config has no webhooks", () => {
    const { stack, template } = synthesize({ ...withWebhooks, webhooks: [] });
    expect(stack.webhooks).toBeUndefined();
    template.resourcePropertiesCountIs("AWS::SNS::Subscription", { Protocol: "lambda" }, 0);
  });

  it("passes cdk-nag's AwsSolutions checks", () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(
      synthesized.stack,
    );
    expect(
      report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`,
      ),
    ).toEqual([]);
  });
});
