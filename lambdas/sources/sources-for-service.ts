/**
 * Builds a service's configured sources: one place that maps config to adapters.
 */
import type { Service } from "../domain/config";
import type { ReportStore } from "../domain/ports";
import type { CountSource } from "./count-source";
import { CrowdReportSource } from "./crowd-reports";
import { ReplaySource } from "./replay";

/** The sources of counts of `service`, crowd reports first. */
export function sourcesForService(service: Service, reports: ReportStore): CountSource[] {
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
          }),
        );
        break;
    }
  }
  return sources;
}
