import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import {
  fetchWithPolicy,
  type OutboundPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";
import { instatusSummary, summaryAnnotations, summaryLevel } from "./payload";

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
    const memory = request.memory;
    const remembered = typeof memory?.level === "number" ? memory.level : null;
    const options = {
      signal: request.signal,
      outbound: this.outbound,
      deadlineAt: request.deadlineAt,
      expect: "json" as const,
    };
    let result = await fetchWithPolicy(this.summaryUrl, {
      ...options,
      validators: remembered === null ? null : validatorsFromMemory(memory ?? {}),
    });
    // A 304 without the remembered level behind it is refetched whole.
    if (result.status === "not-modified" && remembered === null) {
      result = await fetchWithPolicy(this.summaryUrl, options);
    }

    let level = remembered ?? 0;
    let annotations: SourceReading["annotations"] = [];
    if (result.status === "fresh") {
      const summary = instatusSummary(parseJsonBody(result), result.url);
      level = summaryLevel(summary);
      const since = request.buckets[0] ?? request.nowMs;
      annotations = summaryAnnotations(this.service.name, summary, since, request.nowMs);
    }

    const counts: (number | null)[] = request.buckets.map(() => null);
    if (counts.length > 0) counts[counts.length - 1] = level;
    return { counts, annotations, memory: { ...validatorsToMemory(result.validators), level } };
  }
}
