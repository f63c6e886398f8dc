/**
 * What the api writes into the report button's page for the service it reports on, and
 * the page reads back: a JSON data block (`<script type="application/json">`, which no
 * browser runs, so the page's script-src hash still covers the only script), so the page
 * needs no read route (those may sit behind an API key the embedding site does not have).
 */
import type { Category } from "./catalog";
import type { RegionArea } from "./regions";

/** The `id` of the data block's element. */
export const EMBEDDED_SERVICE_ELEMENT = "outcry-service";

/** The service the button reports on, as the page reads it. */
export interface EmbeddedService {
  id: string;
  name: string;
  /** Decides the problem kinds offered. */
  category: Category;
  /** Decides the regions offered: US states or countries. */
  area: RegionArea;
}
