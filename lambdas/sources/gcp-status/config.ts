/**
 * Configuration of the `gcp-status` source: Google Cloud's public incident feed
 * (`https://status.cloud.google.com/incidents.json`) read as a status signal (the worst
 * open incident's impact, 0-3), as timeline annotations and as stated incidents.
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema, statusLevelWeightSchema } from "../../domain/field-schemas";

/**
 * Google Cloud's status dashboard, read from its incident history (`{url}/incidents.json`),
 * optionally narrowed to some products and locations.
 *
 * Its count is a level (an open incident's `status_impact`: information 1, disruption 2,
 * outage 3), so its `weight` defaults to 0: it is shown as its own series, its open
 * incidents annotate the timeline and are stated for the likely-upstream inference,
 * without moving the combined count.
 */
export const GcpStatusSourceSchema = z
  .object({
    kind: z.literal("gcp-status"),
    id: sourceIdSchema.default("gcp-status"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://status.cloud.google.com")
      .refine(
        (text) => !/\/incidents\.json\b/.test(text) && !/[?#]/.test(text),
        "give the dashboard's address only (outcry adds /incidents.json), e.g. 'https://status.cloud.google.com'",
      )
      .default("https://status.cloud.google.com")
      .describe(
        "the status dashboard's address; 'https://status.cloud.google.com' unless told otherwise",
      ),
    products: z
      .array(z.string().trim().min(1, "an empty product title matches nothing; remove it"))
      .min(1, "list at least one product title, or leave 'products' out to watch them all")
      .max(100)
      .optional()
      .describe(
        "titles of the products that count, as the dashboard writes them (any case), e.g. 'Google Compute Engine'; all of them when left out",
      ),
    regions: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(
            /^[a-z][a-z0-9-]{0,39}$/,
            "use a location id as the dashboard gives it, e.g. 'us-central1', 'europe-west1' or 'global'",
          ),
      )
      .min(1, "list at least one location id, or leave 'regions' out to watch them all")
      .max(100)
      .optional()
      .describe(
        "location ids that count, e.g. 'us-central1' or 'global'; an incident at 'global' counts for every one; all of them when left out",
      ),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024, "at most 64 MiB")
      .optional()
      .describe(
        "largest incidents.json accepted, in bytes (default 8 MiB: the feed is years of incidents)",
      ),
  })
  .strict();

/** A validated gcp-status source. */
export type GcpStatusSourceConfig = z.infer<typeof GcpStatusSourceSchema>;
