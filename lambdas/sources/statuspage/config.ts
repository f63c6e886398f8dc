/**
 * Configuration of the `statuspage` source: an Atlassian Statuspage read as a status
 * signal (worst component level, 0-3) and as timeline annotations.
 */
import * as z from "zod";
import {
  componentNamesSchema,
  httpUrlSchema,
  sourceIdSchema,
  statusLevelWeightSchema,
} from "../../domain/field-schemas";

/**
 * A service's official Statuspage (v2 public API, e.g. `https://www.githubstatus.com`).
 *
 * Its count is a level, not a number of reports (operational 0, degraded performance 1,
 * partial outage 2, major outage 3), so its `weight` defaults to 0: it is shown as its
 * own series and its incidents annotate the timeline, without moving the combined count.
 */
export const StatuspageSourceSchema = z
  .object({
    kind: z.literal("statuspage"),
    id: sourceIdSchema.default("statuspage"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://www.githubstatus.com")
      .refine(
        (text) => !/\/api\/v2\b/.test(text) && !/[?#]/.test(text),
        "give the status page's address only (outcry adds /api/v2/summary.json), e.g. 'https://www.githubstatus.com'",
      )
      .describe("the status page's address, e.g. 'https://www.githubstatus.com'"),
    components: componentNamesSchema,
  })
  .strict();

/** A validated Statuspage source. */
export type StatuspageSourceConfig = z.infer<typeof StatuspageSourceSchema>;
