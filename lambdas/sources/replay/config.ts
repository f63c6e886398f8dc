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
  })
  .strict();
