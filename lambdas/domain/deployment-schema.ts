/**
 * Settings that only the AWS deployment reads: who hears when outcry itself fails
 * (`operators`), how much of the account's Lambda concurrency each function may take
 * (`concurrency`), and the SMS spending the alarms watch (`sms`). `npm start` and the
 * backtest accept and ignore them, so one file serves every runtime.
 */
import * as z from "zod";

/** A phone number in E.164 form, as SNS takes it. */
export const e164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "use E.164 format with country code, e.g. '+15555550123'");

/**
 * Someone who is told when outcry itself fails: every operational alarm (a function's
 * errors or throttles, an event or notification that could not be delivered, SMS spend)
 * goes to the alarm topic, and each operator is subscribed to it.
 */
export const OperatorSchema = z.union(
  [
    z.object({ email: z.email("not an email address") }).strict(),
    z.object({ sms: e164 }).strict(),
    z
      .object({
        webhook: z
          .string()
          .describe("id of an entry of `webhooks`, whose URL the alarms are posted to"),
      })
      .strict(),
  ],
  {
    error: () =>
      "give one of { email: 'ops@example.org' }, { sms: '+15555550123' } or { webhook: '<id of a configured webhook>' }",
  },
);

/**
 * Reserved concurrency of one function: a whole number reserves that many concurrent
 * executions for it and caps it there; "unreserved" leaves it to the account's shared
 * pool (no guarantee, no cap).
 */
const RESERVATION_HINT = "use a whole number of concurrent executions (1-1000) or 'unreserved'";
const reservation = z.union(
  [
    z.number().int(RESERVATION_HINT).min(1, RESERVATION_HINT).max(1000, RESERVATION_HINT),
    z.literal("unreserved"),
  ],
  { error: () => RESERVATION_HINT },
);

/** The default reservations: see {@link ConcurrencySchema}. */
export const DEFAULT_CONCURRENCY = { collect: 5, detect: 5, api: 50, webhook: 2 } as const;

/**
 * Reserved concurrency per function. The defaults keep collect and detect runnable while
 * a report flood fills the API: collect and detect get five executions each (the tick
 * that hands out the shards, and the default four shard workers, `shards.workers`), the
 * webhook function two, and the API at most 50 (about 1,500 requests a second at 30 ms
 * each, above the stage's default rate limit), so a flood cannot take the account's whole
 * pool. Lambda keeps 100 executions of every account unreserved, so the defaults (62 in
 * all) need an account concurrency limit of at least 162; on a new account with a limit
 * of 10, set `"concurrency": "unreserved"`.
 */
export const ConcurrencySchema = z.union([
  z.literal("unreserved"),
  z
    .object({
      collect: reservation.default(DEFAULT_CONCURRENCY.collect),
      detect: reservation.default(DEFAULT_CONCURRENCY.detect),
      api: reservation.default(DEFAULT_CONCURRENCY.api),
      webhook: reservation.default(DEFAULT_CONCURRENCY.webhook),
    })
    .strict(),
]);

/** Services in one shard by default: a shard's reads fit well inside one invocation. */
export const DEFAULT_SHARD_SERVICES = 200;
/** Shard workers of collect and of detect by default (the queues' maximum concurrency). */
export const DEFAULT_SHARD_WORKERS = 4;

/**
 * How collect and detect split their work. Every tick hands out one queue message per
 * shard of at most `services` services; at most `workers` invocations work on a queue at
 * once (the event source mapping's maximum concurrency, which Lambda sets no lower
 * than 2). Nothing in the stack grows with the number of services or shards.
 */
export const ShardSettingsSchema = z
  .object({
    services: z
      .number()
      .int("use a whole number of services")
      .min(10, "a shard holds at least 10 services")
      .max(2_000, "a shard holds at most 2,000 services: more would not fit one invocation's time")
      .default(DEFAULT_SHARD_SERVICES)
      .describe("services per shard of collect and detect"),
    workers: z
      .number()
      .int("use a whole number of workers")
      .min(2, "Lambda's queue polling runs at least 2 workers")
      .max(1_000, "at most 1,000 workers")
      .default(DEFAULT_SHARD_WORKERS)
      .describe(
        "shard workers of collect and of detect at once (each function's reserved concurrency must be at least this plus one)",
      ),
  })
  .strict();

/** SMS spending and delivery logging. */
export const SmsSettingsSchema = z
  .object({
    monthlySpendLimitUSD: z
      .number()
      .positive()
      .max(1_000_000)
      .default(1)
      .describe(
        "the account's SMS spending limit in USD (SNS's default is 1); an alarm fires at 80% of it",
      ),
    deliveryStatusLogging: z
      .boolean()
      .default(true)
      .describe(
        "when anyone gets SMS, set the account's SMS delivery-status logging (failed texts to CloudWatch Logs; an account-wide setting of the region)",
      ),
  })
  .strict();

/** A validated operator. */
export type Operator = z.infer<typeof OperatorSchema>;
/** Validated reservations: one per function, or "unreserved" for all. */
export type Concurrency = z.infer<typeof ConcurrencySchema>;
/** Validated shard settings. */
export type ShardSettings = z.infer<typeof ShardSettingsSchema>;
/** Validated SMS settings. */
export type SmsSettings = z.infer<typeof SmsSettingsSchema>;
