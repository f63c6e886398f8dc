/**
 * The single DynamoDB table holding series, incidents, outbox and crowd reports
 * (key design in `lambdas/store/`).
 */
import { RemovalPolicy } from "aws-cdk-lib";
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { QUEUE_INDEX } from "../../lambdas/store/queue-index";

/** Attribute holding the epoch second after which DynamoDB may delete an item. */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * The outcry table: `pk`/`sk` strings, on-demand, point-in-time recovery, TTL on
 * `expiresAt`, and the outbox's sparse queue index (`QUEUE_INDEX`, the same one the local
 * store is made with: only pending messages and recent openings carry its keys). It is retained when the stack is deleted, since it holds the history, and
 * protected from deletion.
 *
 * @example
 * const { table } = new OutcryTable(this, "Data");
 * table.grantReadWriteData(fn);
 */
export class OutcryTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      // The history outlives the stack, and a mistaken replacement or console delete
      // must fail rather than take it: turn this off by hand to delete the table.
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: QUEUE_INDEX.name,
      partitionKey: { name: QUEUE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: QUEUE_INDEX.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...QUEUE_INDEX.projected],
    });
  }
}
