/**
 * Configuration of the `instatus` source: an Instatus status page read as a status
 * signal (0-3, from the page's status and its active incidents' impacts) and as
 * timeline annotations.
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema, statusLevelWeightSchema } from "../../domain/field-schemas";

/**
 * A service's official Instatus page (its public `summary.json`, e.g.
 * `https://status.railway.com`).
 *
 * Its count is a level, not a number of reports (up 0, degraded performance 1, partial
 * or minor outage 2, major outage 3), so its `weight` defaults to 0: it is shown as its
 * own series and its incidents and maintenances annotate the timeline, without moving
 * the combined count.
 */
export const InstatusSourceSchema = z
  .object({
    kind: z.literal("instatus"),
    id: sourceIdSchema.default("instatus"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://status.railway.com")
      .refine(
        (text) => !/\/summary\.json\b/.test(text) && !/[?#]/.test(text),
        "give the status page's address only (outcry adds /summary.json), e.g. 'https://status.railway.com'",
      )
      .describe("the Instatus page's address, e.g. 'https://status.railway.com'"),
  })
  .strict();

/** A validated Instatus source. */
export type InstatusSourceConfig = z.infer<typeof InstatusSourceSchema>;
