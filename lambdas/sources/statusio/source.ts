import type {
  CountSource,
  SourceReading,
  SourceRequest,
  StatedIncident,
} from "../../domain/count-source";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import {
  type OutboundPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";
import { fetchStatusDocument, inFilter, levelCounts, rememberedLevel } from "../status-level";
import { parseStatusioPayload, statusioAnnotations, statusioStated, worstLevel } from "./payload";

/** Settings of a Status.io source (see `StatusioSourceSchema`). */
export interface StatusioSettings {
  id: string;
  weight: number;
  /** The API's address, `https://api.status.io` unless told otherwise. */
  url: string;
  /** The status page's id. */
  pageId: string;
  /** Names of the components that count (case-insensitive); all of them when absent. */
  components?: readonly string[];
}

/** A {@link CountSource} reading a service's official Status.io page. */
export class StatusioSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly address: string;

  /**
   * @example
   * new StatusioSource({ id: "gitlab", name: "GitLab" },
   *   { id: "statusio", weight: 0, url: "https://api.status.io", pageId: "5b36dc6502d06804c08349f7" },
   *   PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: StatusioSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.address = `${withoutTrailingSlashes(settings.url)}/1.0/status/${encodeURIComponent(settings.pageId)}`;
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    // A 304 repeats the remembered level; without one, the payload is asked for whole.
    const validators = remembered === null || !memory ? null : validatorsFromMemory(memory);
    const result = await fetchStatusDocument(this.address, request, this.outbound, validators);
    let level = remembered ?? 0;
    let annotations: SourceReading["annotations"] = [];
    let stated: StatedIncident[] | undefined;
    if (result.status === "fresh") {
      const payload = parseStatusioPayload(parseJsonBody(result), result.url);
      level = worstLevel(payload, this.settings.components);
      annotations = statusioAnnotations(this.service.name, payload, request.nowMs);
      stated = inFilter(statusioStated(payload, request.nowMs), this.settings.components);
    }
    return {
      counts: levelCounts(request, level),
      annotations,
      memory: { ...validatorsToMemory(result.validators), level },
      ...(stated ? { stated } : {}),
    };
  }
}
