/**
 * The HTTP endpoint: every route goes to the api function, which does its own routing
 * (query API, crowd reports, dashboard), so AWS and the local server behave alike.
 */
import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CorsHttpMethod,
  HttpApi,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/** Properties of a {@link PublicApi}. */
export interface PublicApiProps {
  /** The function serving every route. */
  readonly handler: IFunction;
  /** Steady requests per second across the API. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above `rateLimit`. */
  readonly burstLimit: number;
}

/**
 * Access log fields. The client address is left out on purpose: crowd reporters are
 * stored only as salted hashes, and the access log should not undo that.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    method: "$context.httpMethod",
    path: "$context.path",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage",
    userAgent: "$context.identity.userAgent",
  }),
);

/**
 * An API Gateway HTTP API whose `$default` stage is throttled and access-logged. CORS
 * allows GET and POST from any origin, since the read endpoints are public.
 *
 * @example
 * const api = new PublicApi(this, "Api", { handler: fn, rateLimit: 50, burstLimit: 100 });
 * new CfnOutput(this, "ApiUrl", { value: api.url });
 */
export class PublicApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, "HttpApi", {
      description: "outcry query API, crowd reports and dashboard",
      defaultIntegration: new HttpLambdaIntegration("Handler", props.handler),
      corsPreflight: {
        allowOrigins: ["*"],
        // Reads only: a page elsewhere must not make its visitors post crowd reports.
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.HEAD, CorsHttpMethod.OPTIONS],
        allowHeaders: ["content-type"],
      },
      // Created below, because the automatic default stage takes no throttling or logging.
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    Validations.of(this.httpApi).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "Public by design: the query API and dashboard serve public read-only data, and POST /reports takes anonymous crowd reports, limited per address by the handler and by stage throttling.",
    });
  }

  /** The base URL of the API, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
