/**
 * The policy evaluator against IAM's documented rules: explicit deny over allow over
 * implicit deny, wildcard and case rules of actions and resources, NotAction and
 * NotResource, and the condition operators, set operators included, with an operator it
 * does not know failing loudly.
 */
import { describe, expect, it } from "vitest";
import { conditionsHold, UnsupportedConditionError } from "../support/iam/conditions";
import { evaluate, type PolicyStatement } from "../support/iam/policy-evaluator";
import { arnMatches, globMatches } from "../support/iam/wildcards";

const TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/outcry";
const allow = (statement: Omit<PolicyStatement, "Effect">): PolicyStatement => ({
  Effect: "Allow",
  ...statement,
});
const ask = (action: string, resource = TABLE, context = {}) => ({ action, resource, context });

describe("evaluate", () => {
  it("allows what an Allow names, and denies the rest implicitly", () => {
    // Prepare
    const policy = [allow({ Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: TABLE })];

    // Act
    const get = evaluate(policy, ask("dynamodb:GetItem"));
    const put = evaluate(policy, ask("dynamodb:PutItem"));
    const elsewhere = evaluate(policy, ask("dynamodb:GetItem", `${TABLE}-copy`));

    // Assess
    expect(get).toEqual({ allowed: true, reason: "allowed", statements: [0] });
    expect(put).toEqual({ allowed: false, reason: "no-allow", statements: [] });
    expect(elsewhere.allowed).toBe(false);
  });

  it("lets an explicit Deny win over any Allow", () => {
    const policy: PolicyStatement[] = [
      allow({ Action: "dynamodb:*", Resource: "*" }),
      { Effect: "Deny", Action: "dynamodb:DeleteItem", Resource: TABLE },
    ];

    expect(evaluate(policy, ask("dynamodb:DeleteItem"))).toEqual({
      allowed: false,
      reason: "explicit-deny",
      statements: [1],
    });
    expect(evaluate(policy, ask("dynamodb:PutItem")).allowed).toBe(true);
  });

  it("matches actions case-insensitively with * and ?, resources case-sensitively", () => {
    const policy = [allow({ Action: "DynamoDB:get*", Resource: TABLE })];
    const single = [allow({ Action: "sqs:?etQueueUrl", Resource: "*" })];

    expect(evaluate(policy, ask("dynamodb:GetItem")).allowed).toBe(true);
    expect(evaluate(policy, ask("dynamodb:PutItem")).allowed).toBe(false);
    expect(
      evaluate(policy, ask("dynamodb:GetItem", TABLE.replace("outcry", "Outcry"))).allowed,
    ).toBe(false);
    expect(evaluate(single, ask("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:0:q")).allowed).toBe(
      true,
    );
    expect(evaluate(single, ask("sqs:GetQueueUrls", "arn:aws:sqs:us-east-1:0:q")).allowed).toBe(
      false,
    );
  });

  it("reads NotAction and NotResource as everything but what they name", () => {
    const policy = [
      allow({ NotAction: "dynamodb:DeleteItem", Resource: TABLE }),
      allow({ Action: "sns:Publish", NotResource: "arn:aws:sns:us-east-1:0:private" }),
    ];

    expect(evaluate(policy, ask("dynamodb:PutItem")).allowed).toBe(true);
    expect(evaluate(policy, ask("dynamodb:DeleteItem")).allowed).toBe(false);
    expect(evaluate(policy, ask("sns:Publish", "arn:aws:sns:us-east-1:0:public")).allowed).toBe(
      true,
    );
    expect(evaluate(policy, ask("sns:Publish", "arn:aws:sns:us-east-1:0:private")).allowed).toBe(
      false,
    );
  });

  it("refuses statements IAM would not accept in an identity-based policy", () => {
    expect(() => evaluate([allow({ Resource: TABLE })], ask("dynamodb:GetItem"))).toThrow(
      /exactly one of Action and NotAction/,
    );
    expect(() =>
      evaluate(
        [{ ...allow({ Action: "*", Resource: "*" }), Principal: "*" } as PolicyStatement],
        ask("dynamodb:GetItem"),
      ),
    ).toThrow(/no Principal/);
  });

  it("scopes an Allow to item keys with ForAllValues:StringLike on dynamodb:LeadingKeys", () => {
    const policy = [
      allow({
        Action: ["dynamodb:GetItem", "dynamodb:BatchGetItem"],
        Resource: TABLE,
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["S#*", "PROGRESS"] } },
      }),
    ];
    const keys = (...values: string[]) => ({ "dynamodb:LeadingKeys": values });

    expect(evaluate(policy, ask("dynamodb:GetItem", TABLE, keys("S#t-mobile"))).allowed).toBe(true);
    expect(evaluate(policy, ask("dynamodb:GetItem", TABLE, keys("PROGRESS"))).allowed).toBe(true);
    expect(evaluate(policy, ask("dynamodb:GetItem", TABLE, keys("PROGRESSX"))).allowed).toBe(false);
    expect(evaluate(policy, ask("dynamodb:GetItem", TABLE, keys("INC"))).allowed).toBe(false);
    // Every key of a batch must match; one outside the prefixes refuses the whole batch.
    expect(evaluate(policy, ask("dynamodb:BatchGetItem", TABLE, keys("S#a", "INC"))).allowed).toBe(
      false,
    );
    // IAM's documented pitfall: ForAllValues holds when the request has no such key.
    expect(evaluate(policy, ask("dynamodb:GetItem", TABLE, {})).allowed).toBe(true);
  });
});

describe("conditionsHold", () => {
  const context = {
    "aws:SecureTransport": "true",
    "aws:PrincipalArn": "arn:aws:iam::000000000000:role/Collect",
    "kms:ViaService": "sns.us-east-1.amazonaws.com",
    "dynamodb:LeadingKeys": ["S#t-mobile", "S#verizon"],
  };

  it("compares strings exactly, case-insensitively or by pattern, with key names in any case", () => {
    expect(
      conditionsHold(
        { StringEquals: { "KMS:VIASERVICE": "sns.us-east-1.amazonaws.com" } },
        context,
      ),
    ).toBe(true);
    expect(
      conditionsHold(
        { StringEquals: { "kms:ViaService": "SNS.us-east-1.amazonaws.com" } },
        context,
      ),
    ).toBe(false);
    expect(
      conditionsHold(
        { StringEqualsIgnoreCase: { "kms:ViaService": "SNS.US-EAST-1.amazonaws.com" } },
        context,
      ),
    ).toBe(true);
    expect(
      conditionsHold({ StringLike: { "kms:ViaService": "sns.*.amazonaws.com" } }, context),
    ).toBe(true);
    expect(
      conditionsHold(
        { StringLike: { "kms:ViaService": ["sqs.*", "sns.us-east-?.amazonaws.com"] } },
        context,
      ),
    ).toBe(true);
  });

  it("ANDs operators and keys, ORs the values of a key and NORs them for a negated operator", () => {
    expect(
      conditionsHold(
        {
          Bool: { "aws:SecureTransport": "true" },
          StringLike: { "kms:ViaService": "sns.*", "aws:PrincipalArn": "*:role/Detect" },
        },
        context,
      ),
    ).toBe(false);
    expect(conditionsHold({ StringNotEquals: { "kms:ViaService": ["a", "b"] } }, context)).toBe(
      true,
    );
    expect(
      conditionsHold(
        { StringNotEquals: { "kms:ViaService": ["a", "sns.us-east-1.amazonaws.com"] } },
        context,
      ),
    ).toBe(false);
  });

  it("matches ARNs segment by segment with ArnLike and ArnEquals", () => {
    expect(
      conditionsHold({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Coll*" } }, context),
    ).toBe(true);
    expect(
      conditionsHold(
        { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::000000000000:role/Collect" } },
        context,
      ),
    ).toBe(true);
    expect(
      conditionsHold({ ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/Api" } }, context),
    ).toBe(true);
  });

  it("treats a missing key as IAM does: false, true when negated, true with IfExists, and Null", () => {
    expect(conditionsHold({ StringEquals: { "aws:SourceVpc": "vpc-1" } }, context)).toBe(false);
    expect(conditionsHold({ StringNotEquals: { "aws:SourceVpc": "vpc-1" } }, context)).toBe(true);
    expect(conditionsHold({ StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } }, context)).toBe(
      true,
    );
    expect(conditionsHold({ BoolIfExists: { "aws:SecureTransport": "false" } }, context)).toBe(
      false,
    );
    expect(conditionsHold({ Null: { "aws:SourceVpc": "true" } }, context)).toBe(true);
    expect(conditionsHold({ Null: { "dynamodb:LeadingKeys": "false" } }, context)).toBe(true);
  });

  it("applies ForAllValues to every value (true when there is none) and ForAnyValue to one", () => {
    const keys = (values: string[] | undefined): Record<string, string[]> =>
      values ? { "dynamodb:LeadingKeys": values } : {};
    const all = (values?: string[]) =>
      conditionsHold(
        { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["INC", "OUTBOX"] } },
        keys(values),
      );
    const any = (values?: string[]) =>
      conditionsHold(
        { "ForAnyValue:StringLike": { "dynamodb:LeadingKeys": ["S#*"] } },
        keys(values),
      );

    expect(all(["INC", "OUTBOX"])).toBe(true);
    expect(all(["INC", "S#x"])).toBe(false);
    expect(all([])).toBe(true);
    expect(all(undefined)).toBe(true);
    expect(any(["INC", "S#x"])).toBe(true);
    expect(any(["INC"])).toBe(false);
    expect(any(undefined)).toBe(false);
  });

  it("throws on an operator, a prefix or a value it does not model, instead of allowing", () => {
    const throws = (block: Record<string, Record<string, unknown>>) =>
      expect(() => conditionsHold(block, context)).toThrow(UnsupportedConditionError);

    throws({ NumericLessThan: { "s3:max-keys": "10" } });
    throws({ StringEqualsLoosely: { "kms:ViaService": "x" } });
    throws({ "ForSomeValues:StringLike": { "dynamodb:LeadingKeys": "S#*" } });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
    throws({ StringLike: { "aws:PrincipalArn": "${aws:username}" } });
    // A plain operator on a key with several values is a policy mistake IAM warns about.
    throws({ StringLike: { "dynamodb:LeadingKeys": "S#*" } });
    // Even when an earlier condition already failed.
    throws({
      StringEquals: { "aws:SourceVpc": "vpc-1" },
      DateLessThan: { "aws:CurrentTime": "2030" },
    });
  });
});

describe("wildcards", () => {
  it("glob-matches the whole value, treating other characters literally", () => {
    expect(globMatches("S#*", "S#t-mobile")).toBe(true);
    expect(globMatches("S#*", "xS#t-mobile")).toBe(false);
    expect(globMatches("a.b", "aXb")).toBe(false);
    expect(globMatches("(x)+", "(x)+")).toBe(true);
  });

  it("matches ARN head segments one by one, and lets a segment-ending * run on", () => {
    const stream =
      "arn:aws:logs:us-east-1:000000000000:log-group:Collect:log-stream:2024/[$LATEST]a";
    expect(arnMatches("arn:aws:logs:us-east-1:000000000000:log-group:Collect:*", stream)).toBe(
      true,
    );
    expect(arnMatches("arn:aws:logs:*:000000000000:log-group:Other:*", stream)).toBe(false);
    expect(arnMatches("arn:aws:logs:*", stream)).toBe(true);
    expect(arnMatches("arn:aws:lo*:us-east-1:000000000000:*", stream)).toBe(true);
    // A * inside a head segment stays in that segment.
    expect(arnMatches("arn:aws:*s:000000000000:log-group:Collect:*", stream)).toBe(false);
    expect(
      arnMatches(
        "arn:aws:secretsmanager:us-east-1:0:secret:noc-??????",
        "arn:aws:secretsmanager:us-east-1:0:secret:noc-AbCdEf",
      ),
    ).toBe(true);
    expect(
      arnMatches(
        "arn:aws:secretsmanager:us-east-1:0:secret:noc-??????",
        "arn:aws:secretsmanager:us-east-1:0:secret:noc-slack-AbCdEf",
      ),
    ).toBe(false);
  });
});
