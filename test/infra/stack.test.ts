/**
 * The synthesized CloudFormation template of the outcry stack, checked resource by
 * resource, plus cdk-nag's AWS Solutions rules on the construct tree.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { CfnElement } from "aws-cdk-lib";
import { Annotations, Match, type Template } from "aws-cdk-lib/assertions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { openApiText } from "../../lambdas/api/openapi";
import { ConfigError, parseConfig } from "../../lambdas/domain/config";
import { ALLOW_PRIVATE_NETWORKS } from "../../lambdas/wiring/environment";
import type { OutcryFunction } from "../../lib/constructs/outcry-function";
import type { OutcryStack } from "../../lib/outcry-stack";
import { startEmbeddedStore } from "../../local/embedded-store";
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
    { email: "all@acme-telecom.com", updates: true },
    { email: "tmo@acme-telecom.com", services: ["t-mobile"] },
    { sms: "+15555550123", categories: ["isp"] },
    { email: "both@acme-telecom.com", services: ["verizon"], categories: ["isp"] },
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
          { AttributeName: "queue", AttributeType: "S" },
          { AttributeName: "queueAt", AttributeType: "N" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "queue",
            KeySchema: [
              { AttributeName: "queue", KeyType: "HASH" },
              { AttributeName: "queueAt", KeyType: "RANGE" },
            ],
            Projection: {
              ProjectionType: "INCLUDE",
              NonKeyAttributes: ["message", "attempts", "sentTo", "group"],
            },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      },
    });
    standard.template.resourceCountIs("AWS::DynamoDB::Table", 1);
  });

  it("is made locally with the same keys and index as in the stack", async () => {
    // Prepare: the local table as ensureTable makes it on the embedded store
    const store = await startEmbeddedStore({ tableName: "outcry" });
    const client = new DynamoDBClient({
      endpoint: store.endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      // Act
      const { Table } = await client.send(new DescribeTableCommand({ TableName: "outcry" }));
      const deployed = Object.values(standard.template.findResources("AWS::DynamoDB::Table"))[0]
        ?.Properties as Record<string, unknown>;

      // Assess
      const sorted = (list: unknown) =>
        [...((list as { AttributeName: string }[]) ?? [])].sort((a, b) =>
          a.AttributeName.localeCompare(b.AttributeName),
        );
      expect(sorted(Table?.AttributeDefinitions)).toEqual(sorted(deployed.AttributeDefinitions));
      expect(Table?.KeySchema).toEqual(deployed.KeySchema);
      expect(
        Table?.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }) => ({
          IndexName,
          KeySchema,
          Projection,
        })),
      ).toEqual(deployed.GlobalSecondaryIndexes);
    } finally {
      client.destroy();
      await store.close();
    }
  });
});

describe("functions", () => {
  const expected = {
    collect: { memory: 256, timeout: 50, extra: ["SHARD_QUEUE_URL"] },
    detect: {
      memory: 512,
      timeout: 50,
      extra: ["TOPIC_ARN", "NOTIFICATION_DLQ_URL", "SHARD_QUEUE_URL"],
    },
    api: { memory: 512, timeout: 10, extra: ["REPORTER_SALT_SECRET_ARN", "TOPIC_ARN"] },
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

  it("opens no function to private networks", () => {
    // The opening is for local runs and tests; in AWS, sources and webhooks call public
    // addresses only, so no function, the webhook function included, carries the variable.
    const { stack, template } = synthesize({
      services,
      webhooks: [{ id: "noc-slack", url: "https://hooks.slack.com/services/T0/B0/x" }],
    });
    const functions = Object.values(template.findResources("AWS::Lambda::Function"));
    expect(stack.webhooks).toBeDefined();
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const fn of functions) {
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(
        ALLOW_PRIVATE_NETWORKS,
      );
    }
    expect(JSON.stringify(template.toJSON())).not.toContain(ALLOW_PRIVATE_NETWORKS);
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
    // One per schedule, one per shard queue, and one for notifications that keep failing;
    // beside them the two shard queues.
    template.resourceCountIs("AWS::SQS::Queue", 7);
    template.resourcePropertiesCountIs(
      "AWS::SQS::Queue",
      { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 },
      5,
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
      7,
    );
  });
});

describe("shards", () => {
  it("gives collect and detect each a queue they hand their shards to and work on", () => {
    const { stack, template } = standard;
    for (const [fn, shards] of [
      [stack.collect, stack.collectShards],
      [stack.detect, stack.detectShards],
    ] as const) {
      const queue = logicalId(stack, shards.queue);
      template.hasResourceProperties("AWS::SQS::Queue", {
        // A message stays hidden a little longer than the function may run, as Lambda
        // requires; it lives an hour, and after three deliveries waits in its DLQ.
        VisibilityTimeout: 60,
        MessageRetentionPeriod: 3_600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: {
            "Fn::GetAtt": [logicalId(stack, shards.deadLetterQueue), "Arn"],
          },
          maxReceiveCount: 3,
        },
      });
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: { "Fn::GetAtt": [queue, "Arn"] },
        FunctionName: { Ref: logicalId(stack, fn.function) },
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 4 },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      expect(functionProps(template, stack, fn).Environment.Variables.SHARD_QUEUE_URL).toEqual({
        Ref: queue,
      });
    }
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 2);
  });

  it("takes the workers from the config, and refuses reservations too small for them", () => {
    const { template } = synthesize({
      services,
      shards: { workers: 8 },
      concurrency: { collect: 9, detect: "unreserved" },
    });
    template.resourcePropertiesCountIs(
      "AWS::Lambda::EventSourceMapping",
      { ScalingConfig: { MaximumConcurrency: 8 } },
      2,
    );
    expect(() => synthesize({ services, shards: { workers: 8 } })).toThrow(
      /concurrency\.collect: must be at least shards\.workers \+ 1 \(9\)/,
    );
  });

  it("is the same template at 10,000 services as at 3, within CloudFormation's limits", () => {
    // Prepare: 10,000 services of crowd reports
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      id: `service-${i}`,
      name: `Service ${i}`,
      category: "app",
    }));

    // Act
    const large = synthesize({ services: many });
    const small = synthesize({ services });

    // Assess: the same resources, and no property that lists services
    const shape = (t: Template) =>
      Object.values(t.toJSON().Resources as Record<string, { Type: string }>)
        .map((r) => r.Type)
        .sort();
    expect(shape(large.template)).toEqual(shape(small.template));
    const text = JSON.stringify(large.template.toJSON());
    expect(text).not.toContain("service-9999");
    expect(Object.keys(large.template.toJSON().Resources).length).toBeLessThan(500);
    expect(Buffer.byteLength(text)).toBeLessThan(1_000_000);
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

  it("stops a deploy to the default config's example address unless acknowledged", () => {
    // The default config subscribes oncall@example.com: an error, which fails `cdk deploy`.
    standard.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
    });
    const example = Match.stringLikeRegexp(
      "subscribers\\[0\\] is the example address oncall@example\\.com",
    );
    const errors = Annotations.fromStack(standard.stack).findError("*", example);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.entry.data)).toContain("-c acknowledgeExampleAddresses=true");
    // A demo stack acknowledges it and gets a warning instead.
    const demo = synthesize(undefined, { acknowledgeExampleAddresses: "true" });
    expect(Annotations.fromStack(demo.stack).findError("*", example)).toHaveLength(0);
    expect(Annotations.fromStack(demo.stack).findWarning("*", example)).toHaveLength(1);
    // Real addresses raise nothing.
    expect(Annotations.fromStack(subscribed.stack).findError("*", Match.anyValue())).toEqual([]);
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

  it("with api.auth iam, signs every route but the public ones, and nag and the document agree", () => {
    const iam = synthesize({ services, api: { auth: "iam" } });
    const resources = Object.values(iam.template.findResources("AWS::ApiGatewayV2::Route"));
    const routes = resources.map(
      (route) => `${route.Properties.RouteKey} ${route.Properties.AuthorizationType}`,
    );
    expect(routes.sort()).toEqual([
      "$default AWS_IAM",
      "GET / NONE",
      "GET /atlas/{area}.json NONE",
      "GET /embed.js NONE",
      "GET /embed/report NONE",
      "GET /health NONE",
      "GET /openapi.json NONE",
      "GET /reports/challenge NONE",
      "HEAD / NONE",
      "HEAD /atlas/{area}.json NONE",
      "HEAD /embed.js NONE",
      "HEAD /embed/report NONE",
      "HEAD /health NONE",
      "HEAD /openapi.json NONE",
      "HEAD /reports/challenge NONE",
      "OPTIONS / NONE",
      "OPTIONS /{proxy+} NONE",
      "POST /reports NONE",
      "POST /subscriptions NONE",
      "POST /subscriptions/confirm NONE",
      "POST /subscriptions/unsubscribe NONE",
    ]);
    iam.template.hasOutput("ApiReadArn", {});
    const report = new AwsSolutionsChecks().validateScope(iam.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    // A request takes the route of its exact key, else $default (the template has no ANY
    // or greedy route but the preflights'); HEAD goes where GET does.
    const authorization = new Map(
      resources.map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType]),
    );
    const signedInTemplate: string[] = [];
    const signedInDocument: string[] = [];
    const document = JSON.parse(openApiText("iam")) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!["get", "post"].includes(method)) continue;
        for (const verb of method === "get" ? ["GET", "HEAD"] : ["POST"]) {
          const key = `${verb} ${path}`;
          if ((authorization.get(key) ?? authorization.get("$default")) === "AWS_IAM") {
            signedInTemplate.push(key);
          }
          if ((operation.security ?? []).length > 0) signedInDocument.push(key);
        }
      }
    }
    expect(signedInDocument).toEqual(signedInTemplate);
    expect(signedInDocument).toContain("GET /services");
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
    // Errors and throttles of three functions, five dead-letter queues, two shard
    // backlogs, and failed SNS deliveries.
    template.resourceCountIs("AWS::CloudWatch::Alarm", 14);
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
      5,
    );
    // A shard job that waited three ticks: the workers do not keep up.
    template.resourcePropertiesCountIs(
      "AWS::CloudWatch::Alarm",
      { Namespace: "AWS/SQS", MetricName: "ApproximateAgeOfOldestMessage", Threshold: 180 },
      2,
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
      // Scan and table-level actions carry no leading keys: the condition would not scope
      // them. A BatchGetItem names the key of every item it reads, so it is scoped.
      for (const action of [statement.Action].flat()) {
        expect([
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
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

describe("alarms reach someone", () => {
  const operated = {
    services,
    subscribers: [{ sms: "+15555550123" }],
    webhooks: [{ id: "noc-slack", url: "https://hooks.slack.com/services/T0/B0/x" }],
    operators: [
      { email: "ops@acme-telecom.com" },
      { sms: "+15555550199" },
      { webhook: "noc-slack" },
    ],
  };
  let withOperators: Synthesized;
  beforeAll(() => {
    withOperators = synthesize(operated);
  });

  /** CloudWatch's conditions: alarms of this account whose names start with `<stack name>.`. */
  const ownAlarms = {
    StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
    ArnLike: {
      "aws:SourceArn": {
        "Fn::Join": [
          "",
          [
            "arn:",
            { Ref: "AWS::Partition" },
            ":cloudwatch:",
            { Ref: "AWS::Region" },
            ":",
            { Ref: "AWS::AccountId" },
            ":alarm:Outcry.*",
          ],
        ],
      },
    },
  };

  it("lets CloudWatch publish to the alarm topic, only for this stack's alarms", () => {
    const { stack, template } = standard;
    const topic = { Ref: logicalId(stack, stack.alarms.topic) };
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [topic],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: "CloudWatchAlarmsOfThisStack",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic,
            Condition: ownAlarms,
          },
        ]),
      },
    });
    // Every alarm's name matches the condition's pattern.
    for (const alarm of Object.values(template.findResources("AWS::CloudWatch::Alarm"))) {
      expect(alarm.Properties.AlarmName).toMatch(/^Outcry\./);
    }
  });

  it("lets CloudWatch use the alarm topic's key under the same conditions", () => {
    const { stack, template } = standard;
    const key = template.findResources("AWS::KMS::Key")[logicalId(stack, stack.alarms.key)];
    const statements = key?.Properties.KeyPolicy.Statement as Record<string, unknown>[];
    const cloudWatch = statements.filter(
      (s) => (s.Principal as { Service?: string }).Service === "cloudwatch.amazonaws.com",
    );
    expect(cloudWatch).toEqual([
      {
        Sid: "CloudWatchAlarmsOfThisStack",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: ownAlarms,
      },
    ]);
  });

  it("subscribes email and SMS operators to the alarm topic, unfiltered", () => {
    const { stack, template } = withOperators;
    const topic = { Ref: logicalId(stack, stack.alarms.topic) };
    for (const [protocol, endpoint] of [
      ["email", "ops@acme-telecom.com"],
      ["sms", "+15555550199"],
    ]) {
      template.hasResourceProperties("AWS::SNS::Subscription", {
        TopicArn: topic,
        Protocol: protocol,
        Endpoint: endpoint,
        FilterPolicy: Match.absent(),
      });
    }
    expect(
      standard.template.findResources("AWS::SNS::Subscription", {
        Properties: { TopicArn: { Ref: logicalId(standard.stack, standard.stack.alarms.topic) } },
      }),
    ).toEqual({});
  });

  it("subscribes the webhook function to the alarm topic for webhook operators", () => {
    const { stack, template } = withOperators;
    const webhook = stack.webhooks?.function.function;
    expect(webhook).toBeDefined();
    const fnArn = { "Fn::GetAtt": [logicalId(stack, webhook as never), "Arn"] };
    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: { Ref: logicalId(stack, stack.alarms.topic) },
      Protocol: "lambda",
      Endpoint: fnArn,
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Description: Match.stringLikeRegexp("^outcry webhook"),
      Environment: {
        Variables: Match.objectLike({
          ALARM_TOPIC_ARN: { Ref: logicalId(stack, stack.alarms.topic) },
          ALARM_WEBHOOKS: '["noc-slack"]',
        }),
      },
    });
  });

  it("refuses an operator webhook that is not configured, naming the ids", () => {
    expect(() => synthesize({ ...operated, operators: [{ webhook: "pager" }] })).toThrow(
      /operators\[0\]\.webhook: no webhook has id 'pager'; use one of noc-slack/,
    );
  });

  it("alarms on notifications SNS could not deliver", () => {
    const { stack, template } = standard;
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SNS",
      MetricName: "NumberOfNotificationsFailed",
      Dimensions: [
        {
          Name: "TopicName",
          Value: { "Fn::GetAtt": [logicalId(stack, stack.notifications.topic), "TopicName"] },
        },
      ],
      Statistic: "Sum",
      Threshold: 1,
      AlarmActions: [{ Ref: logicalId(stack, stack.alarms.topic) }],
    });
  });

  it("with anyone on SMS, alarms at 80% of the spend limit and logs failed texts", () => {
    const { stack, template } = synthesize({ ...operated, sms: { monthlySpendLimitUSD: 25 } });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SNS",
      MetricName: "SMSMonthToDateSpentUSD",
      Threshold: 20,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Period: 3600,
      TreatMissingData: "ignore",
      AlarmActions: [{ Ref: logicalId(stack, stack.alarms.topic) }],
      OKActions: Match.absent(),
    });
    expect(stack.smsDeliveryLogging).toBeDefined();
    const role = {
      "Fn::GetAtt": [logicalId(stack, stack.smsDeliveryLogging?.role as never), "Arn"],
    };
    const calls = Object.values(template.findResources("Custom::AWS"));
    expect(calls).toHaveLength(1);
    // The SDK call is a JSON string joined around the role's ARN.
    const [, [before, roleArn, after]] = calls[0]?.Properties.Create["Fn::Join"] ?? ["", []];
    expect(roleArn).toEqual(role);
    expect(JSON.parse(`${before}ROLE${after}`)).toMatchObject({
      service: "SNS",
      action: "setSMSAttributes",
      parameters: {
        attributes: { DeliveryStatusIAMRole: "ROLE", DeliveryStatusSuccessSamplingRate: "0" },
      },
    });
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: "sns.amazonaws.com" } })],
      },
    });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it("stays nag clean with SMS when the CLI sets a real account and region", () => {
    const saved = {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    };
    process.env.CDK_DEFAULT_ACCOUNT = "123456789012";
    process.env.CDK_DEFAULT_REGION = "eu-west-1";
    try {
      const { stack, template } = synthesize(operated);
      template.hasResourceProperties("AWS::IAM::Policy", {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Resource: Match.arrayWith([
                "arn:aws:logs:eu-west-1:123456789012:log-group:sns/eu-west-1/123456789012/*",
              ]),
            }),
          ],
        },
      });
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    } finally {
      for (const [key, value] of [
        ["CDK_DEFAULT_ACCOUNT", saved.account],
        ["CDK_DEFAULT_REGION", saved.region],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("without SMS recipients, neither watches SMS spend nor touches the account's SMS settings", () => {
    const { stack, template } = standard;
    expect(stack.smsDeliveryLogging).toBeUndefined();
    template.resourceCountIs("Custom::AWS", 0);
    expect(
      template.findResources("AWS::CloudWatch::Alarm", {
        Properties: { MetricName: "SMSMonthToDateSpentUSD" },
      }),
    ).toEqual({});
    const off = synthesize({ ...operated, sms: { deliveryStatusLogging: false } });
    expect(off.stack.smsDeliveryLogging).toBeUndefined();
  });
});

describe("concurrency", () => {
  it("reserves five executions each for collect and detect, 50 for api, 2 for webhooks", () => {
    const { stack, template } = synthesize({
      services,
      webhooks: [{ id: "noc-slack", url: "https://hooks.slack.com/services/T0/B0/x" }],
    });
    const reserved = (fn: { node: { defaultChild?: unknown } }) =>
      template.findResources("AWS::Lambda::Function")[logicalId(stack, fn as never)]?.Properties
        .ReservedConcurrentExecutions;
    expect(reserved(stack.collect.function)).toBe(5);
    expect(reserved(stack.detect.function)).toBe(5);
    expect(reserved(stack.api.function)).toBe(50);
    expect(reserved(stack.webhooks?.function.function as never)).toBe(2);
  });

  it("takes per-function values, and reserves nothing when unreserved", () => {
    const some = synthesize({ services, concurrency: { api: 10, detect: "unreserved" } });
    const props = (s: Synthesized, fn: OutcryFunction) => functionProps(s.template, s.stack, fn);
    expect(props(some, some.stack.api).ReservedConcurrentExecutions).toBe(10);
    expect(props(some, some.stack.detect).ReservedConcurrentExecutions).toBeUndefined();
    expect(props(some, some.stack.collect).ReservedConcurrentExecutions).toBe(5);
    const none = synthesize({ services, concurrency: "unreserved" });
    for (const fn of [none.stack.collect, none.stack.detect, none.stack.api]) {
      expect(props(none, fn).ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it("refuses a reservation that is not a whole number or 'unreserved'", () => {
    expect(() => synthesize({ services, concurrency: { api: 0 } })).toThrow(
      /concurrency\.api: use a whole number of concurrent executions \(1-1000\) or 'unreserved'/,
    );
  });
});

describe("data", () => {
  it("protects the table from deletion", () => {
    standard.template.hasResourceProperties("AWS::DynamoDB::Table", {
      DeletionProtectionEnabled: true,
    });
  });
});
