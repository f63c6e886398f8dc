/**
 * `api.frontDoor` in the synthesized template: a CloudFront distribution over the whole
 * HTTP API that caches nothing, forwards exactly the viewer headers the API reads and of
 * CloudFront's only the address, country and subdivision, adds the secret origin header
 * from a generated secret that only the api function may read, and is nag clean.
 */
import type { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lambdas/domain/config";
import { type Synthesized, synthesize } from "./synth";

const services = [{ id: "t-mobile", name: "T-Mobile", category: "carrier", area: "us" }];
/** CloudFront's managed CachingDisabled cache policy. */
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

let fronted: Synthesized;
let direct: Synthesized;

beforeAll(() => {
  fronted = synthesize({ services, api: { frontDoor: { priceClass: "PriceClass_All" } } });
  direct = synthesize({ services });
});

const idOf = (s: Synthesized, element: { node: { defaultChild?: unknown } }) =>
  s.stack.getLogicalId(element.node.defaultChild as CfnElement);

/** The front door's parts, which the config asked for. */
function door(s: Synthesized) {
  const frontDoor = s.stack.frontDoor;
  if (!frontDoor) throw new Error("the stack has no front door");
  return frontDoor;
}

/** The one distribution's config. */
function distributionConfig(s: Synthesized) {
  const [distribution, ...others] = Object.values(
    s.template.findResources("AWS::CloudFront::Distribution"),
  );
  expect(others).toEqual([]);
  return distribution?.Properties.DistributionConfig;
}

describe("the front door", () => {
  it("is not there unless the config asks for it", () => {
    expect(direct.stack.frontDoor).toBeUndefined();
    direct.template.resourceCountIs("AWS::CloudFront::Distribution", 0);
    expect(parseConfig({ services }).api.frontDoor).toBe(false);
  });

  it("sends every method of every path to API Gateway's own host, over TLS 1.2", () => {
    // Act
    const config = distributionConfig(fronted);

    // Assess
    expect(config.CacheBehaviors).toBeUndefined();
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(
      expect.arrayContaining(["GET", "HEAD", "OPTIONS", "POST"]),
    );
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(config.PriceClass).toBe("PriceClass_All");
    const [origin] = config.Origins;
    expect(origin.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: "https-only",
      OriginSSLProtocols: ["TLSv1.2"],
    });
    expect(JSON.stringify(origin.DomainName)).toContain(
      `"Fn::GetAtt":["${idOf(fronted, fronted.stack.publicApi.httpApi)}","ApiEndpoint"]`,
    );
  });

  it("caches nothing, POST reports included: CloudFront's CachingDisabled policy", () => {
    expect(distributionConfig(fronted).DefaultCacheBehavior.CachePolicyId).toBe(CACHING_DISABLED);
  });

  it("forwards exactly the viewer headers the API reads and CloudFront's address, country and subdivision", () => {
    // Act
    const policies = fronted.template.findResources("AWS::CloudFront::OriginRequestPolicy");
    const [id, policy] = Object.entries(policies)[0] ?? [];
    const { HeadersConfig, CookiesConfig, QueryStringsConfig } =
      policy?.Properties.OriginRequestPolicyConfig ?? {};

    // Assess
    expect(Object.keys(policies)).toHaveLength(1);
    expect(distributionConfig(fronted).DefaultCacheBehavior.OriginRequestPolicyId).toEqual({
      Ref: id,
    });
    expect(HeadersConfig.HeaderBehavior).toBe("whitelist");
    expect([...HeadersConfig.Headers].sort()).toEqual(
      [
        "CloudFront-Viewer-Address",
        "CloudFront-Viewer-Country",
        "CloudFront-Viewer-Country-Region",
        "Content-Type",
        "If-None-Match",
        "Origin",
        "Sec-Fetch-Site",
        "x-api-key",
      ].sort(),
    );
    // Never Host (API Gateway answers only to its own name), never a finer place.
    expect(HeadersConfig.Headers.join(" ")).not.toMatch(/host|city|postal|latitude|longitude/i);
    expect(CookiesConfig.CookieBehavior).toBe("none");
    expect(QueryStringsConfig.QueryStringBehavior).toBe("all");
  });

  it("adds the secret origin header from the generated secret, never its value", () => {
    // Act
    const [origin] = distributionConfig(fronted).Origins;
    const secretId = idOf(fronted, door(fronted).originSecret.secret);

    // Assess
    expect(origin.OriginCustomHeaders).toEqual([
      {
        HeaderName: "X-Outcry-Origin-Secret",
        HeaderValue: {
          "Fn::Join": [
            "",
            ["{{resolve:secretsmanager:", { Ref: secretId }, ":SecretString:current::}}"],
          ],
        },
      },
    ]);
    fronted.template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: "current",
        SecretStringTemplate: "{}",
        PasswordLength: 48,
        ExcludePunctuation: true,
      }),
    });
  });

  it("gives the api function, and only it, GetSecretValue on that secret and nothing more", () => {
    // Act
    const secretId = idOf(fronted, door(fronted).originSecret.secret);
    const statements = Object.values(fronted.template.findResources("AWS::IAM::Policy")).flatMap(
      (p) =>
        (p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).map(
          (statement) => ({ roles: p.Properties.Roles, statement }),
        ),
    );
    const onSecret = statements.filter((s) =>
      JSON.stringify(s.statement.Resource).includes(`"Ref":"${secretId}"`),
    );

    // Assess
    expect(onSecret.map((s) => s.roles)).toEqual([
      [{ Ref: idOf(fronted, fronted.stack.api.role) }],
    ]);
    const statement = onSecret[0]?.statement as { Action: unknown; Resource: unknown };
    // The api function's secret reads, merged into one statement: values only, of its
    // own secrets (the salt and the origin secret) and no other.
    expect(statement.Action).toBe("secretsmanager:GetSecretValue");
    expect(statement.Resource).toEqual(
      expect.arrayContaining([
        { Ref: secretId },
        { Ref: idOf(fronted, fronted.stack.reporterSalt.secret) },
      ]),
    );
    expect(statement.Resource).toHaveLength(2);
  });

  it("tells the api function, and the operator, the distribution's origin and the secret's ARN", () => {
    // Act
    const api =
      fronted.template.findResources("AWS::Lambda::Function")[
        idOf(fronted, fronted.stack.api.function)
      ];
    const variables = api?.Properties.Environment.Variables;
    const distributionId = idOf(fronted, door(fronted).distribution);

    // Assess
    expect(variables.FRONT_DOOR_ORIGIN).toEqual({
      "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }]],
    });
    expect(variables.FRONT_DOOR_SECRET_ARN).toEqual({
      Ref: idOf(fronted, door(fronted).originSecret.secret),
    });
    fronted.template.hasOutput("FrontDoorSecretArn", {
      Value: { Ref: idOf(fronted, door(fronted).originSecret.secret) },
    });
    fronted.template.hasOutput("FrontDoorUrl", {
      Value: {
        "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }, "/"]],
      },
    });
  });

  it("names a rotation in the distribution, so a deploy sends the rotated secret", () => {
    // Act
    const rotated = synthesize(
      { services, api: { frontDoor: {} } },
      { originSecretRotation: "2026-12-07" },
    );

    // Assess
    expect(distributionConfig(rotated).Comment).toBe(
      "outcry front door (origin secret rotated 2026-12-07)",
    );
    expect(() =>
      synthesize({ services, api: { frontDoor: {} } }, { originSecretRotation: "a b" }),
    ).toThrow(/originSecretRotation.*letters, digits/);
  });

  it("is nag clean, each CloudFront finding acknowledged with its reason", () => {
    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(
      fronted.stack,
    );

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it("refuses api.auth iam, naming the setting and the fix", () => {
    // Act
    const refusal = () => parseConfig({ services, api: { auth: "iam", frontDoor: {} } });

    // Assess
    expect(refusal).toThrow(ConfigError);
    expect(refusal).toThrow(/api\.frontDoor.*api\.auth apiKey or none/);
  });

  it("refuses a front door that is neither false nor settings, saying what to write", () => {
    expect(() => parseConfig({ services, api: { frontDoor: true } })).toThrow(
      /use false \(no front door\) or an object such as \{\}/,
    );
  });
});
