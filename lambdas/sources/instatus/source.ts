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
import { fetchStatusDocument, levelCounts, rememberedLevel } from "../status-level";
import { instatusSummary, summaryAnnotations, summaryLevel, summaryStated } from "./payload";

/** Settings of an Instatus source (see `InstatusSourceSchema`). */
export interface InstatusSettings {
  id: string;
  weight: number;
  /** The page's address, e.g. `https://status.railway.com`. */
  url: string;
}

/** A {@link CountSource} reading a service's official Instatus page. */
export class InstatusSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly summaryUrl: string;

  /**
   * @example
   * new InstatusSource({ id: "railway", name: "Railway" },
   *   { id: "instatus", weight: 0, url: "https://status.railway.com" }, PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    settings: InstatusSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.summaryUrl = `${withoutTrailingSlashes(settings.url)}/summary.json`;
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    // A 304 repeats the remembered level; without one, the summary is asked for whole.
    const validators = remembered === null || !memory ? null : validatorsFromMemory(memory);
    const result = await fetchStatusDocument(this.summaryUrl, request, this.outbound, validators);
    let level = remembered ?? 0;
    let annotations: SourceReading["annotations"] = [];
    let stated: StatedIncident[] | undefined;
    if (result.status === "fresh") {
      const summary = instatusSummary(parseJsonBody(result), result.url);
      level = summaryLevel(summary);
      const since = request.buckets[0] ?? request.nowMs;
      annotations = summaryAnnotations(this.service.name, summary, since, request.nowMs);
      stated = summaryStated(summary, request.nowMs);
    }
    return {
      counts: levelCounts(request, level),
      annotations,
      memory: { ...validatorsToMemory(result.validators), level },
      ...(stated ? { stated } : {}),
    };
  }
}
