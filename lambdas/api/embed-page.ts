/**
 * The report button's page for one service: the built page (`dashboard/build.ts`) with
 * the service written in, as text the browser never parses as markup or runs as script.
 */
import { EMBEDDED_SERVICE_ELEMENT, type EmbeddedService } from "../../contract/embedded-service";
import type { Service } from "../domain/config";
import { xmlText } from "../domain/xml-text";

/**
 * JSON that cannot end its `<script>` element or open a comment there: `<` (and the line
 * separators older parsers took for line ends) as escapes, which JSON reads back alike.
 */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * `template` (the built page) for `service`: its name in the title, and its id, name,
 * category and area in the data block the page's script reads.
 * @example embedPageFor(await deps.embed().then((f) => f.page), service)
 */
export function embedPageFor(template: string, service: Service): string {
  const embedded: EmbeddedService = {
    id: service.id,
    name: service.name,
    category: service.category,
    area: service.area,
  };
  // Replacement functions: a name may contain `$&`-like sequences.
  return template
    .replace("<!-- outcry:name -->", () => xmlText(service.name))
    .replace(
      "<!-- outcry:service -->",
      () =>
        `<script type="application/json" id="${EMBEDDED_SERVICE_ELEMENT}">${scriptSafeJson(embedded)}</script>`,
    );
}
