/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the same
 * zod schemas that validate requests and shape responses (`contract/api-schemas.ts`). OpenAPI 3.1
 * uses JSON Schema 2020-12, which is what zod emits. Built once per container.
 */
import * as z from "zod/mini";
import {
  HealthSchema,
  IncidentDetailSchema,
  IncidentListSchema,
  IncidentSchema,
  JsonFeedSchema,
  ProblemSchema,
  ReportChallengeSchema,
  ReportResultSchema,
  SeriesSchema,
  ServiceDetailSchema,
  ServiceListSchema,
  ServiceSummarySchema,
  ShieldsEndpointSchema,
} from "../../contract/api-schemas";
import {
  ConfirmedSubscriptionSchema,
  SubscriptionReceiptSchema,
  UnsubscribedSchema,
} from "../../contract/subscription-schemas";
import { API_KEY_HEADER, type ApiAccess } from "./access";
import { ROUTES, type RouteSpec } from "./routes";

/** Named schemas under `components.schemas`; a route's schema found here is a `$ref`. */
const COMPONENTS: Record<string, z.ZodMiniType> = {
  Problem: ProblemSchema,
  ServiceSummary: ServiceSummarySchema,
  ServiceList: ServiceListSchema,
  ServiceDetail: ServiceDetailSchema,
  Series: SeriesSchema,
  Incident: IncidentSchema,
  IncidentList: IncidentListSchema,
  IncidentDetail: IncidentDetailSchema,
  Health: HealthSchema,
  ReportResult: ReportResultSchema,
  ReportChallenge: ReportChallengeSchema,
  SubscriptionReceipt: SubscriptionReceiptSchema,
  ConfirmedSubscription: ConfirmedSubscriptionSchema,
  Unsubscribed: UnsubscribedSchema,
  JsonFeed: JsonFeedSchema,
  ShieldsEndpoint: ShieldsEndpointSchema,
};

const TITLES: Record<number, string> = {
  400: "a query parameter (one given twice included), a path segment or the body is not valid; `field` names the one at fault",
  401: "a valid API key is required in the x-api-key header",
  403: "refused: a report or subscription sent by a page of another site",
  404: "no such service or incident (for the challenge: reports.challenge is off; for subscriptions: that channel is off)",
  413: "the body is too large",
  415: "the body is not JSON",
  429: "too many requests from this address; see Retry-After",
  500: "the request failed on the server",
  503: "no room: as many subscriptions as the deployment takes, or as many waiting for confirmation; see Retry-After",
};

/** The groups operations are listed under, in the document's order. */
const TAGS: Record<RouteSpec["tag"], string> = {
  about: "The dashboard page, health and this description. Public.",
  status:
    "What is down: the services, their counts over time and their incidents. Behind the API key or signature when api.auth asks for one.",
  reports: "Crowd reports: fetch a challenge, solve it, post the report. Public.",
  subscriptions:
    "Alerts by email or SMS that people ask for themselves: subscribe (with a solved challenge), confirm, unsubscribe. Public, limited per address and per destination.",
  feeds:
    "For followers: incidents as Atom and JSON Feed, a service's status as a badge (SVG, or shields.io's endpoint JSON). Behind the API key or signature like the other reads: a public badge needs api.auth none.",
};

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 of a zod schema, without the `$schema` key OpenAPI does not want. */
function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  return rest as JsonSchema;
}

/**
 * The components as JSON Schema, converted together so that one holding another (a list
 * of incidents, an incident) refers to it by `$ref` instead of repeating it.
 */
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: "output",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _dialect, $id: _id, ...rest }]) => [
      name,
      rest as JsonSchema,
    ]),
  );
}

function reference(schema: z.ZodMiniType): JsonSchema {
  const name = Object.entries(COMPONENTS).find(([, candidate]) => candidate === schema)?.[0];
  return name ? { $ref: `#/components/schemas/${name}` } : jsonSchema(schema, "output");
}

/**
 * How a read proves itself in each `api.auth` mode that asks it to (`none` asks nothing,
 * so its document declares no scheme).
 */
const SECURITY_SCHEMES: Record<Exclude<ApiAccess["mode"], "none">, JsonSchema> = {
  apiKey: { type: "apiKey", in: "header", name: API_KEY_HEADER },
  // OpenAPI has no SigV4 scheme; API Gateway's own export declares IAM authorization so.
  iam: {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "AWS Signature Version 4, checked by API Gateway: sign with credentials allowed execute-api:Invoke on the stack's ApiReadArn output",
    "x-amazon-apigateway-authtype": "awsSigv4",
  },
};

/** API Gateway's refusal of an unsigned or unauthorized request: its own body, not ours. */
const SIGNATURE_REFUSED = {
  description:
    "API Gateway refused the request before the function saw it: not signed with AWS Signature Version 4, or signed by a principal not allowed execute-api:Invoke",
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: { message: { type: "string" } },
        required: ["message"],
      },
    },
  },
};

const problemResponse = (status: number) => ({
  description: TITLES[status] ?? "an error",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

function operation(spec: RouteSpec, auth: ApiAccess["mode"]): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const match of spec.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name: match[1], in: "path", required: true, schema: { type: "string" } });
  }
  if (spec.query) {
    const query = jsonSchema(spec.query, "input");
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(query.properties as Record<string, JsonSchema>)) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: "query",
        required: required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  const { success } = spec;
  const successContent = success.html
    ? { "text/html": { schema: { type: "string" } } }
    : {
        [success.mediaType ?? "application/json"]: {
          schema: success.schema
            ? reference(success.schema)
            : success.mediaType
              ? { type: "string" }
              : {},
        },
      };
  const responses: Record<string, unknown> = {
    [success.status]: { description: success.description, content: successContent },
  };
  for (const extra of spec.alsoAnswers ?? []) {
    responses[extra.status] = { description: extra.description, content: successContent };
  }
  if (spec.cache) responses["304"] = { description: "not modified (If-None-Match matched)" };
  // Every operation: besides each route's own parameters and body, a repeated query
  // parameter is refused on any route, whether or not it reads that parameter.
  const errors = new Set([400]);
  const secured = spec.reads && auth !== "none";
  if (secured && auth === "apiKey") errors.add(401);
  for (const status of [...spec.errors, 500]) errors.add(status);
  for (const status of [...errors].sort()) responses[status] = problemResponse(status);
  if (secured && auth === "iam") responses[403] = SIGNATURE_REFUSED;
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(spec.body, "input") } },
          },
        }
      : {}),
    // Public operations say so (an empty list), rather than leaving it unsaid.
    security: secured ? [{ [auth]: [] }] : [],
    responses,
  };
}

/**
 * What a path answers beyond its operations, as the router does: HEAD wherever GET is,
 * OPTIONS for CORS preflights, and 405 naming the allowed methods for any other method.
 * OpenAPI 3.1 describes responses per operation, and a method answered only with 405 is
 * no operation of this API, so the path says it in words.
 */
function pathDescription(methods: readonly string[]): string {
  const allowed = methods.includes("GET") ? [...methods, "HEAD"] : [...methods];
  return `Answers ${allowed.join(", ")} and OPTIONS (204, for CORS preflights); any other method answers 405 with \`Allow: ${allowed.join(", ")}\`.`;
}

/** Said of every deployment; with iam, also what API Gateway answers before the function. */
function apiDescription(auth: ApiAccess["mode"]): string {
  return [
    "Outage reports per service: what is down, since when and how badly, with crowd reports in.",
    "Errors are application/problem+json; a path not listed here answers 404.",
    "In AWS, API Gateway answers 429 with its own {message} body when the stage's request rate is exceeded.",
    ...(auth === "iam"
      ? [
          "With api.auth iam, API Gateway answers 403 ({message}) to an unsigned request for anything but the public operations and CORS preflights.",
        ]
      : []),
  ].join(" ");
}

const cached = new Map<string, JsonSchema>();

/**
 * The OpenAPI 3.1 document for `routes`, with read routes secured as `auth` says.
 * @example const doc = openApiDocument(ROUTES, "none"); doc.openapi // "3.1.0"
 */
export function openApiDocument(routes: readonly RouteSpec[], auth: ApiAccess["mode"]): JsonSchema {
  const known = cached.get(auth);
  if (known) return known;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operation(spec, auth) };
  }
  for (const [path, item] of Object.entries(paths)) {
    const methods = routes.filter((spec) => spec.path === path).map((spec) => spec.method);
    paths[path] = { description: pathDescription(methods), ...item };
  }
  const document = {
    openapi: "3.1.0",
    info: {
      title: "outcry",
      version: "1",
      description: apiDescription(auth),
      license: { name: "MIT", identifier: "MIT" },
    },
    // Each deployment has its own address; relative, so the document fits any of them.
    servers: [
      {
        url: "/",
        description:
          "this deployment: in AWS the stack's ApiUrl output, locally the address npm start prints",
      },
    ],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: componentSchemas(),
      ...(auth === "none" ? {} : { securitySchemes: { [auth]: SECURITY_SCHEMES[auth] } }),
    },
  };
  cached.set(auth, document);
  return document;
}

/**
 * The API's OpenAPI document as JSON text, for `api.auth` = `auth`.
 * @example writeFileSync(join(dir, OPENAPI_FILE), openApiText(config.api.auth));
 */
export function openApiText(auth: ApiAccess["mode"]): string {
  return JSON.stringify(openApiDocument(ROUTES, auth));
}
