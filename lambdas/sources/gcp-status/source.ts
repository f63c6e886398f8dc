import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import {
  type OutboundPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";
import { fetchStatusDocument, levelCounts, rememberedLevel } from "../status-level";
import {
  type GcpFilters,
  gcpAnnotations,
  gcpStated,
  matchesFilters,
  openGcpIncidents,
  worstGcpLevel,
} from "./payload";

/** The feed holds years of incidents: several MiB, above the 2 MiB default cap. */
export const GCP_DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/** Settings of a gcp-status source (see `GcpStatusSourceSchema`). */
export interface GcpStatusSettings extends GcpFilters {
  id: string;
  weight: number;
  /** The dashboard's address, `https://status.cloud.google.com` unless told otherwise. */
  url: string;
  /** Largest `incidents.json` accepted; {@link GCP_DEFAULT_MAX_BYTES} when absent. */
  maxBytes?: number;
}

/** A {@link CountSource} reading Google Cloud's public incident feed. */
export class GcpStatusSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly feedUrl: string;

  /**
   * @example
   * new GcpStatusSource({ id: "google-cloud", name: "Google Cloud" },
   *   { id: "gcp-status", weight: 0, url: "https://status.cloud.google.com", regions: ["us-central1"] },
   *   PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: GcpStatusSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.feedUrl = `${withoutTrailingSlashes(settings.url)}/incidents.json`;
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    // A 304 repeats the remembered level, which is what keeps this multi-MiB feed cheap.
    const validators = remembered === null || !memory ? null : validatorsFromMemory(memory);
    const result = await fetchStatusDocument(this.feedUrl, request, this.outbound, validators, {
      maxBytes: this.settings.maxBytes ?? GCP_DEFAULT_MAX_BYTES,
    });
    const memoryOf = (level: number) => ({ ...validatorsToMemory(result.validators), level });
    if (result.status === "not-modified") {
      // Nothing new: the level is repeated; what is stated is unknown this read.
      const level = remembered ?? 0;
      return { counts: levelCounts(request, level), annotations: [], memory: memoryOf(level) };
    }
    const incidents = openGcpIncidents(parseJsonBody(result), result.url).filter((incident) =>
      matchesFilters(incident, this.settings),
    );
    const level = worstGcpLevel(incidents);
    return {
      counts: levelCounts(request, level),
      annotations: gcpAnnotations(this.service.name, incidents, request.nowMs),
      stated: gcpStated(incidents, request.nowMs),
      memory: memoryOf(level),
    };
  }
}
