/**
 * Builds a service's configured sources: one place that maps config to adapters.
 */
import type { Service } from "../domain/config";
import type { CountSource } from "../domain/count-source";
import type { ReportStore, SecretReader, SeenItemsStore } from "../domain/ports";
import type { OutboundPolicy } from "../http/outbound-policy";
import { AwsHealthSource } from "./aws-health/source";
import { BetterstackSource } from "./betterstack/source";
import { BlueskySource } from "./bluesky/source";
import { CachetSource } from "./cachet/source";
import { CrowdReportSource } from "./crowd-reports/source";
import { GcpStatusSource } from "./gcp-status/source";
import { HttpJsonSource } from "./http-json/source";
import { InstatusSource } from "./instatus/source";
import { MastodonSource } from "./mastodon/source";
import { ReplaySource } from "./replay/source";
import { RssSource } from "./rss/source";
import { StatusioSource } from "./statusio/source";
import { StatuspageSource } from "./statuspage/source";

/** Stores the source adapters use. */
export interface SourceStores {
  reports: ReportStore;
  /** Item ids seen per bucket, for sources that count items of a feed. */
  seen: SeenItemsStore;
  /** Where sources that sign in read their passwords; absent: such a source fails, saying so. */
  secrets?: SecretReader;
}

/**
 * The sources of counts of `service`, crowd reports first; the HTTP sources call only
 * the addresses `outbound` allows.
 */
export function sourcesForService(
  service: Service,
  stores: SourceStores,
  outbound: OutboundPolicy,
): CountSource[] {
  const { reports } = stores;
  const sources: CountSource[] = [];
  if (service.reports.enabled)
    sources.push(new CrowdReportSource(service.id, service.reports.weight, reports));
  for (const source of service.sources) {
    switch (source.kind) {
      case "replay":
        sources.push(
          new ReplaySource({
            id: source.id,
            weight: source.weight,
            file: source.file,
            column: source.column ?? service.id,
            align: source.align,
            split: source.split,
          }),
        );
        break;
      case "statuspage":
        sources.push(new StatuspageSource(service, source, outbound));
        break;
      case "mastodon":
        sources.push(new MastodonSource(service, source, { seen: stores.seen }, outbound));
        break;
      case "http-json":
        sources.push(new HttpJsonSource(service, source, outbound));
        break;
      case "rss":
        sources.push(new RssSource(service.id, source, stores.seen, outbound));
        break;
      case "statusio":
        sources.push(new StatusioSource(service, source, outbound));
        break;
      case "instatus":
        sources.push(new InstatusSource(service, source, outbound));
        break;
      case "gcp-status":
        sources.push(new GcpStatusSource(service, source, outbound));
        break;
      case "aws-health":
        sources.push(new AwsHealthSource(service, source, outbound));
        break;
      case "betterstack":
        sources.push(new BetterstackSource(service, source, outbound));
        break;
      case "cachet":
        sources.push(new CachetSource(service, source, outbound));
        break;
      case "bluesky":
        sources.push(
          new BlueskySource(
            service,
            source,
            { seen: stores.seen, secrets: stores.secrets },
            outbound,
          ),
        );
        break;
    }
  }
  return sources;
}
