/**
 * Configuration of the `betterstack` source: a Better Stack (formerly Better Uptime)
 * status page read as a status signal (0-3) and as timeline annotations.
 */
import * as z from "zod";
import {
  componentNamesSchema,
  httpUrlSchema,
  sourceIdSchema,
  statusLevelWeightSchema,
} from "../../domain/field-schemas";

/**
 * A service's official Better Stack status page, read from its public `index.json`
 * (e.g. `https://status.betterstack.com/index.json`).
 *
 * Its count is a level, not a number of reports (degraded 1, some resources down 2, all
 * of them down 3), so its `weight` defaults to 0: it is shown as its own series and its
 * reports annotate the timeline, without moving the combined count.
 */
export const BetterstackSourceSchema = z
  .object({
    kind: z.literal("betterstack"),
    id: sourceIdSchema.default("betterstack"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://status.betterstack.com")
      .refine(
        (text) => !/\/index\.json\b/.test(text) && !/[?#]/.test(text),
        "give the status page's address only (outcry adds /index.json), e.g. 'https://status.betterstack.com'",
      )
      .describe("the Better Stack status page's address, e.g. 'https://status.betterstack.com'"),
    components: componentNamesSchema.describe(
      "public names of the page's resources that count (any case); all of them when left out",
    ),
  })
  .strict();

/** A validated Better Stack source. */
export type BetterstackSourceConfig = z.infer<typeof BetterstackSourceSchema>;
