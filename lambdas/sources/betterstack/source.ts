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
  betterstackAnnotations,
  betterstackLevel,
  betterstackPage,
  betterstackStated,
} from "./payload";

/** Settings of a Better Stack source (see `BetterstackSourceSchema`). */
export interface BetterstackSettings {
  id: string;
  weight: number;
  /** The page's address, e.g. `https://status.betterstack.com`. */
  url: string;
  /** Public names of the resources that count (case-insensitive); all of them when absent. */
  components?: readonly string[];
}

/** A {@link CountSource} reading a service's official Better Stack status page. */
export class BetterstackSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly address: string;

  /**
   * @example
   * new BetterstackSource({ id: "render", name: "Render" },
   *   { id: "betterstack", weight: 0, url: "https://status.render.com" }, PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: BetterstackSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.address = `${withoutTrailingSlashes(settings.url)}/index.json`;
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    // A 304 repeats the remembered level; without one, the page is asked for whole.
    const validators = remembered === null || !memory ? null : validatorsFromMemory(memory);
    const result = await fetchStatusDocument(this.address, request, this.outbound, validators);
    const reading: SourceReading = { counts: [], annotations: [] };
    let level = remembered ?? 0;
    if (result.status === "fresh") {
      const { components } = this.settings;
      const page = betterstackPage(parseJsonBody(result), result.url);
      level = betterstackLevel(page, components);
      const since = request.buckets[0] ?? request.nowMs;
      reading.annotations = betterstackAnnotations(
        this.service.name,
        page,
        since,
        request.nowMs,
        components,
      );
      // Only a fresh page states incidents: after a 304 they are unknown, not none.
      reading.stated = betterstackStated(page, request.nowMs, components);
    }
    reading.counts = levelCounts(request, level);
    reading.memory = { ...validatorsToMemory(result.validators), level };
    return reading;
  }
}
