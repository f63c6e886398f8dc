/**
 * The subscription routes: `POST /subscriptions`, `/subscriptions/confirm` and
 * `/subscriptions/unsubscribe`. Like reports they are public, taken only from this API's
 * own pages (or `reports.embedOrigins`), and limited per client address; the use cases
 * hold the rest (`usecases/subscribe.ts`, `confirm-subscription.ts`, `unsubscribe.ts`).
 */
import type * as z from "zod/mini";
import {
  ConfirmedSubscriptionSchema,
  MAX_SUBSCRIPTION_BYTES,
  SubscriptionBodySchema,
  SubscriptionConfirmBodySchema,
  SubscriptionReceiptSchema,
  UnsubscribeBodySchema,
  UnsubscribedSchema,
} from "../../contract/subscription-schemas";
import { SubscriptionRefused } from "../domain/subscription-ports";
import { confirmSubscription } from "../usecases/confirm-subscription";
import { requestSubscription } from "../usecases/subscribe";
import { unsubscribe } from "../usecases/unsubscribe";
import { badRequest, HttpError, notFound } from "./http-error";
import { bodyText, parseJsonBody } from "./json-body";
import { refuseForeignReportOrigin } from "./report-origin";
import { json } from "./responses";
import type { ApiDependencies, RouteSpec } from "./route-spec";

/** The answer to a subscription request the use case did not take. */
function refusal(refused: SubscriptionRefused): HttpError {
  const retryAfter: Record<string, string> =
    refused.retryAfterSeconds === undefined
      ? {}
      : { "retry-after": String(refused.retryAfterSeconds) };
  switch (refused.reason) {
    case "off":
      return notFound(refused.message);
    case "full":
      return new HttpError(503, "Service Unavailable", refused.message, retryAfter);
    case "rate-limited":
    case "limit-per-destination":
      return new HttpError(429, "Too Many Requests", refused.message, retryAfter);
    default:
      return badRequest(refused.message, refused.field);
  }
}

/**
 * A subscription route's handler: refuses pages of other sites, reads the body with
 * `schema`, runs `work` on it with the client's address and the time, and answers
 * `status` (never cached), mapping the use case's refusals to HTTP.
 */
function handled<S extends z.ZodMiniType, T>(
  schema: S,
  example: string,
  status: number,
  work: (
    deps: ApiDependencies,
    body: z.infer<S>,
    client: { sourceIp: string; nowMs: number },
  ) => Promise<T>,
): RouteSpec["handle"] {
  return async (deps, { event, now }) => {
    refuseForeignReportOrigin(
      event.headers,
      deps.config.reports.embedOrigins,
      "subscriptions are taken",
    );
    const body = parseJsonBody(bodyText(event), event.headers["content-type"], schema, {
      maxBytes: MAX_SUBSCRIPTION_BYTES,
      what: "the subscription",
      example,
    });
    try {
      const answer = await work(deps, body, {
        sourceIp: event.requestContext.http.sourceIp,
        nowMs: now,
      });
      return json(status, answer, { "cache-control": "no-store" });
    } catch (error) {
      throw error instanceof SubscriptionRefused ? refusal(error) : error;
    }
  };
}

/** The subscription routes, in the order the OpenAPI document lists them. */
export const SUBSCRIPTION_ROUTES: readonly RouteSpec[] = [
  {
    method: "POST",
    path: "/subscriptions",
    operationId: "subscribe",
    tag: "subscriptions",
    summary: "Ask for alerts by email or SMS",
    description:
      "Carries a solved GET /reports/challenge as `altcha` (unless reports.challenge is off), and optionally the services or categories wanted (neither: all). Nothing is sent to the address but its confirmation: for email, the message SNS sends with its link; for SMS, one text with a six-digit code for POST /subscriptions/confirm. An address already subscribed or waiting gets the same answer and nothing new. Limited per client address (subscriptions.perClientPerMinute), per address or number (subscriptions.perDestinationPerDay confirmations a day, 429) and in all (subscriptions.max and maxPending, 503). 404 when that channel is off.",
    body: SubscriptionBodySchema,
    success: {
      status: 202,
      schema: SubscriptionReceiptSchema,
      description: "taken; waits for its confirmation",
    },
    errors: [403, 404, 413, 415, 429, 503],
    reads: false,
    handle: handled(
      SubscriptionBodySchema,
      '{"email": "<address>"} or {"phone": "+15555550123"}',
      202,
      (deps, body, client) =>
        requestSubscription(deps, {
          channel: body.email !== undefined ? "email" : "sms",
          address: body.email ?? body.phone ?? "",
          services: body.services,
          categories: body.categories,
          updates: body.updates,
          altcha: body.altcha,
          ...client,
        }),
    ),
  },
  {
    method: "POST",
    path: "/subscriptions/confirm",
    operationId: "confirmSubscription",
    tag: "subscriptions",
    summary: "Confirm an SMS subscription with the code it was sent",
    description:
      "The code is valid subscriptions.codeMinutes minutes; after subscriptions.codeAttempts wrong ones the subscription is dropped. The answer carries the token that unsubscribes it: keep it. (Email is confirmed by the link in SNS's message.)",
    body: SubscriptionConfirmBodySchema,
    success: {
      status: 200,
      schema: ConfirmedSubscriptionSchema,
      description: "confirmed: alerts go to the number from now on",
    },
    errors: [403, 413, 415, 429],
    reads: false,
    handle: handled(
      SubscriptionConfirmBodySchema,
      '{"subscription": "<id>", "code": "123456"}',
      200,
      (deps, body, client) => confirmSubscription(deps, { ...body, ...client }),
    ),
  },
  {
    method: "POST",
    path: "/subscriptions/unsubscribe",
    operationId: "unsubscribe",
    tag: "subscriptions",
    summary: "End a subscription with its unsubscribe token",
    description:
      "Ends the SNS subscription and deletes outcry's record of it; repeating it answers the same. Every email also carries SNS's own unsubscribe link, and a text can be answered STOP.",
    body: UnsubscribeBodySchema,
    success: { status: 200, schema: UnsubscribedSchema, description: "ended and forgotten" },
    errors: [403, 413, 415, 429],
    reads: false,
    handle: handled(
      UnsubscribeBodySchema,
      '{"token": "<unsubscribe token>"}',
      200,
      (deps, body, client) => unsubscribe(deps, { token: body.token, ...client }),
    ),
  },
];
