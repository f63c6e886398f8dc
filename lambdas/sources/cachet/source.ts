import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import {
  type HttpValidators,
  type OutboundPolicy,
  parseJsonBody,
} from "../../http/fetch-with-policy";
import {
  documentMemory,
  documentValidators,
  fetchStatusDocument,
  levelCounts,
  rememberedLevel,
} from "../status-level";
import {
  type CachetComponent,
  cachetAnnotations,
  cachetComponents,
  cachetIncidents,
  cachetLevel,
  cachetStated,
} from "./payload";

/** Settings of a Cachet source (see `CachetSourceSchema`). */
export interface CachetSettings {
  id: string;
  weight: number;
  /** The page's root, e.g. `https://demo.cachethq.io`. */
  url: string;
  /** Names of the components that count (case-insensitive); all of them when absent. */
  components?: readonly string[];
}

/**
 * One page of up to 100 items is read of each list: a status page shows far fewer
 * components, and the newest 100 incidents (`sort=id&order=desc`) hold every unresolved
 * one a page keeps open.
 */
const COMPONENTS_PATH = "/api/v1/components?per_page=100";
const INCIDENTS_PATH = "/api/v1/incidents?per_page=100&sort=id&order=desc";

/** A {@link CountSource} reading a service's official Cachet page. */
export class CachetSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly base: string;

  /**
   * @example
   * new CachetSource({ id: "example", name: "Example" },
   *   { id: "cachet", weight: 0, url: "https://demo.cachethq.io" }, PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: CachetSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.base = withoutTrailingSlashes(settings.url);
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    const fetchList = (path: string, validators: HttpValidators | null) =>
      fetchStatusDocument(`${this.base}${path}`, request, this.outbound, validators);
    // Both lists every tick; a 304 on the components repeats the remembered level.
    const [componentsResult, incidentsResult] = await Promise.all([
      fetchList(
        COMPONENTS_PATH,
        remembered === null ? null : documentValidators("components", memory),
      ),
      fetchList(INCIDENTS_PATH, documentValidators("incidents", memory)),
    ]);
    let components: CachetComponent[] | null = null;
    let componentsValidators = componentsResult.validators;
    if (componentsResult.status === "fresh") {
      components = cachetComponents(parseJsonBody(componentsResult), componentsResult.url);
    }
    const reading: SourceReading = { counts: [], annotations: [] };
    if (incidentsResult.status === "fresh") {
      // Fresh incidents need the components' names for their scopes: ask for them whole.
      if (!components) {
        const whole = await fetchList(COMPONENTS_PATH, null);
        if (whole.status === "fresh")
          components = cachetComponents(parseJsonBody(whole), whole.url);
        componentsValidators = whole.validators;
      }
      const incidents = cachetIncidents(parseJsonBody(incidentsResult), incidentsResult.url);
      const { components: only } = this.settings;
      const since = request.buckets[0] ?? request.nowMs;
      const listed = components ?? [];
      reading.annotations = cachetAnnotations(
        this.service.name,
        incidents,
        listed,
        since,
        request.nowMs,
        only,
      );
      // Only fresh incidents are stated: after a 304 they are unknown, not none.
      reading.stated = cachetStated(incidents, listed, request.nowMs, only);
    }
    const level = components
      ? cachetLevel(components, this.settings.components)
      : (remembered ?? 0);
    reading.counts = levelCounts(request, level);
    reading.memory = {
      ...documentMemory("components", componentsValidators),
      ...documentMemory("incidents", incidentsResult.validators),
      level,
    };
    return reading;
  }
}
