/**
 * CloudFormation resolved as it would deploy into the test account: references and
 * attributes per resource type, the pseudo parameters, Join and Sub, and a loud failure
 * for whatever has no stand-in.
 */
import { describe, expect, it } from "vitest";
import { resolveIntrinsics } from "../support/iam/intrinsics";
import { accountOf, physicalIdsOf } from "../support/iam/stand-ins";

const template = {
  Resources: {
    Table: { Type: "AWS::DynamoDB::Table" },
    Topic: { Type: "AWS::SNS::Topic" },
    Queue: { Type: "AWS::SQS::Queue" },
    Secret: { Type: "AWS::SecretsManager::Secret" },
    Key: { Type: "AWS::KMS::Key" },
    Logs: { Type: "AWS::Logs::LogGroup" },
    Named: { Type: "AWS::SQS::Queue", Properties: { QueueName: "outcry-dlq" } },
    Bucket: { Type: "AWS::S3::Bucket" },
  },
};
const ids = physicalIdsOf(template, accountOf({ queueOrigin: "http://127.0.0.1:4566" }));
const resolve = (value: unknown) => resolveIntrinsics(value, ids);

describe("stand-in physical ids", () => {
  it("gives each type the Ref and attributes AWS gives it", () => {
    expect(resolve({ Ref: "Table" })).toBe("Table");
    expect(resolve({ "Fn::GetAtt": ["Table", "Arn"] })).toBe(
      "arn:aws:dynamodb:us-east-1:000000000000:table/Table",
    );
    expect(resolve({ Ref: "Topic" })).toBe("arn:aws:sns:us-east-1:000000000000:Topic");
    expect(resolve({ Ref: "Queue" })).toBe("http://127.0.0.1:4566/000000000000/Queue");
    expect(resolve({ "Fn::GetAtt": ["Queue", "Arn"] })).toBe(
      "arn:aws:sqs:us-east-1:000000000000:Queue",
    );
    expect(resolve({ Ref: "Secret" })).toBe(
      "arn:aws:secretsmanager:us-east-1:000000000000:secret:Secret-AbCdEf",
    );
    expect(resolve({ "Fn::GetAtt": ["Key", "Arn"] })).toBe(
      "arn:aws:kms:us-east-1:000000000000:key/Key",
    );
    expect(resolve({ "Fn::GetAtt": ["Logs", "Arn"] })).toBe(
      "arn:aws:logs:us-east-1:000000000000:log-group:Logs:*",
    );
    expect(resolve({ "Fn::GetAtt": ["Named", "Arn"] })).toBe(
      "arn:aws:sqs:us-east-1:000000000000:outcry-dlq",
    );
  });

  it("resolves pseudo parameters, Join, Sub, Select and Split, and drops AWS::NoValue", () => {
    expect(
      resolve({
        "Fn::Join": [
          "",
          [
            "arn:",
            { Ref: "AWS::Partition" },
            ":secretsmanager:",
            { Ref: "AWS::Region" },
            ":",
            { Ref: "AWS::AccountId" },
            ":secret:noc-??????",
          ],
        ],
      }),
    ).toBe("arn:aws:secretsmanager:us-east-1:000000000000:secret:noc-??????");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    const sub = "https://${Topic.TopicName}.${AWS::URLSuffix}/${!Literal}";
    // biome-ignore lint/suspicious/noTemplateCurlyInString: what ${!Literal} stands for
    expect(resolve({ "Fn::Sub": sub })).toBe("https://Topic.amazonaws.com/${Literal}");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolve({ "Fn::Sub": ["${Name}-x", { Name: { Ref: "Table" } }] })).toBe("Table-x");
    expect(resolve({ "Fn::Select": [1, { "Fn::Split": ["/", "a/b/c"] }] })).toBe("b");
    expect(resolve({ Resource: [{ Ref: "Table" }, { Ref: "AWS::NoValue" }] })).toEqual({
      Resource: ["Table"],
    });
  });

  it("throws for a type, attribute or intrinsic it has no rule for", () => {
    expect(() => resolve({ Ref: "Bucket" })).toThrow(/no stand-in for AWS::S3::Bucket/);
    expect(() => resolve({ "Fn::GetAtt": ["Topic", "Arn"] })).toThrow(/no stand-in for Topic\.Arn/);
    expect(() => resolve({ Ref: "Missing" })).toThrow(/no resource Missing/);
    expect(() => resolve({ "Fn::ImportValue": "x" })).toThrow(/Fn::ImportValue is not resolved/);
  });
});
