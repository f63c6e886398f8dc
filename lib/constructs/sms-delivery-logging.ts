/**
 * SMS delivery-status logging. SNS logs the fate of each text (carrier refusals, opt-outs,
 * unreachable numbers) to CloudWatch Logs only when the account's SMS attributes name a
 * role it may log with; CloudFormation has no resource for those attributes, so a custom
 * resource calls `SetSMSAttributes`.
 */
import { ArnFormat, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
} from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";

/** Construct id of the singleton function behind every AwsCustomResource of a stack. */
const PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287";

/**
 * Turns on SMS delivery-status logging for the account in the stack's region: failed
 * texts are always logged (to `sns/<region>/<account>/DirectPublishToPhoneNumber/Failure`),
 * successful ones not at all. It is an account-wide setting: any other role set there
 * before is replaced, and deleting the stack clears it.
 *
 * @example new SmsDeliveryLogging(this, "SmsDeliveryLogging");
 */
export class SmsDeliveryLogging extends Construct {
  /** The role SNS logs with. */
  public readonly role: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new Role(this, "Role", {
      // No source condition: SNS's documented setup for delivery-status logging trusts the
      // service alone, and a condition SNS does not send would silently stop the logs.
      assumedBy: new ServicePrincipal("sns.amazonaws.com"),
      description: "Lets SNS write SMS delivery status to CloudWatch Logs (outcry)",
    });
    // SNS names its groups sns/<region>/<account>/...; nothing else.
    const snsLogGroups = stack.formatArn({
      service: "logs",
      resource: "log-group",
      resourceName: `sns/${stack.region}/${stack.account}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "logs:PutMetricFilter",
          "logs:PutRetentionPolicy",
        ],
        resources: [snsLogGroups, `${snsLogGroups}:log-stream:*`],
      }),
    );
    // cdk-nag names a finding by the resource as synthesized: pseudo parameters where the
    // stack's environment is unknown, the literal region and account where the CLI set them.
    const shown = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
    const region = shown(stack.region, "Region");
    const account = shown(stack.account, "AccountId");
    const logGroupsFinding = `arn:${shown(stack.partition, "Partition")}:logs:${region}:${account}:log-group:sns/${region}/${account}/*`;
    for (const finding of [logGroupsFinding, `${logGroupsFinding}:log-stream:*`]) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${finding}]`,
        reason:
          "SNS creates its delivery-status log groups and streams itself, under sns/<region>/<account>/; the wildcard covers only those.",
      });
    }

    const setAttributes = (role: string) => ({
      service: "SNS",
      action: "setSMSAttributes",
      parameters: {
        attributes: { DeliveryStatusIAMRole: role, DeliveryStatusSuccessSamplingRate: "0" },
      },
      physicalResourceId: PhysicalResourceId.of(`${stack.stackName}-sms-delivery-logging`),
    });
    const resource = new AwsCustomResource(this, "Attributes", {
      onCreate: setAttributes(this.role.roleArn),
      onUpdate: setAttributes(this.role.roleArn),
      // Leaving the role named after it is deleted would make SNS drop every log line.
      onDelete: { ...setAttributes(""), ignoreErrorCodesMatching: ".*" },
      policy: AwsCustomResourcePolicy.fromStatements([
        // SMS attributes are account-wide: the action has no resource to scope to.
        new PolicyStatement({ actions: ["sns:SetSMSAttributes"], resources: ["*"] }),
        new PolicyStatement({ actions: ["iam:PassRole"], resources: [this.role.roleArn] }),
      ]),
      installLatestAwsSdk: false,
      // Without a group of its own, the provider's logs would never expire nor go with the stack.
      logGroup: new LogGroup(this, "ProviderLogs", {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    resource.node.addDependency(this.role);
    Validations.of(resource).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "sns:SetSMSAttributes acts on the account's SMS settings and takes no resource.",
    });
    // The provider function CDK adds once per stack for every AwsCustomResource.
    const provider = stack.node.tryFindChild(PROVIDER_ID);
    if (provider) {
      Validations.of(provider).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "CDK's provider function for custom resources runs a few times per deployment and writes its logs with the basic execution role.",
      });
    }
  }
}
