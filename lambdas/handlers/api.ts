/**
 * api: the HTTP API (API Gateway HTTP API, payload 2.0): the read endpoints and
 * `POST /reports`. Errors become `application/problem+json` here and nowhere else.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { HttpError } from "../api/http-error";
import { problem } from "../api/responses";
import { type ApiDependencies, route } from "../api/routes";
import { awsDependencies } from "./aws-dependencies";
import { logger } from "./logger";
import { reporterSaltFromSecret } from "./reporter-salt";

/** Maps thrown errors to problem details; unexpected ones are logged and hidden. */
const problemDetails: middy.MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> = {
  onError: async (request) => {
    const error = request.error;
    if (error instanceof HttpError) {
      request.response = problem(error);
      return;
    }
    logger.error("request failed", { error: error as Error, path: request.event.rawPath });
    request.response = problem(
      new HttpError(500, "Internal Server Error", "the request failed; see the function's logs"),
    );
  },
};

/** The api handler over the given dependencies. */
export function createApiHandler(dependencies: () => ApiDependencies) {
  return middy(
    async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
      route(dependencies(), event),
  )
    .use(injectLambdaContext(logger))
    .use(problemDetails);
}

/** Entry point of the api function. */
export const handler = createApiHandler(
  () => awsDependencies({ salt: reporterSaltFromSecret }).api,
);
