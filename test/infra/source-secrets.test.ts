/**
 * The secrets of the sources that sign in (bluesky) in the template: collect may read
 * exactly the secrets the config names, by name with the six characters Secrets Manager
 * appends, and has no Secrets Manager grant at all when no source signs in.
 */
import type { CfnElement } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import type { OutcryStack } from "../../lib/outcry-stack";
import { synthesize } from "./synth";

const bluesky = (appPasswordSecret?: string) => ({
  kind: "bluesky",
  q: "t-mobile outage",
  identifier: "outcry-bot.bsky.social",
  ...(appPasswordSecret ? { appPasswordSecret } : {}),
});

/** The statements of collect's role that name Secrets Manager actions. */
function collectSecretStatements(config: unknown) {
  const { stack, template } = synthesize(config);
  const role = (stack as OutcryStack).collect.role.node.defaultChild as CfnElement;
  const policies = template.findResources("AWS::IAM::Policy", {
    Properties: { Roles: [{ Ref: stack.getLogicalId(role) }] },
  });
  return Object.values(policies)
    .flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
        }[],
    )
    .filter((s) => [s.Action].flat().some((action) => action.startsWith("secretsmanager:")));
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-??????` as CDK writes it. */
const secretArn = (name: string) => ({
  "Fn::Join": [
    "",
    [
      "arn:",
      { Ref: "AWS::Partition" },
      ":secretsmanager:",
      { Ref: "AWS::Region" },
      ":",
      { Ref: "AWS::AccountId" },
      `:secret:${name}-??????`,
    ],
  ],
});

describe("collect's grant on the secrets of sources that sign in", () => {
  it("reads each configured secret once, GetSecretValue only", () => {
    // Act: two services share the default secret, a third names its own
    const statements = collectSecretStatements({
      services: [
        { id: "t-mobile", name: "T-Mobile", category: "carrier", sources: [bluesky()] },
        { id: "verizon", name: "Verizon", category: "carrier", sources: [bluesky()] },
        { id: "att", name: "AT&T", category: "carrier", sources: [bluesky("team/bsky-att")] },
      ],
    });

    // Assess
    expect(statements).toEqual([
      {
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [secretArn("outcry/bluesky"), secretArn("team/bsky-att")],
      },
    ]);
  });

  it("has no Secrets Manager grant when no source signs in", () => {
    // Act
    const statements = collectSecretStatements({
      services: [
        {
          id: "t-mobile",
          name: "T-Mobile",
          category: "carrier",
          sources: [{ kind: "rss", url: "https://www.reddit.com/r/tmobile/new/.rss" }],
        },
      ],
    });

    // Assess
    expect(statements).toEqual([]);
  });
});
