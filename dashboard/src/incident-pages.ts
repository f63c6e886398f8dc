/**
 * The incidents the overview shades its charts with. `GET /incidents` answers newest
 * first (by start) a page at a time; the newest page may hold other services' incidents
 * only, so further pages are read, but only as far back as a chart reaches and never more
 * than {@link MAX_INCIDENT_PAGES} a refresh. No DOM: tested without a browser.
 */
import type { Incident, IncidentPage } from "./api";

/** Incidents asked for per page (the API's most). */
export const INCIDENT_PAGE_SIZE = 100;
/** Pages read per refresh at most, the first included. */
export const MAX_INCIDENT_PAGES = 5;
/**
 * Incidents that started up to this long before a chart's start are read too: one that
 * was still going when the chart starts is shaded. (An open one older still is asked for
 * by its id: the overview knows each service's open incident.)
 */
export const LOOKBACK_MS = 24 * 3_600_000;

/**
 * Pages of incidents, read on demand and shared by every chart of one refresh.
 * @example
 * const pages = new IncidentPages(first, (cursor) => api.incidents({ limit: 100, cursor }));
 * chart.update(chartModel(name, series, await pages.since(Date.parse(series.from))));
 */
export class IncidentPages {
  private readonly list: Incident[];
  private next: string | null;
  private pages = 1;
  private reading: Promise<void> | undefined;

  constructor(
    first: IncidentPage,
    private readonly read: (cursor: string) => Promise<IncidentPage>,
    private readonly maxPages = MAX_INCIDENT_PAGES,
  ) {
    this.list = [...first.incidents];
    this.next = first.next;
  }

  /** The incidents read so far, newest first. */
  get incidents(): readonly Incident[] {
    return this.list;
  }

  /**
   * Every incident that may overlap a chart starting at `fromMs`, reading more pages if
   * needed (within the bound; a page that fails ends the reading for this refresh).
   */
  async since(fromMs: number): Promise<readonly Incident[]> {
    while (
      this.next !== null &&
      this.pages < this.maxPages &&
      this.oldest() >= fromMs - LOOKBACK_MS
    ) {
      this.reading ??= this.readNext(this.next);
      await this.reading;
    }
    return this.list;
  }

  private async readNext(cursor: string): Promise<void> {
    try {
      const page = await this.read(cursor);
      this.list.push(...page.incidents);
      this.next = page.next;
    } catch {
      // Shading is a nicety: charts draw with what was read.
      this.next = null;
    } finally {
      this.pages++;
      this.reading = undefined;
    }
  }

  /** Start of the oldest incident read; +∞ while none is. */
  private oldest(): number {
    const last = this.list[this.list.length - 1];
    return last ? Date.parse(last.startedAt) : Number.POSITIVE_INFINITY;
  }
}
