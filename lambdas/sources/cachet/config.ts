/**
 * Configuration of the `cachet` source: a Cachet 2.x status page read as a status signal
 * (its worst component status, 0-3) and as timeline annotations.
 */
import * as z from "zod";
import {
  componentNamesSchema,
  httpUrlSchema,
  sourceIdSchema,
  statusLevelWeightSchema,
} from "../../domain/field-schemas";

/**
 * A service's official Cachet page, read from its public API (`{url}/api/v1/components`
 * and `{url}/api/v1/incidents`).
 *
 * Its count is a level, not a number of reports (performance issues 1, partial outage 2,
 * major outage 3), so its `weight` defaults to 0: it is shown as its own series and its
 * incidents annotate the timeline, without moving the combined count.
 */
export const CachetSourceSchema = z
  .object({
    kind: z.literal("cachet"),
    id: sourceIdSchema.default("cachet"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://demo.cachethq.io")
      .refine(
        (text) => !/\/api\/v1\b/.test(text) && !/[?#]/.test(text),
        "give the Cachet page's root only (outcry adds /api/v1/components and /api/v1/incidents), e.g. 'https://demo.cachethq.io'",
      )
      .describe("the Cachet status page's root address, e.g. 'https://demo.cachethq.io'"),
    components: componentNamesSchema,
  })
  .strict();

/** A validated Cachet source. */
export type CachetSourceConfig = z.infer<typeof CachetSourceSchema>;
