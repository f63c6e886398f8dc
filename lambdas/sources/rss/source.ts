import { bucketStart } from "../../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import type { KeywordClasses } from "../../domain/keyword-classes";
import type { SeenItemsStore } from "../../domain/ports";
import {
  fetchWithPolicy,
  type OutboundPolicy,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";
import { type ClassSplit, classSplitOf } from "../class-split";
import { itemFilter } from "../text-matching";

import { parseFeed } from "./payload";
/** Settings of an rss source (see `RssSourceSchema`). */
export interface RssSettings {
  id: string;
  weight: number;
  url: string;
  /** An item counts when it mentions at least one of these (none → every item counts). */
  include: string[];
  /** …and none of these. */
  exclude: string[];
  /** Response-size cap in bytes (default 2 MiB). */
  maxBytes?: number;
  /** Sent in place of outcry's own User-Agent (Reddit asks each caller to name itself). */
  userAgent?: string | undefined;
  /** When given, each counted item goes to the first class it mentions a keyword of. */
  classes?: KeywordClasses | undefined;
}

/** A {@link CountSource} counting matching feed items per bucket. */
export class RssSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly matches: (text: string) => boolean;
  private readonly split: ClassSplit | null;

  constructor(
    private readonly service: string,
    private readonly settings: RssSettings,
    private readonly seen: SeenItemsStore,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.matches = itemFilter(settings.include, settings.exclude);
    this.split = classSplitOf(settings.classes);
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    const result = await fetchWithPolicy(this.settings.url, {
      signal: request.signal,
      outbound: this.outbound,
      deadlineAt: request.deadlineAt,
      expect: "xml",
      validators: validatorsFromMemory(request.memory),
      ...(this.settings.maxBytes === undefined ? {} : { maxBytes: this.settings.maxBytes }),
      ...(this.settings.userAgent === undefined
        ? {}
        : { headers: { "user-agent": this.settings.userAgent } }),
    });
    const idsByBucket = new Map<number, string[]>(request.buckets.map((b) => [b, []]));
    const tally = this.split?.tally(request.buckets);
    if (result.status === "fresh") {
      for (const item of parseFeed(result.body, result.url)) {
        // An undated item cannot be placed in a bucket, so it is not counted at all.
        // An item dated after the tick is in the future (a clock or time-zone error at
        // the publisher) and is not counted either, until its time has come.
        if (item.at === null || item.at > request.nowMs) continue;
        const bucket = bucketStart(item.at, request.bucketMinutes);
        const ids = idsByBucket.get(bucket);
        if (!ids || !this.matches(item.text)) continue;
        ids.push(item.id);
        tally?.note(bucket, item.id, item.text);
      }
    }
    // The count of a bucket is everything ever seen in it, this read included; on a 304
    // (nothing new) adding no ids reads the stored counts. An entry whose date moved
    // within the window stays in the bucket where it was first seen.
    const byBucket = await this.seen.addOnce(this.service, this.id, idsByBucket);
    const counts = request.buckets.map((bucket) => byBucket.get(bucket) ?? 0);
    const memory = validatorsToMemory(result.validators);
    if (!tally) return { counts, memory };
    const owner = { seen: this.seen, service: this.service, source: this.id };
    return { counts, breakdowns: await tally.breakdowns(owner, counts), memory };
  }
}
