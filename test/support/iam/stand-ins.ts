/**
 * The physical ids a template's resources get in the test account: each resource is named
 * by its logical id (or the name its properties give), and its `Ref` and attributes take the shape AWS gives that type (a
 * table's `Ref` is its name, a topic's its ARN, a queue's its URL, a secret's its ARN with
 * the six characters Secrets Manager appends, ...). A type without a rule here throws when
 * a policy or environment refers to it.
 */
import type { PhysicalIds } from "./intrinsics";

/** Where the test account lives. */
export interface AccountSettings {
  /** @default "000000000000" */
  account?: string;
  /** @default "us-east-1" */
  region?: string;
  /**
   * Origin of queue URLs. The SQS client sends a call to the host of its `QueueUrl`, so
   * tests point this at the gate; AWS's own form is the default.
   * @default "https://sqs.<region>.amazonaws.com"
   */
  queueOrigin?: string;
}

/** A test account's fixed facts. */
export interface Account {
  account: string;
  region: string;
  partition: "aws";
  queueOrigin: string;
}

/** The six random characters Secrets Manager appends to a secret's name in its ARN. */
export const SECRET_SUFFIX = "-AbCdEf";

/** Fills in an account's defaults. */
export function accountOf(settings: AccountSettings = {}): Account {
  const region = settings.region ?? "us-east-1";
  return {
    account: settings.account ?? "000000000000",
    region,
    partition: "aws",
    queueOrigin: settings.queueOrigin ?? `https://sqs.${region}.amazonaws.com`,
  };
}

type Namer = (name: string, account: Account) => string;

/** The property that names a resource of each type, when the template sets one. */
const NAME_PROPERTIES: Record<string, string> = {
  "AWS::DynamoDB::Table": "TableName",
  "AWS::SNS::Topic": "TopicName",
  "AWS::SQS::Queue": "QueueName",
  "AWS::SecretsManager::Secret": "Name",
  "AWS::Logs::LogGroup": "LogGroupName",
  "AWS::IAM::Role": "RoleName",
  "AWS::Lambda::Function": "FunctionName",
};

function arn(service: string, resource: string, { partition, region, account }: Account): string {
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

/** `Ref` and `Fn::GetAtt` per resource type, from the resource's name. */
const TYPES: Record<string, { ref: Namer; attributes: Record<string, Namer> }> = {
  "AWS::DynamoDB::Table": {
    ref: (name) => name,
    attributes: {
      Arn: (name, a) => arn("dynamodb", `table/${name}`, a),
      StreamArn: (name, a) => arn("dynamodb", `table/${name}/stream/2024-01-01T00:00:00.000`, a),
    },
  },
  "AWS::SNS::Topic": {
    ref: (name, a) => arn("sns", name, a),
    attributes: {
      TopicArn: (name, a) => arn("sns", name, a),
      TopicName: (name) => name,
    },
  },
  "AWS::SQS::Queue": {
    ref: (name, a) => `${a.queueOrigin}/${a.account}/${name}`,
    attributes: {
      Arn: (name, a) => arn("sqs", name, a),
      QueueName: (name) => name,
      QueueUrl: (name, a) => `${a.queueOrigin}/${a.account}/${name}`,
    },
  },
  "AWS::SecretsManager::Secret": {
    ref: (name, a) => arn("secretsmanager", `secret:${name}${SECRET_SUFFIX}`, a),
    attributes: { Id: (name, a) => arn("secretsmanager", `secret:${name}${SECRET_SUFFIX}`, a) },
  },
  "AWS::KMS::Key": {
    ref: (name) => name,
    attributes: { Arn: (name, a) => arn("kms", `key/${name}`, a), KeyId: (name) => name },
  },
  "AWS::Logs::LogGroup": {
    ref: (name) => name,
    attributes: { Arn: (name, a) => arn("logs", `log-group:${name}:*`, a) },
  },
  "AWS::IAM::Role": {
    ref: (name) => name,
    attributes: {
      Arn: (name, a) => `arn:${a.partition}:iam::${a.account}:role/${name}`,
      RoleId: (name) => `AROA${name.toUpperCase()}`,
    },
  },
  "AWS::Lambda::Function": {
    ref: (name) => name,
    attributes: { Arn: (name, a) => arn("lambda", `function:${name}`, a) },
  },
  // The api function is told the front door's domain name (`api.frontDoor`).
  "AWS::CloudFront::Distribution": {
    ref: (name) => name,
    attributes: {
      DomainName: (name) => `${name.toLowerCase()}.cloudfront.net`,
      Id: (name) => name,
    },
  },
};

/** The parts of a synthesized template the stand-ins read. */
export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * The stand-in physical ids of `template`'s resources in `account`.
 *
 * @example
 * const ids = physicalIdsOf(template, accountOf());
 * ids.getAtt("DataTableFDBAD0F2", "Arn"); // "arn:aws:dynamodb:us-east-1:000000000000:table/DataTableFDBAD0F2"
 */
export function physicalIdsOf(template: TemplateJson, account: Account): PhysicalIds {
  const typeOf = (logicalId: string) => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    const rules = TYPES[resource.Type];
    if (!rules) {
      throw new Error(
        `no stand-in for ${resource.Type} (${logicalId}); add one to test/support/iam/stand-ins.ts`,
      );
    }
    const given = resource.Properties?.[NAME_PROPERTIES[resource.Type] ?? ""];
    return { rules, name: typeof given === "string" ? given : logicalId };
  };
  const pseudo: Record<string, string> = {
    "AWS::Partition": account.partition,
    "AWS::Region": account.region,
    "AWS::AccountId": account.account,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "Outcry",
  };
  return {
    ref(logicalId) {
      if (logicalId.startsWith("AWS::")) {
        const value = pseudo[logicalId];
        if (value === undefined)
          throw new Error(`no stand-in for the pseudo parameter ${logicalId}`);
        return value;
      }
      const { rules, name } = typeOf(logicalId);
      return rules.ref(name, account);
    },
    getAtt(logicalId, attribute) {
      const { rules, name } = typeOf(logicalId);
      const rule = rules.attributes[attribute];
      if (!rule) throw new Error(`no stand-in for ${logicalId}.${attribute}`);
      return rule(name, account);
    },
  };
}
