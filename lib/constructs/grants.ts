/**
 * Grants narrower than CDK's `grant*` methods, for the functions' roles: table actions
 * scoped to the items (partitions) a function uses, and a secret's value without its
 * metadata. `test/iam/` proves them on the calls the code makes: nothing refused, nothing
 * granted that no call used.
 */
import { ArnFormat, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";

/**
 * DynamoDB actions on items, each of which names its partition keys, so that
 * `dynamodb:LeadingKeys` scopes it (a BatchGetItem names every key it reads, so the
 * condition holds for all of them: one batch reads one kind of item). Scan and the table-level actions are left out on
 * purpose: IAM's `ForAllValues:` holds when a request has no leading keys, so a
 * LeadingKeys condition would not scope them at all.
 */
export type ItemAction =
  | "GetItem"
  | "BatchGetItem"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "Query";

/** One kind of item a function uses, and what it does with it. */
export interface ItemAccess {
  /**
   * Partition key values (`PROGRESS`) or prefixes (`S#*`) of those items; on an index,
   * values of the index's partition key (which `dynamodb:LeadingKeys` names there).
   */
  readonly partitions: readonly string[];
  readonly actions: readonly ItemAction[];
  /** A global secondary index of the table, read instead of the table (Query only). */
  readonly index?: string;
}

/**
 * Lets `grantee` use the items of `table` in `partitions` with `actions`, one statement
 * per entry, each conditioned on the request's partition keys.
 *
 * @example
 * grantItems(table, detect.function, [
 *   // Incidents: recorded, and listed to find the open ones.
 *   { partitions: ["INC"], actions: ["PutItem", "Query"] },
 *   // The outbox's queues, read through their index.
 *   { partitions: ["OUTBOX#*"], actions: ["Query"], index: "queue" },
 * ]);
 */
export function grantItems(
  table: ITable,
  grantee: IGrantable,
  access: readonly ItemAccess[],
): void {
  for (const { partitions, actions, index } of access) {
    if (index && actions.some((action) => action !== "Query")) {
      throw new Error(`only Query reads an index (${index})`);
    }
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [index ? `${table.tableArn}/index/${index}` : table.tableArn],
        conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...partitions] } },
      }),
    );
  }
}

/**
 * Lets `grantee` read the value of `secret`: `secretsmanager:GetSecretValue` only, rather
 * than `grantRead`'s `DescribeSecret` too, which the functions never call. A secret known
 * by name or partial ARN is named with the six characters Secrets Manager appends, as
 * `grantRead` names it.
 */
export function grantSecretValue(secret: ISecret, grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
    }),
  );
}

/**
 * Lets `grantee` read the values of the secrets called `names` in the account and region
 * of `scope`'s stack (secrets the operator creates, known only by name): `GetSecretValue`
 * on `…:secret:NAME-??????`, the six characters Secrets Manager appends, and no more.
 * No statement when there are none.
 * @example grantSecretNames(this, collect.function, ["outcry/bluesky"]);
 */
export function grantSecretNames(
  scope: Construct,
  grantee: IGrantable,
  names: readonly string[],
): void {
  if (names.length === 0) return;
  const stack = Stack.of(scope);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [...new Set(names)].map((name) =>
        stack.formatArn({
          service: "secretsmanager",
          resource: "secret",
          resourceName: `${name}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    }),
  );
}
