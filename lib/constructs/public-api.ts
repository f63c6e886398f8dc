/**
 * The HTTP endpoint: every route goes to the api function, which does its own routing
 * (query API, crowd reports, dashboard), so AWS and the local server behave alike.
 */
import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { ROUTES } from "../../lambdas/api/routes";

/** Properties of a {@link PublicApi}. */
export interface PublicApiProps {
  /** The function serving every route. */
  readonly handler: IFunction;
  /** Steady requests per second across the API. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above `rateLimit`. */
  readonly burstLimit: number;
  /**
   * Who may read (config `api.auth`). With "iam", API Gateway checks SigV4 signatures on
   * every route but the public ones; "apiKey" is checked by the function.
   */
  readonly auth: "none" | "apiKey" | "iam";
}

/**
 * Routes that stay public whatever `auth` says: every route of the table that reads no
 * data (the page, health, the description, the report challenge and reports), taken from
 * the table so a new public route cannot be left behind a signature. HEAD goes with GET,
 * as the function answers it.
 */
export const PUBLIC_ROUTES: readonly { methods: HttpMethod[]; path: string }[] = [
  ...ROUTES.filter((route) => !route.reads).map((route) => ({
    methods: route.method === "GET" ? [HttpMethod.GET, HttpMethod.HEAD] : [HttpMethod.POST],
    path: route.path,
  })),
  // Browsers send CORS preflights without credentials, to any path.
  { methods: [HttpMethod.OPTIONS], path: "/" },
  { methods: [HttpMethod.OPTIONS], path: "/{proxy+}" },
];

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
 * An API Gateway HTTP API whose `$default` stage is throttled and access-logged. CORS is
 * answered by the function (config `api.corsOrigins`), so it behaves the same locally.
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
    const integration = new HttpLambdaIntegration("Handler", props.handler);
    this.httpApi = new HttpApi(this, "HttpApi", {
      description: "outcry query API, crowd reports and dashboard",
      defaultIntegration: integration,
      ...(props.auth === "iam" ? { defaultAuthorizer: new HttpIamAuthorizer() } : {}),
      // Created below, because the automatic default stage takes no throttling or logging.
      createDefaultStage: false,
    });
    if (props.auth === "iam") {
      for (const route of PUBLIC_ROUTES) {
        const added = this.httpApi.addRoutes({
          path: route.path,
          methods: route.methods,
          integration,
          authorizer: new HttpNoneAuthorizer(),
        });
        for (const construct of added) {
          Validations.of(construct).acknowledge({
            id: "AwsSolutions-APIG4",
            reason: `${route.methods.join("/")} ${route.path} stays public: the page and its map's atlases, health, the API description, the report challenge, anonymous crowd reports, the embeddable report button and CORS preflights carry no signature.`,
          });
        }
      }
    }
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
    if (props.auth !== "iam") {
      Validations.of(this.httpApi).acknowledge({
        id: "AwsSolutions-APIG4",
        reason:
          props.auth === "apiKey"
            ? "The function checks the API key (kept in Secrets Manager) on every read route; the page and its atlases (/atlas/{area}.json), /health, /openapi.json, GET /reports/challenge, POST /reports (anonymous crowd reports, limited per address) and the report button (/embed/report, /embed.js) are public by design."
            : "Public by design (api.auth none): the query API and dashboard serve public read-only data, and POST /reports takes anonymous crowd reports, limited per address by the handler and by stage throttling.",
      });
    }
  }

  /** The base URL of the API, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
