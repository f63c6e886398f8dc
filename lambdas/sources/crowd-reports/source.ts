/**
 * The crowd-report source: reports posted to `POST /reports`, counted per bucket from
 * the report store, so a re-run of the tick yields the same count. A service the store's
 * markers show no report for counts 0 without reading its reports.
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
    // One read of the run's markers tells which services have reports at all: the others
    // count nothing without a query of their own.
    const marked = request.shared
      ? await request.shared(`crowd-reports#${request.buckets.join(",")}`, () =>
          // A failed read of the markers costs queries, never counts: every service is
          // then read in full, as before markers.
          this.reports.servicesWithReports(request.buckets).catch(() => null),
        )
      : null;
    if (marked && !marked.has(this.service)) {
      return {
        counts: request.buckets.map(() => 0),
        breakdowns: request.buckets.map(() => ({})),
        regions: request.buckets.map(() => ({})),
      };
    }
    const counted = await this.reports.countBuckets(this.service, request.buckets);
    const tallies = request.buckets.map(
      (bucket) => counted.get(bucket) ?? { problems: {}, regions: {} },
    );
    return {
      counts: tallies.map(({ problems }) => Object.values(problems).reduce((sum, n) => sum + n, 0)),
      breakdowns: tallies.map((tally) => tally.problems),
      regions: tallies.map((tally) => tally.regions),
    };
  }
}
