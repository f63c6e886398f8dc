/**
 * What and where of a span's reports: counts by problem kind and by region, summed over
 * the series points of the span and the sources that tell them, and what may be shown of
 * them. The API's series and incident answers, the dashboard's bars and map and the
 * timeline's "mostly …" phrases all read one mix, so they never disagree.
 *
 * The k-anonymity rule lives here: a region is named, or its count shown, only with at
 * least {@link REGION_MIN_REPORTS} reports in the span; fewer are summed into
 * `otherRegions`.
 */
import { REGION_MIN_REPORTS, type RegionArea } from "../../contract/regions";

/** Counts by kind and by region of a span, as stored (every region, however small). */
export interface RawMix {
  problems: Record<string, number>;
  regions: Record<string, number>;
}

/** What may be shown of a span's reports (the API's `ReportMix`). */
export interface ReportMix {
  area: RegionArea;
  /** Reports by kind. */
  problems: Record<string, number>;
  /** Reports by region, only for regions with at least {@link REGION_MIN_REPORTS}. */
  regions: Record<string, number>;
  /** Reports of the regions with fewer, summed. */
  otherRegions: number;
}

/** The parts of a series point a mix is summed from (source id → kind or region → count). */
export interface MixedPoint {
  breakdowns?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  regions?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** An empty mix, to add points into. */
export function emptyMix(): RawMix {
  return { problems: {}, regions: {} };
}

function addInto(into: Record<string, number>, split: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(split)) {
    if (Number.isFinite(n) && n > 0) into[key] = (into[key] ?? 0) + n;
  }
}

/** Adds one point's kinds and regions, over all its sources, into `mix`. */
export function addPoint(mix: RawMix, point: MixedPoint): RawMix {
  for (const split of Object.values(point.breakdowns ?? {})) addInto(mix.problems, split);
  for (const split of Object.values(point.regions ?? {})) addInto(mix.regions, split);
  return mix;
}

/** The mix of `points`, over all their sources. */
export function mixOf(points: Iterable<MixedPoint>): RawMix {
  const mix = emptyMix();
  for (const point of points) addPoint(mix, point);
  return mix;
}

/**
 * What may be shown of `mix`: every kind, and the regions with at least
 * {@link REGION_MIN_REPORTS} reports; the others only as a sum.
 */
export function shownMix(area: RegionArea, mix: RawMix): ReportMix {
  const regions: Record<string, number> = {};
  let otherRegions = 0;
  for (const [code, n] of Object.entries(mix.regions)) {
    if (n >= REGION_MIN_REPORTS) regions[code] = n;
    else otherRegions += n;
  }
  return { area, problems: { ...mix.problems }, regions, otherRegions };
}

/** Fewest reports told by kind before a timeline says which kind most were. */
export const DOMINANT_MIN_REPORTS = 20;
/** The share of the reports told by kind one kind must have to be "mostly" it. */
export const DOMINANT_SHARE = 0.5;

/**
 * The kind most reports were of, with its share of those told by kind, when it holds at
 * least {@link DOMINANT_SHARE} of at least {@link DOMINANT_MIN_REPORTS}; null otherwise.
 * @example dominantProblem({ "no-signal": 62, calls: 38 }) // { kind: "no-signal", share: 0.62 }
 */
export function dominantProblem(
  problems: Readonly<Record<string, number>>,
): { kind: string; share: number } | null {
  let total = 0;
  let top: { kind: string; n: number } | null = null;
  for (const [kind, n] of Object.entries(problems)) {
    total += n;
    if (!top || n > top.n || (n === top.n && kind < top.kind)) top = { kind, n };
  }
  if (!top || total < DOMINANT_MIN_REPORTS) return null;
  const share = top.n / total;
  return share >= DOMINANT_SHARE ? { kind: top.kind, share } : null;
}

/** Fewest reports with a region before a timeline says where they came from. */
export const WHERE_MIN_REPORTS = 30;
/** The share of the placed reports a few regions must hold to be "mostly from" them. */
export const CONCENTRATED_SHARE = 2 / 3;
/** The most regions a "mostly from" names. */
export const CONCENTRATED_REGIONS = 3;
/** The fewest regions with reports, each shown, for the reports to be "across" the area. */
export const SPREAD_MIN_REGIONS = 8;

/**
 * Where a span's reports came from, as a timeline states it: `concentrated` with the
 * fewest regions (at most {@link CONCENTRATED_REGIONS}, largest first) that hold
 * {@link CONCENTRATED_SHARE} of the reports with a region; `spread` when no few regions
 * do and at least {@link SPREAD_MIN_REGIONS} regions are shown; null with fewer than
 * {@link WHERE_MIN_REPORTS} placed reports, or between the two. Only regions the
 * k-anonymity rule shows are ever named.
 */
export function whereFrom(
  mix: ReportMix,
): { kind: "concentrated"; regions: string[] } | { kind: "spread" } | null {
  const shown = Object.entries(mix.regions).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const placed = shown.reduce((sum, [, n]) => sum + n, 0) + mix.otherRegions;
  if (placed < WHERE_MIN_REPORTS) return null;
  let held = 0;
  const named: string[] = [];
  for (const [code, n] of shown.slice(0, CONCENTRATED_REGIONS)) {
    held += n;
    named.push(code);
    if (held >= CONCENTRATED_SHARE * placed) return { kind: "concentrated", regions: named };
  }
  return shown.length >= SPREAD_MIN_REGIONS ? { kind: "spread" } : null;
}
