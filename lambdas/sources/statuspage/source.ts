import type {
  CountSource,
  SourceReading,
  SourceRequest,
  StatedIncident,
} from "../../domain/count-source";
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
  inFilter,
  levelCounts,
  rememberedLevel,
} from "../status-level";
import {
  incidentAnnotations,
  incidentsOf,
  notAStatuspage,
  type StatuspageComponent,
  type StatuspageIncident,
  statedIncidents,
  worstLevel,
} from "./payload";
/** Settings of a Statuspage source (see `StatuspageSourceSchema`). */
export interface StatuspageSettings {
  id: string;
  weight: number;
  /** The page's address, e.g. `https://www.githubstatus.com`. */
  url: string;
  /** Names of the components that count (case-insensitive); all of them when absent. */
  components?: readonly string[];
}

/** A {@link CountSource} reading a service's official Statuspage. */
export class StatuspageSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly base: string;

  /**
   * @example
   * new StatuspageSource({ id: "github", name: "GitHub" },
   *   { id: "statuspage", weight: 0, url: "https://www.githubstatus.com", components: ["Actions"] },
   *   PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: StatuspageSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.base = withoutTrailingSlashes(settings.url);
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    const fetchDocument = (path: string, validators: HttpValidators | null) =>
      fetchStatusDocument(`${this.base}${path}`, request, this.outbound, validators);
    const [summary, incidents] = await Promise.all([
      // A 304 repeats the remembered level; without one, the summary is asked for whole.
      fetchDocument(
        "/api/v2/summary.json",
        remembered === null ? null : documentValidators("summary", memory),
      ),
      fetchDocument("/api/v2/incidents.json", documentValidators("incidents", memory)),
    ]);

    let level = remembered ?? 0;
    let stated: StatedIncident[] | undefined;
    const byId = new Map<string, StatuspageIncident>();
    if (incidents.status === "fresh") {
      for (const incident of incidentsOf(parseJsonBody(incidents), incidents.url)) {
        byId.set(incident.id, incident);
      }
    }
    if (summary.status === "fresh") {
      const document = parseJsonBody(summary) as {
        components?: StatuspageComponent[];
        status?: { indicator?: string };
      } | null;
      if (!document || typeof document !== "object" || !Array.isArray(document.components)) {
        notAStatuspage(summary.url, "summary (no 'components' list)");
      }
      level = worstLevel(document, this.settings.components);
      // The summary's open incidents may be fresher than a cached incidents.json. A page
      // that serves the v2 API without them in its summary (some incident.io pages do)
      // states what a fresh incidents.json holds unresolved, else nothing this read.
      if ("incidents" in document) {
        const open = incidentsOf(document, summary.url);
        for (const incident of open) byId.set(incident.id, incident);
        stated = inFilter(statedIncidents(open, request.nowMs), this.settings.components);
      } else if (incidents.status === "fresh") {
        stated = inFilter(
          statedIncidents([...byId.values()], request.nowMs),
          this.settings.components,
        );
      }
    }

    const since = request.buckets[0] ?? request.nowMs;
    return {
      counts: levelCounts(request, level),
      annotations: incidentAnnotations(this.service.name, [...byId.values()], since, request.nowMs),
      memory: {
        ...documentMemory("summary", summary.validators),
        ...documentMemory("incidents", incidents.validators),
        level,
      },
      ...(stated ? { stated } : {}),
    };
  }
}
