/**
 * Configuration of the `http-json` source.
 */
import * as z from "zod";
import { isHttpUrl, sourceIdSchema } from "../../domain/field-schemas";
import { parseJsonPath, parseJsonPointer } from "../../domain/json-selector";

/** Header names a static configuration must not set: they carry credentials or framing. */
const FORBIDDEN_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "host",
  "content-length",
  "connection",
  "transfer-encoding",
]);

/** A JSON endpoint's URL; `{from}`/`{to}` are replaced by each bucket's start and end. */
const endpointUrl = z.string().superRefine((text, ctx) => {
  // `[^{}]*`, not `[^}]*`: a scan from one `{` stops at the next, so a text of many `{`
  // is read once, not once per `{`.
  const unknown = text.match(/\{(?!from\}|to\})[^{}]*\}/);
  if (unknown) {
    ctx.addIssue({
      code: "custom",
      message: `unknown placeholder '${unknown[0]}'; use {from} and {to} (bucket start and end, ISO-8601 UTC)`,
    });
    return;
  }
  if (!isHttpUrl(text.replace(/\{(from|to)\}/g, "2024-01-01T00:00:00Z"))) {
    ctx.addIssue({
      code: "custom",
      message:
        "use an absolute http:// or https:// address, e.g. 'https://api.example.com/outages?from={from}&to={to}'",
    });
  }
});

function checkSelector(parse: (text: string) => unknown) {
  return (text: string, ctx: z.core.$RefinementCtx<string>) => {
    try {
      parse(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  };
}

/**
 * A count read from any JSON endpoint.
 *
 * Give `pointer` (RFC 6901, e.g. `/data/count`) or `path` (JSONPath singular query, e.g.
 * `$.data.count`), not both. With `{from}`/`{to}` in the URL each bucket is fetched on its
 * own; without them the value read counts for the newest bucket.
 *
 * `headers` are sent as they are. They are stored in the configuration file, which is
 * bundled into the deployed functions and usually kept in git: put no secrets there
 * (`Authorization` and `Cookie` are refused for that reason).
 */
export const HttpJsonSourceSchema = z
  .object({
    kind: z.literal("http-json"),
    id: sourceIdSchema.default("http-json"),
    weight: z.number().positive().max(1000).default(1),
    url: endpointUrl.describe(
      "the JSON endpoint; {from} and {to} are replaced by each bucket's start and end (ISO-8601 UTC)",
    ),
    pointer: z
      .string()
      .superRefine(checkSelector(parseJsonPointer))
      .optional()
      .describe("JSON Pointer (RFC 6901) to the count, e.g. '/data/count'"),
    path: z
      .string()
      .superRefine(checkSelector(parseJsonPath))
      .optional()
      .describe("JSONPath to the count (name and index selectors only), e.g. '$.data.count'"),
    headers: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "not a valid HTTP header name")
          .refine(
            (name) => !FORBIDDEN_HEADERS.has(name.toLowerCase()),
            "this header carries credentials or framing; secrets do not belong in the configuration file",
          ),
        z.string().max(1000),
      )
      .optional()
      .describe(
        "static request headers (no secrets: the configuration is bundled and kept in git)",
      ),
  })
  .strict()
  .refine((source) => (source.pointer === undefined) !== (source.path === undefined), {
    message:
      "give exactly one of 'pointer' (JSON Pointer, e.g. '/data/count') or 'path' (JSONPath, e.g. '$.data.count')",
    path: ["pointer"],
  });

/** A validated http-json source. */
export type HttpJsonSourceConfig = z.infer<typeof HttpJsonSourceSchema>;
