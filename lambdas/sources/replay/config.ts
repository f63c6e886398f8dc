/**
 * Configuration of the `replay` source: counts read back from a CSV.
 */
import * as z from "zod";
import { serviceIdSchema, sourceIdSchema } from "../../domain/field-schemas";

/**
 * Replays counts from a CSV (`timestamp,service,count`, bucket starts in ISO-8601 UTC).
 * `align: "exact"` reads the row whose timestamp is the bucket being collected (for a
 * virtual clock running in the CSV's own time, as the demo does); `"loop"` tiles the
 * CSV's whole span onto real time, so a deployed stack has live-looking data.
 */
export const ReplaySourceSchema = z
  .object({
    kind: z.literal("replay"),
    id: sourceIdSchema.default("replay"),
    weight: z.number().positive().max(1000).default(1),
    file: z.string().min(1, "give the CSV path, relative to the config file"),
    column: serviceIdSchema
      .optional()
      .describe("the CSV's service value to read; defaults to this service's id"),
    align: z.enum(["exact", "loop"]).default("exact"),
    split: z
      .object({
        problems: z
          .record(
            z
              .string()
              .regex(/^[a-z][a-z0-9-]{0,39}$/, "use a problem kind of the service's category"),
            z.number().positive().max(1_000_000),
          )
          .optional()
          .describe('problem kind → relative weight, e.g. { "no-signal": 47, "calls": 28 }'),
        regions: z
          .record(
            z
              .string()
              .regex(
                /^(?:US-)?[A-Z]{2}$/,
                "use a region code: US-TX for a state, DE for a country",
              ),
            z.number().positive().max(1_000_000),
          )
          .optional()
          .describe('region code of the service\'s area → relative weight, e.g. { "US-TX": 22 }'),
      })
      .strict()
      .optional()
      .describe(
        "for demos: divide each replayed count into problem kinds and regions by these relative weights, as if its reports had named them (the CSV holds counts only)",
      ),
  })
  .strict();
