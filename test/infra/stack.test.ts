/**
 * The synthesized CloudFormation template of the outcry stack, checked resource by
 * resource, plus cdk-nag's AWS Solutions rules on the construct tree.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CfnElement } from "aws-cdk-lib";
import { Annotations, Match, type Template } from "aws-cdk-lib/assertions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lambdas/domain/config";
import type { OutcryFunction } from "../../lib/constructs/outcry-function";
import type { OutcryStack } from "../../lib/outcry-stack";
import { type Synthesized, synthesize, writeConfig } from "./synth";

const services = [
  { id: "t-mobile", name: "T-Mobile", category: "carrier" },
  { id: "verizon", name: "Verizon", category: "carrier" },
  { id: "comcast", name: "Comcast", category: "isp" },
];

/** A config with one subscriber of each kind of filter, validated like a user's file. */
const withSubscribers = parseConfig({
  scheduleMinutes: 5,
  services,
  subscribers: [
    { email: "all@example.com", updates: true },
    { email: "tmo@example.com", services: ["t-mobile"] },
    { sms: "+15555550123", categories: ["isp"] },
    { email: "both@example.com", services: ["verizon"], categories: ["isp"] },
  ],
});

let standard: Synthesized;
let subscribed: Synthesized;

beforeAll(() => {
  standard = synthesize();
  subscribed = synthesize(withSubscribers);
});

function logicalId(stack: OutcryStack, element: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(element.node.defaultChild as CfnElement);
}

function functionProps(template: Template, stack: OutcryStack, fn: OutcryFunction) {
  const resources = template.findResources("AWS::Lambda::Function");
  const resource = resources[logicalId(stack, fn.function)];
  expect(resource, "function resource").toBeDefined();
  return resource?.Properties;
}

describe("table", () => {
  it("keys items by pk/sk strings, on demand, with PITR and TTL, and is retained", () => {
    standard.template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      },
    });
    standard.template.resourceCountIs("AWS::DynamoDB::Table", 1);
  });
});

describe("functions", () => {
  const expected = {
    collect: { memory: 256, timeout: 50, extra: [] as string[] },
    detect: { memory: 512, timeout: 50, extra: ["TOPIC_ARN", "NOTIFICATION_DLQ_URL"] },
    api: { memory: 512, timeout: 10, extra: ["REPORTER_SALT_SECRET_ARN"] },
  };

  it.each(Object.entries(expected))(
    "%s runs Node.js 24 on arm64 with its memory, timeout and environment",
    (name, { memory, timeout, extra }) => {
      const { stack, template } = standard;
      const fn = stack[name as keyof typeof expected];
      const props = functionProps(template, stack, fn);
      expect(props).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        MemorySize: memory,
        Timeout: timeout,
        LoggingConfig: { LogGroup: { Ref: logicalId(stack, fn.logGroup) } },
      });
      expect(Object.keys(props.Environment.Variables).sort()).toEqual(
        [
          "OUTCRY_CONFIG_FILE",
          "POWERTOOLS_LOG_LEVEL",
          "POWERTOOLS_SERVICE_NAME",
          "TABLE_NAME",
          ...extra,
        ].sort(),
      );
      expect(props.Environment.Variables).toMatchObject({
        OUTCRY_CONFIG_FILE: "outcry.config.json",
        POWERTOOLS_SERVICE_NAME: "outcry",
        POWERTOOLS_LOG_LEVEL: "INFO",
        TABLE_NAME: { Ref: logicalId(stack, stack.table.table) },
      });
    },
  );

  it("points detect at the topic and api at the salt secret", () => {
    const { stack, template } = standard;
    expect(functionProps(template, stack, stack.detect).Environment.Variables.TOPIC_ARN).toEqual({
      Ref: logicalId(stack, stack.notifications.topic),
    });
    expect(
      functionProps(template, stack, stack.api).Environment.Variables.REPORTER_SALT_SECRET_ARN,
    ).toEqual({ Ref: logicalId(stack, stack.reporterSalt.secret) });
  });

  it("keeps each function's logs for one month in its own group", () => {
    const { stack, template } = standard;
    for (const fn of [stack.collect, stack.detect, stack.api]) {
      template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
      expect(template.findResources("AWS::Logs::LogGroup")).toHaveProperty(
        logicalId(stack, fn.logGroup),
      );
    }
  });

  it("sends a failed scheduled run to its dead-letter queue instead of retrying it", () => {
    const { stack, template } = standard;
    for (const fn of [stack.collect, stack.detect]) {
      const schedule = fn === stack.collect ? "CollectSchedule" : "DetectSchedule";
      const queues = template.findResources("AWS::SQS::Queue");
      const dlq = Object.keys(queues).find((id) => id.startsWith(schedule));
      expect(dlq, `${schedule} dead-letter queue`).toBeDefined();
      template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
        FunctionName: { Ref: logicalId(stack, fn.function) },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: {
          OnFailure: { Destination: { "Fn::GetAtt": [dlq, "Arn"] } },
        },
      });
    }
  });
});

describe("schedules", () => {
  it.each(["collect", "detect"] as const)(
    "invokes %s every scheduleMinutes with two retries, a 2-minute age limit and a DLQ",
    (name) => {
      for (const [{ stack, template }, rate] of [
        [standard, "rate(1 minute)"],
        [subscribed, "rate(5 minutes)"],
      ] as const) {
        template.hasResourceProperties("AWS::Events::Rule", {
          ScheduleExpression: rate,
          State: "ENABLED",
          Targets: [
            Match.objectLike({
              Arn: { "Fn::GetAtt": [logicalId(stack, stack[name].function), "Arn"] },
              RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
              DeadLetterConfig: { Arn: { "Fn::GetAtt": [Match.anyValue(), "Arn"] } },
            }),
          ],
        });
      }
    },
  );

  it("uses encrypted, TLS-only dead-letter queues that keep events for 14 days", () => {
    const { template } = standard;
    // One per schedule, and one for notifications that keep failing.
    template.resourceCountIs("AWS::SQS::Queue", 3);
    template.resourcePropertiesCountIs(
      "AWS::SQS::Queue",
      { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 },
      3,
    );
    template.resourcePropertiesCountIs(
      "AWS::SQS::QueuePolicy",
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      },
      3,
    );
  });
});

describe("notifications", () => {
  it("encrypts the topic with a rotating customer-managed key and allows TLS only", () => {
    const { stack, template } = standard;
    template.hasResourceProperties("AWS::SNS::Topic", {
      KmsMasterKeyId: { "Fn::GetAtt": [logicalId(stack, stack.notifications.key), "Arn"] },
    });
    template.hasResourceProperties("AWS::KMS::Key", {
      Description: "Encrypts the outcry notification topic",
      EnableKeyRotation: true,
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: logicalId(stack, stack.notifications.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "sns:Publish",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });

  it("subscribes the default config's example address, and warns that it is one", () => {
    standard.template.resourceCountIs("AWS::SNS::Subscription", 1);
    standard.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
    });
    const warnings = Annotations.fromStack(standard.stack).findWarning(
      "*",
      Match.stringLikeRegexp("example address oncall@example.com"),
    );
    expect(warnings).toHaveLength(1);
  });

  it("subscribes nobody when the config has no subscribers", () => {
    const { template } = synthesize({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
    });
    template.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("subscribes each subscriber, filtering on its own id in the message's audience", () => {
    // The audience rules (services, categories, updates, quiet hours) are detect's; each
    // policy only asks for the subscriber's id: one key, one value.
    const { stack, template } = subscribed;
    const topic = { Ref: logicalId(stack, stack.notifications.topic) };
    template.resourceCountIs("AWS::SNS::Subscription", 4);
    for (const subscriber of withSubscribers.subscribers) {
      template.hasResourceProperties("AWS::SNS::Subscription", {
        TopicArn: topic,
        Protocol: subscriber.email ? "email" : "sms",
        Endpoint: subscriber.email ?? subscriber.sms,
        FilterPolicy: { audience: [subscriber.id] },
        FilterPolicyScope: "MessageAttributes",
      });
    }
    const ids = withSubscribers.subscribers.map((s) => s.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids.every((id) => /^sub-[0-9a-f]{10}$/.test(id))).toBe(true);
  });

  it("rejects the same endpoint subscribed twice, naming both entries", () => {
    const twice = {
      services,
      subscribers: [{ email: "a@example.com" }, { email: "a@example.com", categories: ["isp"] }],
    };
    expect(() => synthesize(twice)).toThrow(
      /subscribers\[1\]: a@example\.com is already subscribers\[0\]/,
    );
  });
});

describe("HTTP API", () => {
  it("sends every route to the api function, which answers CORS itself", () => {
    const { stack, template } = standard;
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.absent(),
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "$default",
      AuthorizationType: "NONE",
    });
    template.resourceCountIs("AWS::ApiGatewayV2::Route", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      IntegrationUri: { "Fn::GetAtt": [logicalId(stack, stack.api.function), "Arn"] },
    });
  });

  it("with api.auth iam, signs every route but the public ones, and nag agrees", () => {
    const iam = synthesize({ services, api: { auth: "iam" } });
    const routes = Object.values(iam.template.findResources("AWS::ApiGatewayV2::Route")).map(
      (route) => `${route.Properties.RouteKey} ${route.Properties.AuthorizationType}`,
    );
    expect(routes.sort()).toEqual([
      "$default AWS_IAM",
      "GET / NONE",
      "GET /health NONE",
      "GET /openapi.json NONE",
      "HEAD / NONE",
      "HEAD /health NONE",
      "HEAD /openapi.json NONE",
      "OPTIONS / NONE",
      "OPTIONS /{proxy+} NONE",
      "POST /reports NONE",
    ]);
    iam.template.hasOutput("ApiReadArn", {});
    const report = new AwsSolutionsChecks().validateScope(iam.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it("with api.auth apiKey, gives only api the key secret, and nag agrees", () => {
    const keyed = synthesize({ services, api: { auth: "apiKey" } });
    const secretId = logicalId(keyed.stack, keyed.stack.apiKey?.secret as never);
    expect(
      functionProps(keyed.template, keyed.stack, keyed.stack.api).Environment.Variables,
    ).toMatchObject({
      API_KEY_SECRET_ARN: { Ref: secretId },
    });
    const readers = Object.values(keyed.template.findResources("AWS::IAM::Policy")).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(`"Ref":"${secretId}"`),
    );
    expect(readers.map((p) => p.Properties.Roles)).toEqual([
      [{ Ref: logicalId(keyed.stack, keyed.stack.api.role) }],
    ]);
    keyed.template.hasOutput("ApiKeySecretArn", { Value: { Ref: secretId } });
    const report = new AwsSolutionsChecks().validateScope(keyed.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(standard.stack.apiKey).toBeUndefined();
  });

  it("takes the stage throttling from the config", () => {
    const { template } = synthesize({
      services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
      api: { rateLimit: 20, burstLimit: 40 },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  it("throttles and access-logs the default stage, without client addresses", () => {
    const { stack, template } = standard;
    template.resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: {
        DestinationArn: {
          "Fn::GetAtt": [logicalId(stack, stack.publicApi.accessLogs), "Arn"],
        },
        Format: Match.stringLikeRegexp("\\$context\\.requestId"),
      },
    });
    const [stage] = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"));
    expect(stage?.Properties.AccessLogSettings.Format).not.toContain("sourceIp");
  });
});

describe("alarms", () => {
  it("alarms on errors and throttles of each function and on each DLQ, to the alarm topic", () => {
    const { stack, template } = standard;
    const alarmTopic = { Ref: logicalId(stack, stack.alarms.topic) };
    template.resourceCountIs("AWS::CloudWatch::Alarm", 9);
    for (const fn of [stack.collect, stack.detect, stack.api]) {
      for (const metric of ["Errors", "Throttles"]) {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          Namespace: "AWS/Lambda",
          MetricName: metric,
          Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(stack, fn.function) } }],
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          AlarmActions: [alarmTopic],
        });
      }
    }
    template.resourcePropertiesCountIs(
      "AWS::CloudWatch::Alarm",
      {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: [alarmTopic],
      },
      3,
    );
  });

  it("encrypts the alarm topic with a key CloudWatch may use", () => {
    const { stack, template } = standard;
    template.hasResourceProperties("AWS::SNS::Topic", {
      KmsMasterKeyId: { "Fn::GetAtt": [logicalId(stack, stack.alarms.key), "Arn"] },
    });
    const key = template.findResources("AWS::KMS::Key")[logicalId(stack, stack.alarms.key)];
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    const statements = key?.Properties.KeyPolicy.Statement as {
      Principal: { Service?: string };
      Action: string[];
    }[];
    const cloudWatch = statements.find((s) => s.Principal.Service === "cloudwatch.amazonaws.com");
    expect([cloudWatch?.Action].flat().sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
  });
});

describe("outputs", () => {
  it("exports the API URL, both topic ARNs and the table name", () => {
    const { stack, template } = standard;
    template.hasOutput("ApiUrl", { Value: { "Fn::Join": ["", Match.arrayWith(["https://"])] } });
    template.hasOutput("TopicArn", { Value: { Ref: logicalId(stack, stack.notifications.topic) } });
    template.hasOutput("AlarmTopicArn", { Value: { Ref: logicalId(stack, stack.alarms.topic) } });
    template.hasOutput("TableName", { Value: { Ref: logicalId(stack, stack.table.table) } });
  });
});

describe("least privilege", () => {
  // What each function may call is proven in test/iam/ on the calls its code makes
  // (nothing refused, nothing granted that no call used); these are the template's shape.
  it("gives no function a managed policy or a wildcard resource", () => {
    const { template } = standard;
    for (const role of Object.values(template.findResources("AWS::IAM::Role"))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const policy of Object.values(template.findResources("AWS::IAM::Policy"))) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toMatch(/"Resource":"\*"|\/\*"/);
    }
  });

  it("scopes every table grant to item actions on the partitions named in its condition", () => {
    const { stack, template } = subscribed;
    const tableArn = { "Fn::GetAtt": [logicalId(stack, stack.table.table), "Arn"] };
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: Record<string, Record<string, string[]>>;
        }[],
    );
    const onTable = statements.filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(tableArn),
    );
    expect(onTable.length).toBeGreaterThan(0);
    for (const statement of onTable) {
      // Scan and table-level actions carry no leading keys: the condition would not scope them.
      for (const action of [statement.Action].flat()) {
        expect([
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:Query",
        ]).toContain(action);
      }
      const partitions = statement.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"];
      expect(partitions?.length, JSON.stringify(statement)).toBeGreaterThan(0);
    }
  });
});

describe("configuration", () => {
  it("fails synth with a message naming the invalid field", () => {
    const invalid = { services: [{ id: "T Mobile", name: "T-Mobile", category: "carrier" }] };
    expect(() => synthesize(invalid)).toThrow(ConfigError);
    expect(() => synthesize(invalid)).toThrow(/services\[0\]\.id: use 1-40 lower-case letters/);
  });

  it("makes `cdk synth` print the problem and exit non-zero, without a stack trace", () => {
    const config = writeConfig({ services: [], scheduleMinutes: 60 });
    let result: { status: number | null; stderr: string } = { status: 0, stderr: "" };
    try {
      execFileSync("npx", ["tsx", "bin/app.ts"], {
        cwd: join(import.meta.dirname, "..", ".."),
        env: {
          ...process.env,
          CDK_OUTDIR: mkdtempSync(join(tmpdir(), "outcry-")),
          CDK_CONTEXT_JSON: JSON.stringify({ config }),
        },
        stdio: "pipe",
      });
    } catch (error) {
      result = error as { status: number; stderr: string };
    }
    const stderr = String(result.stderr);
    expect(result.status).toBe(1);
    expect(stderr).toContain("scheduleMinutes:");
    expect(stderr).toContain("services: watch at least one service");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged error or warning", () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(
      subscribed.stack,
    );
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`,
    );
    expect(findings).toEqual([]);
  });

  it("does report a finding the stack does not acknowledge", () => {
    const { stack } = synthesize();
    new Queue(stack, "UnencryptedExtra", { enforceSSL: false });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toContain("AwsSolutions-SQS4");
  });
});
