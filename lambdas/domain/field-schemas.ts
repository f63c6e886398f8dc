/**
 * Field rules the configuration shares: ids of services, sources and recipients, and
 * http(s) URLs.
 */
import * as z from "zod";

/** A service id: it appears in URLs, keys and message attributes. */
export const serviceIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    "use 1-40 lower-case letters, digits and inner hyphens, e.g. 't-mobile'",
  );

/** Ids of subscribers and webhooks: what the `audience` message attribute lists. */
export const recipientIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    "use 1-40 lower-case letters, digits and inner hyphens, e.g. 'noc-slack'",
  );

/** A source id, unique within its service; it names the series attribute and the health record. */
export const sourceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,30}$/, "use 1-31 lower-case letters, digits, '-' or '_'");

/** True when `text` is an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/**
 * An absolute http(s) URL.
 * @param example - shown in the message, e.g. 'https://www.githubstatus.com'
 * @example httpUrlSchema("https://www.githubstatus.com").parse("https://www.githubstatus.com")
 */
export function httpUrlSchema(example: string) {
  return z
    .string()
    .refine(isHttpUrl, `use an absolute http:// or https:// address, e.g. '${example}'`);
}

/** A web origin (scheme and host, no path) such as `https://status.example.com`. */
export const webOriginSchema = z
  .string()
  .regex(
    /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i,
    "use an origin such as 'https://status.example.com' (scheme and host, no path)",
  );

/**
 * The weight of a status page's level (0-3) in a service's combined count: 0 by default,
 * which keeps it a signal shown beside the reports rather than counted with them.
 */
export const statusLevelWeightSchema = z
  .number()
  .min(0)
  .max(1000)
  .default(0)
  .describe("weight of the status level (0-3) in the combined count; 0 keeps it a signal");

/** Names of a status page's components that count (any case); all of them when left out. */
export const componentNamesSchema = z
  .array(z.string().trim().min(1, "an empty component name matches nothing; remove it"))
  .min(1, "list at least one component name, or leave 'components' out to watch them all")
  .max(100)
  .optional()
  .describe("names of the components that count (any case); all of them when left out");
