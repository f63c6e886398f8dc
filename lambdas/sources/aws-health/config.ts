/**
 * Configuration of the `aws-health` source: the AWS Health Dashboard's public feed of
 * current events (`https://health.aws.amazon.com/public/currentevents`) read as a status
 * signal (0-3), as timeline annotations and as stated incidents.
 */
import * as z from "zod";
import { httpUrlSchema, sourceIdSchema, statusLevelWeightSchema } from "../../domain/field-schemas";

/**
 * The AWS Health Dashboard's current events, optionally narrowed to some regions and
 * services.
 *
 * Its count is a level (a current event's status: informational 1, degradation 2,
 * disruption 3), so its `weight` defaults to 0: it is shown as its own series, its events
 * annotate the timeline and are stated for the likely-upstream inference, without moving
 * the combined count.
 */
export const AwsHealthSourceSchema = z
  .object({
    kind: z.literal("aws-health"),
    id: sourceIdSchema.default("aws-health"),
    weight: statusLevelWeightSchema,
    url: httpUrlSchema("https://health.aws.amazon.com")
      .refine(
        (text) => !/\/public\/currentevents\b/.test(text) && !/[?#]/.test(text),
        "give the dashboard's address only (outcry adds /public/currentevents), e.g. 'https://health.aws.amazon.com'",
      )
      .default("https://health.aws.amazon.com")
      .describe(
        "the AWS Health Dashboard's address; 'https://health.aws.amazon.com' unless told otherwise",
      ),
    regions: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(
            /^([a-z]{2}(-[a-z]+)+-\d{1,2}|global)$/,
            "use a region code such as 'us-east-1' or 'eu-central-1', or 'global' for AWS's global services",
          ),
      )
      .min(1, "list at least one region code, or leave 'regions' out to watch them all")
      .max(100)
      .optional()
      .describe("region codes that count, e.g. 'us-east-1' or 'global'; all of them when left out"),
    services: z
      .array(z.string().trim().min(1, "an empty service name matches nothing; remove it"))
      .min(1, "list at least one service, or leave 'services' out to watch them all")
      .max(100)
      .optional()
      .describe(
        "services that count (any case): the dashboard's service id without the region, e.g. 'ec2' or 'lambda', or its name, e.g. 'Amazon Elastic Compute Cloud'; all of them when left out",
      ),
  })
  .strict();

/** A validated aws-health source. */
export type AwsHealthSourceConfig = z.infer<typeof AwsHealthSourceSchema>;
