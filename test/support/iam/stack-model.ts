/**
 * What the gate needs to know from a synthesized template: each function's identity (the
 * role it runs as and every statement of the policies attached to that role) and the facts
 * AWS itself uses to authorize a call (a table's partition key, a topic's KMS key), all
 * resolved against the test account's stand-in physical ids.
 */
import { resolveIntrinsics } from "./intrinsics";
import type { PolicyStatement } from "./policy-evaluator";
import {
  type Account,
  type AccountSettings,
  accountOf,
  physicalIdsOf,
  type TemplateJson,
} from "./stand-ins";

/** One function as IAM sees it. */
export interface FunctionIdentity {
  /** The access key id its clients sign with in tests (e.g. `collect`). */
  accessKeyId: string;
  functionLogicalId: string;
  roleLogicalId: string;
  /** The role's ARN (`aws:PrincipalArn` of its sessions). */
  roleArn: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>`, as Lambda's sessions are named. */
  principalArn: string;
  /** Every statement of every policy attached to its role. */
  statements: PolicyStatement[];
  /** The function's environment, references resolved to stand-ins. */
  environment: Record<string, string>;
  /** Where Lambda sends a failed asynchronous invocation (an SQS queue ARN), if anywhere. */
  onFailureDestination: string | undefined;
  /** The log group Lambda writes the function's logs to. */
  logGroupArn: string | undefined;
  /** The SQS queues (ARNs) Lambda polls for the function: its event source mappings. */
  eventSourceQueues: string[];
}

/** A table as DynamoDB's authorization sees it. */
export interface TableFacts {
  name: string;
  arn: string;
  /** The partition key's attribute name, whose values are `dynamodb:LeadingKeys`. */
  partitionKey: string;
  /** Global secondary index name → its partition key's attribute name (LeadingKeys there). */
  indexes: Record<string, string>;
}

/** Everything the gate decides with. */
export interface StackModel {
  account: Account;
  identities: FunctionIdentity[];
  tables: TableFacts[];
  /** Topic ARN → the ARN of the KMS key that encrypts it. */
  topicKeys: Map<string, string>;
}

type Resource = TemplateJson["Resources"][string];

function refTo(value: unknown): string | undefined {
  return (value as { Ref?: string } | null)?.Ref;
}

function getAttOf(value: unknown): string | undefined {
  const getAtt = (value as { "Fn::GetAtt"?: [string, string] } | null)?.["Fn::GetAtt"];
  return getAtt?.[0];
}

/** The policy documents attached to `roleId`: its inline policies and the policies naming it. */
function policyDocuments(template: TemplateJson, roleId: string): unknown[] {
  const role = template.Resources[roleId] as Resource;
  if ((role.Properties?.ManagedPolicyArns as unknown[] | undefined)?.length) {
    throw new Error(`${roleId} has managed policies, which the IAM test layer cannot read`);
  }
  const inline = ((role.Properties?.Policies as { PolicyDocument: unknown }[]) ?? []).map(
    (policy) => policy.PolicyDocument,
  );
  const attached = Object.values(template.Resources)
    .filter((r) => r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy")
    .filter((r) => ((r.Properties?.Roles as unknown[]) ?? []).some((ref) => refTo(ref) === roleId))
    .map((r) => r.Properties?.PolicyDocument);
  return [...inline, ...attached];
}

/**
 * Reads the functions named in `functions` (access key id → logical id of the
 * `AWS::Lambda::Function`) and the resources they call from `template`.
 *
 * @example
 * const model = stackModel(template, { collect: "CollectFunction02542C7F" });
 * model.identities[0]?.statements; // collect's role's statements, ARNs resolved
 */
export function stackModel(
  template: TemplateJson,
  functions: Record<string, string>,
  settings: AccountSettings = {},
): StackModel {
  const account = accountOf(settings);
  const ids = physicalIdsOf(template, account);
  const resolve = (value: unknown) => resolveIntrinsics(value, ids);
  const resources = Object.entries(template.Resources);

  const identities = Object.entries(functions).map(([accessKeyId, functionLogicalId]) => {
    const fn = template.Resources[functionLogicalId];
    if (fn?.Type !== "AWS::Lambda::Function") {
      throw new Error(`${functionLogicalId} is not a function of the template`);
    }
    const roleLogicalId = getAttOf(fn.Properties?.Role);
    if (!roleLogicalId) throw new Error(`${functionLogicalId} has no role of the template`);
    const statements = policyDocuments(template, roleLogicalId).flatMap((document) => {
      const { Statement } = resolve(document) as { Statement: PolicyStatement | PolicyStatement[] };
      return [Statement].flat();
    });
    const invokeConfig = resources.find(
      ([, r]) =>
        r.Type === "AWS::Lambda::EventInvokeConfig" &&
        refTo(r.Properties?.FunctionName) === functionLogicalId,
    )?.[1];
    const destination = (
      invokeConfig?.Properties?.DestinationConfig as { OnFailure?: { Destination: unknown } }
    )?.OnFailure?.Destination;
    const loggingConfig = fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined;
    const logGroupId = refTo(loggingConfig?.LogGroup);
    const variables = (fn.Properties?.Environment as { Variables?: unknown } | undefined)
      ?.Variables;
    const eventSourceQueues = resources
      .filter(
        ([, r]) =>
          r.Type === "AWS::Lambda::EventSourceMapping" &&
          refTo(r.Properties?.FunctionName) === functionLogicalId,
      )
      .map(([, r]) => resolve(r.Properties?.EventSourceArn) as string);
    return {
      accessKeyId,
      functionLogicalId,
      roleLogicalId,
      roleArn: ids.getAtt(roleLogicalId, "Arn"),
      principalArn: `arn:${account.partition}:sts::${account.account}:assumed-role/${ids.ref(roleLogicalId)}/${ids.ref(functionLogicalId)}`,
      statements,
      environment: (variables ? resolve(variables) : {}) as Record<string, string>,
      onFailureDestination: destination ? (resolve(destination) as string) : undefined,
      logGroupArn: logGroupId ? ids.getAtt(logGroupId, "Arn") : undefined,
      eventSourceQueues,
    };
  });

  const tables = resources
    .filter(([, r]) => r.Type === "AWS::DynamoDB::Table")
    .map(([logicalId, r]) => {
      const keys = r.Properties?.KeySchema as { AttributeName: string; KeyType: string }[];
      const hash = keys.find((k) => k.KeyType === "HASH");
      if (!hash) throw new Error(`${logicalId} has no partition key`);
      const indexes: Record<string, string> = {};
      const declared = (r.Properties?.GlobalSecondaryIndexes ?? []) as {
        IndexName: string;
        KeySchema: { AttributeName: string; KeyType: string }[];
      }[];
      for (const index of declared) {
        const indexHash = index.KeySchema.find((k) => k.KeyType === "HASH");
        if (!indexHash)
          throw new Error(`${logicalId}: index ${index.IndexName} has no partition key`);
        indexes[index.IndexName] = indexHash.AttributeName;
      }
      return {
        name: ids.ref(logicalId),
        arn: ids.getAtt(logicalId, "Arn"),
        partitionKey: hash.AttributeName,
        indexes,
      };
    });

  const topicKeys = new Map<string, string>();
  for (const [logicalId, r] of resources) {
    if (r.Type !== "AWS::SNS::Topic" || r.Properties?.KmsMasterKeyId === undefined) continue;
    const key = resolve(r.Properties.KmsMasterKeyId) as string;
    // The AWS managed key (alias/aws/sns) needs no grant in the publisher's policy.
    if (key.startsWith("arn:")) topicKeys.set(ids.ref(logicalId), key);
  }
  return { account, identities, tables, topicKeys };
}
