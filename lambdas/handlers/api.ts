/**
 * api: the HTTP API (API Gateway HTTP API, payload 2.0): the read endpoints and
 * `POST /reports`. Errors become `application/problem+json` here and nowhere else.
 */
import { readFile } from "node:fs/promises";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SNSClient } from "@aws-sdk/client-sns";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import {
  ATLAS_FILES,
  DASHBOARD_FILE,
  EMBED_PAGE_FILE,
  EMBED_SCRIPT_FILE,
  OPENAPI_FILE,
} from "../../contract/bundled-files";
import { corsFor } from "../api/cors";
import { HttpError } from "../api/http-error";
import { problem } from "../api/responses";
import { type ApiDependencies, route } from "../api/routes";
import { securityHeaders } from "../api/security-headers";
import { throughTrustedEdge } from "../api/trusted-edge";
import { SnsSubscriptionGateway } from "../notify/sns-subscriptions";
import { awsDependencies } from "../wiring/aws-dependencies";
import { requiredEnv } from "../wiring/environment";
import {
  apiKeysFromSecret,
  frontDoorFromEnvironment,
  reporterSaltFromSecret,
} from "../wiring/secrets";
import { logger } from "./logger";

/**
 * Maps thrown errors to problem details; unexpected ones are logged and hidden.
 * (middy's http-error-handler writes the message as the body and sets `Content-Type` to
 * text/plain or application/json from it, so RFC 9457's `application/problem+json` and
 * its `field` would need a second middleware undoing it.)
 */
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
  return (
    middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
      const deps = dependencies();
      // Before any route reads the client's address: the front door's word, or none.
      return route(deps, await throughTrustedEdge(deps.edge, event));
    })
      .use(injectLambdaContext(logger))
      // First, so that every answer, errors included, leaves with these headers.
      .use(securityHeaders())
      // CORS runs after problem details, so error answers carry its headers too.
      .use(
        corsFor(() => {
          const { api, reports } = dependencies().config;
          return { read: api.corsOrigins, report: reports.embedOrigins };
        }),
      )
      .use(problemDetails)
  );
}

const bundledFiles = new Map<string, Promise<string>>();

/** A file `cdk synth` placed beside the bundle, read once per container. */
function bundledFile(name: string): () => Promise<string> {
  return () => {
    let text = bundledFiles.get(name);
    if (!text) {
      text = readFile(new URL(`./${name}`, import.meta.url), "utf8");
      bundledFiles.set(name, text);
    }
    return text;
  };
}

/** Entry point of the api function. */
export const handler = createApiHandler(
  () =>
    awsDependencies({
      salt: reporterSaltFromSecret,
      apiKeys: apiKeysFromSecret,
      dashboard: bundledFile(DASHBOARD_FILE),
      embed: async () => ({
        page: await bundledFile(EMBED_PAGE_FILE)(),
        script: await bundledFile(EMBED_SCRIPT_FILE)(),
      }),
      atlas: (area) => bundledFile(ATLAS_FILES[area])(),
      openApi: bundledFile(OPENAPI_FILE),
      subscriptionGateway: () =>
        new SnsSubscriptionGateway(new SNSClient({}), requiredEnv("TOPIC_ARN")),
      edge: frontDoorFromEnvironment(),
    }).api,
);
