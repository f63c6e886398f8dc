/**
 * The `http-json` source: a count read from any JSON endpoint (an own feed, a ticket
 * system, a commercial API), picked by a JSON Pointer (RFC 6901, `/data/count`) or a
 * JSONPath (`$.data.count`).
 *
 * Two ways to ask:
 * - the URL holds `{from}` and/or `{to}`: it is fetched once per requested bucket with
 *   the bucket's start and end (ISO-8601 UTC), so a late-arriving item is counted when the
 *   look-back buckets are read again;
 * - otherwise it is fetched once per tick and its value is the count of the newest
 *   bucket (the endpoint only tells the present; the earlier buckets stay gaps). The
 *   response's validators and value are remembered, so a 304 repeats the value.
 *
 * JSONPath is supported as its *singular query* subset (RFC 9535 §2.3.5.1): `$` followed
 * by name selectors (`.count`, `['count']`, `["a b"]`) and index selectors (`[0]`, `[-1]`
 * for the last element). Wildcards, slices, filters and `..` select several values, which
 * cannot be one count, so they are refused when the configuration is read.
 */
import { MINUTE_MS, toIso } from "../../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import { type CountSelector, compileSelector, pickCount } from "../../domain/json-selector";
import {
  fetchWithPolicy,
  type OutboundPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "../../http/fetch-with-policy";

/** Settings of an http-json source (see `HttpJsonSourceSchema`). */
export interface HttpJsonSettings {
  id: string;
  weight: number;
  url: string;
  pointer?: string;
  path?: string;
  headers?: Record<string, string>;
}

const PLACEHOLDER = /\{(from|to)\}/g;

/** A {@link CountSource} reading one number from a JSON endpoint. */
export class HttpJsonSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly selector: CountSelector;
  private readonly perBucket: boolean;

  /**
   * @example
   * new HttpJsonSource({ id: "acme", name: "Acme" }, {
   *   id: "tickets", weight: 1, url: "https://tickets.example/api/open?since={from}&until={to}",
   *   pointer: "/total",
   * }, PUBLIC_ONLY);
   */
  constructor(
    readonly service: { id: string; name: string },
    private readonly settings: HttpJsonSettings,
    private readonly outbound: OutboundPolicy,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.selector = compileSelector(settings);
    this.perBucket = new RegExp(PLACEHOLDER.source).test(settings.url);
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    return this.perBucket ? this.readEachBucket(request) : this.readPresent(request);
  }

  /** One request per bucket; a bucket whose request failed is a gap, all failing is an error. */
  private async readEachBucket(request: SourceRequest): Promise<SourceReading> {
    const width = request.bucketMinutes * MINUTE_MS;
    const settled = await Promise.allSettled(
      request.buckets.map(async (start) => {
        const url = this.settings.url.replace(PLACEHOLDER, (_, which: string) =>
          encodeURIComponent(toIso(which === "from" ? start : start + width)),
        );
        const result = await fetchWithPolicy(url, this.fetchOptions(request));
        if (result.status !== "fresh") throw new Error(`${url} answered 304 to a plain request`);
        return pickCount(parseJsonBody(result), this.selector);
      }),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure && settled.every((s) => s.status === "rejected")) throw failure.reason;
    return { counts: settled.map((s) => (s.status === "fulfilled" ? s.value : null)) };
  }

  /** One conditional request; the value counts for the newest bucket. */
  private async readPresent(request: SourceRequest): Promise<SourceReading> {
    const remembered = request.memory?.value;
    const canRepeat = typeof remembered === "number";
    let result = await fetchWithPolicy(this.settings.url, {
      ...this.fetchOptions(request),
      validators: canRepeat ? validatorsFromMemory(request.memory) : null,
    });
    let count: number;
    if (result.status === "not-modified" && canRepeat) {
      count = remembered;
    } else {
      if (result.status === "not-modified") {
        result = await fetchWithPolicy(this.settings.url, this.fetchOptions(request));
      }
      if (result.status !== "fresh") {
        throw new Error(`${this.settings.url} answered 304 to a plain request`);
      }
      count = pickCount(parseJsonBody(result), this.selector);
    }
    const counts: (number | null)[] = request.buckets.map(() => null);
    if (counts.length > 0) counts[counts.length - 1] = count;
    return { counts, memory: { ...validatorsToMemory(result.validators), value: count } };
  }

  private fetchOptions(request: SourceRequest) {
    return {
      signal: request.signal,
      outbound: this.outbound,
      deadlineAt: request.deadlineAt,
      expect: "json" as const,
      headers: this.settings.headers,
    };
  }
}
