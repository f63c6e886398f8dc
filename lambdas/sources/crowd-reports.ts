/**
 * The crowd-report source: reports posted to `POST /reports`, counted per bucket from
 * the report store, so a re-run of the tick yields the same count.
 */
import { CROWD_SOURCE_ID } from "../domain/catalog";
import type { ReportStore } from "../domain/ports";
import type { CountSource } from "./count-source";

/** A {@link CountSource} counting one service's crowd reports. */
export class CrowdReportSource implements CountSource {
  readonly id = CROWD_SOURCE_ID;

  constructor(
    private readonly service: string,
    readonly weight: number,
    private readonly reports: ReportStore,
  ) {}

  async count(bucketStart: number): Promise<number> {
    const byProblem = await this.reports.countBucket(this.service, bucketStart);
    return Object.values(byProblem).reduce((sum, n) => sum + n, 0);
  }
}
