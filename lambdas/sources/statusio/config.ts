/**
 * Configuration of the `statusio` source: a Status.io public status page read as a
 * status signal (worst component level, 0-3) and as timeline annotations.
 */
import * as z from "zod";
import {
  componentNamesSchema,
  httpUrlSchema,
  sourceIdSchema,
  statusLevelWeightSchema,
} from "../../domain/field-schemas";

/**
 * A service's official Status.io page, read from its public API
 * (`{url}/1.0/status/{pageId}`).
 *
 * Its count is a level, not a number of reports (see `STATUS_CODE_LEVELS`), so its
 * `weight` defaults to 0: it is shown as its own series and its incidents and
 * maintenance annotate the timeline, without moving the combined count.
 */
export const StatusioSourceSchema = z
  .object({
    kind: z.literal("statusio"),
    id: sourceIdSchema.default("statusio"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://api.status.io")
      .refine(
        (text) => !/\/1\.0\b/.test(text) && !/[?#]/.test(text),
        "give the API's address only (outcry adds /1.0/status/{pageId}), e.g. 'https://api.status.io'",
      )
      .default("https://api.status.io")
      .describe("the Status.io API's address; 'https://api.status.io' unless told otherwise"),
    pageId: z
      .string()
      .regex(
        /^[0-9a-f]{24}$/i,
        "use the page's id, 24 hexadecimal characters (in the page's HTML and its API address), e.g. '5b36dc6502d06804c08349f7'",
      )
      .describe("the status page's id, e.g. '5b36dc6502d06804c08349f7' (GitLab)"),
    components: componentNamesSchema,
  })
  .strict();

/** A validated Status.io source. */
export type StatusioSourceConfig = z.infer<typeof StatusioSourceSchema>;
