/**
 * The subscription routes' contract as zod/mini schemas: the bodies `POST /subscriptions`,
 * `/subscriptions/confirm` and `/subscriptions/unsubscribe` take and answer with. The
 * router validates with them, `openapi.ts` documents them, and the dashboard's form is
 * typed by them.
 */
import * as z from "zod/mini";
import { type Category, PROBLEM_KINDS } from "./catalog";

const CATEGORIES = Object.keys(PROBLEM_KINDS) as [Category, ...Category[]];

/** Longest accepted subscription body: addresses and a few dozen service ids. */
export const MAX_SUBSCRIPTION_BYTES = 4096;

const ADDRESS_HINT = "give 'email' or 'phone' (E.164, e.g. '+15555550123'), not both";

/** `POST /subscriptions`. */
export const SubscriptionBodySchema = z
  .object({
    email: z.optional(
      z.string({ error: ADDRESS_HINT }).check(z.maxLength(254, "'email' is too long")),
    ),
    phone: z.optional(
      z.string({ error: ADDRESS_HINT }).check(z.maxLength(40, "'phone' is too long")),
    ),
    services: z.optional(
      z
        .array(z.string().check(z.maxLength(64, "a service id is at most 64 characters")))
        .check(
          z.minLength(1, "'services' lists at least one service id, or leave it out"),
          z.maxLength(50, "'services' lists at most 50 ids; use 'categories' for more"),
        ),
    ),
    categories: z.optional(
      z
        .array(z.enum(CATEGORIES, { error: `a category is one of ${CATEGORIES.join(", ")}` }))
        .check(z.minLength(1, "'categories' lists at least one, or leave it out")),
    ),
    updates: z.optional(z.boolean({ error: "'updates' is true or false" })),
    altcha: z.optional(
      z
        .string({ error: "'altcha' is the solved GET /reports/challenge" })
        .check(z.maxLength(2000, "'altcha' is too long")),
    ),
  })
  .check(
    z.refine((body) => (body.email === undefined) !== (body.phone === undefined), {
      error: ADDRESS_HINT,
      path: ["email"],
    }),
  );

/** `POST /subscriptions/confirm`. */
export const SubscriptionConfirmBodySchema = z.object({
  subscription: z
    .string({ error: "'subscription' is the id POST /subscriptions answered" })
    .check(z.maxLength(40, "'subscription' is too long")),
  code: z
    .string({ error: "'code' is the six digits of the text" })
    .check(z.regex(/^\d{6}$/, "'code' is the six digits of the text")),
});

/** `POST /subscriptions/unsubscribe`. */
export const UnsubscribeBodySchema = z.object({
  token: z
    .string({ error: "'token' is the unsubscribe token the confirmation gave" })
    .check(z.maxLength(100, "'token' is too long")),
});

/** The answer of `POST /subscriptions` (202): nothing is sent but the confirmation. */
export const SubscriptionReceiptSchema = z.object({
  status: z.literal("pending"),
  channel: z.enum(["email", "sms"]),
  /** For SMS: the id `POST /subscriptions/confirm` takes with the code. */
  subscription: z.string(),
  /** link: follow the link in the email SNS sends; code: post the code of the text. */
  confirmWith: z.enum(["link", "code"]),
});

/** The answer of `POST /subscriptions/confirm`. */
export const ConfirmedSubscriptionSchema = z.object({
  status: z.literal("confirmed"),
  subscription: z.string(),
  /** Ends the subscription at `POST /subscriptions/unsubscribe`; keep it. */
  unsubscribeToken: z.string(),
});

/** The answer of `POST /subscriptions/unsubscribe`. */
export const UnsubscribedSchema = z.object({ status: z.literal("unsubscribed") });
