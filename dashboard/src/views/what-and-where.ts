/**
 * What was reported and where, as the service and incident pages show it under their
 * chart: the bar of problem kinds, then the map with its table, over one span.
 */
import type { ReportMix } from "../mix-model";
import { ProblemBar } from "../problem-bar";
import { RegionMap } from "../region-map";

/** The bar and the map of one page, updated together from the span's mix. */
export class WhatAndWhere {
  /** The two sections, in page order. */
  readonly elements: readonly HTMLElement[];
  private readonly problems: ProblemBar;
  private readonly map: RegionMap;

  /**
   * `idPrefix` keeps the headings' ids apart from the page's others; `span` says over what
   * the counts are ("in the last 24 hours").
   */
  constructor(idPrefix: string, span: string) {
    this.problems = new ProblemBar({
      id: `${idPrefix}problems-heading`,
      text: `Most reported problems ${span}`,
    });
    this.map = new RegionMap(
      { id: `${idPrefix}where-heading`, text: "Where reports came from" },
      span,
    );
    this.elements = [this.problems.element, this.map.element];
  }

  /**
   * Shows `mix`; resolves once the map is drawn (the page's first map waits for its atlas).
   * @throws the abort of `signal`, when the view no longer wants the map
   */
  async update(mix: ReportMix, signal: AbortSignal): Promise<void> {
    this.problems.update(mix.problems);
    await this.map.update(mix, signal);
  }
}
