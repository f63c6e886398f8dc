import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import { withoutTrailingSlashes } from "../../domain/trailing-slashes";
import {
  type OutboundPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";
import { fetchStatusDocument, levelCounts, rememberedLevel } from "../status-level";
import { awsFeedText } from "./feed-text";
import {
  type AwsFilters,
  awsAnnotations,
  awsStated,
  matchesAwsFilters,
  parseAwsFeed,
  worstAwsLevel,
} from "./payload";

/** Settings of an aws-health source (see `AwsHealthSourceSchema`). */
export interface AwsHealthSettings extends AwsFilters {
  id: string;
  weight: number;
  /** The dashboard's address, `https://health.aws.amazon.com` unless told otherwise. */
  url: string;
}

/** A {@link CountSource} reading the AWS Health Dashboard's current events. */
export class AwsHealthSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly feedUrl: string;

  /**
   * @example
   * new AwsHealthSource({ id: "aws", name: "AWS" },
   *   { id: "aws-health", weight: 0, url: "https://health.aws.amazon.com", regions: ["us-east-1"] },
   *   PUBLIC_ONLY);
   */
  constructor(
    private readonly service: { id: string; name: string },
    private readonly settings: AwsHealthSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.feedUrl = `${withoutTrailingSlashes(settings.url)}/public/currentevents`;
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const { memory } = request;
    const remembered = rememberedLevel(memory);
    // A 304 repeats the remembered level; without one, the feed is asked for whole.
    const validators = remembered === null || !memory ? null : validatorsFromMemory(memory);
    const result = await fetchStatusDocument(this.feedUrl, request, this.outbound, validators, {
      decodeBody: awsFeedText,
    });
    const memoryOf = (level: number) => ({ ...validatorsToMemory(result.validators), level });
    if (result.status === "not-modified") {
      // Nothing new: the level is repeated; what is stated is unknown this read.
      const level = remembered ?? 0;
      return { counts: levelCounts(request, level), annotations: [], memory: memoryOf(level) };
    }
    const { events } = parseAwsFeed(parseJsonBody(result), result.url);
    const current = events.filter((event) => matchesAwsFilters(event, this.settings));
    const level = worstAwsLevel(current);
    return {
      counts: levelCounts(request, level),
      annotations: awsAnnotations(this.service.name, current, request.nowMs),
      stated: awsStated(current, request.nowMs),
      memory: memoryOf(level),
    };
  }
}
