/**
 * The crowd-report source: reports posted to `POST /reports`, counted per bucket from
 * the report store, so a re-run of the tick yields the same count.
 */
import { CROWD_SOURCE_ID } from "../../../contract/catalog";
import type { CountSource, SourceReading, SourceRequest } from "../../domain/count-source";
import type { ReportStore } from "../../domain/ports";

/** A {@link CountSource} counting one service's crowd reports. */
export class CrowdReportSource implements CountSource {
  readonly id = CROWD_SOURCE_ID;

  constructor(
    private readonly service: string,
    readonly weight: number,
    private readonly reports: ReportStore,
  ) {}

  async read(request: SourceRequest): Promise<SourceReading> {
    const counted = await this.reports.countBuckets(this.service, request.buckets);
    const byProblem = request.buckets.map((bucket) => counted.get(bucket) ?? {});
    return {
      counts: byProblem.map((split) => Object.values(split).reduce((sum, n) => sum + n, 0)),
      breakdowns: byProblem,
    };
  }
}
