/**
 * What the "what" bar and the map show of a span's report mix (`mix` of the series and
 * incident answers), as plain data: the problem kinds' shares, largest first with the
 * small ones folded into "Other", and the regions the server showed, with the fill step
 * each takes on the map. Pure, so it is unit-tested without a browser.
 *
 * The server applies the k-anonymity rule (`REGION_MIN_REPORTS`): only the regions in
 * `mix.regions` are ever named or drawn here, and `otherRegions` stays one sum.
 */
import { REGION_MIN_REPORTS, type RegionArea, regionOf } from "../../contract/regions";
import type { Series } from "./api";
import { problemLabel } from "./problem-kinds";

/** A span's report mix as the API answers it. */
export type ReportMix = Series["mix"];

/** One slice of the "what" bar. */
export interface ProblemShare {
  /** The kind, or `other` for the folded ones. */
  kind: string;
  label: string;
  count: number;
  /** Of all the reports told by kind, 0..1. */
  share: number;
}

/** The most slices the bar draws; beyond them, the smallest are folded into "Other". */
export const MAX_PROBLEM_SLICES = 5;
/** Kinds with less than this share go into "Other" (when at least two would). */
export const MIN_SLICE_SHARE = 0.03;

const byCountThenName = <T extends { count: number; label: string }>(a: T, b: T) =>
  b.count - a.count || a.label.localeCompare(b.label);

/**
 * The kinds of `problems` as shares, largest first; at most {@link MAX_PROBLEM_SLICES},
 * with the smallest folded into one "Other" slice (and those under
 * {@link MIN_SLICE_SHARE}, so that no slice is too thin to see). Empty when no report
 * was told by kind.
 * @example problemShares({ "no-signal": 62, calls: 38 }) // no signal 62%, calls 38%
 */
export function problemShares(problems: Readonly<Record<string, number>>): ProblemShare[] {
  const kinds = Object.entries(problems)
    .filter(([, count]) => Number.isFinite(count) && count > 0)
    .map(([kind, count]) => ({ kind, label: problemLabel(kind), count }))
    .sort(byCountThenName);
  const total = kinds.reduce((sum, k) => sum + k.count, 0);
  if (total === 0) return [];
  const kept: typeof kinds = [];
  const folded: typeof kinds = [];
  for (const [i, kind] of kinds.entries()) {
    const room = kinds.length <= MAX_PROBLEM_SLICES || i < MAX_PROBLEM_SLICES - 1;
    (room && kind.count / total >= MIN_SLICE_SHARE ? kept : folded).push(kind);
  }
  // One folded kind is shown under its own name: "Other" would only hide it.
  if (folded.length === 1) kept.push(...folded.splice(0));
  const shares: ProblemShare[] = kept.map((k) => ({ ...k, share: k.count / total }));
  if (folded.length > 0) {
    const count = folded.reduce((sum, k) => sum + k.count, 0);
    shares.push({ kind: "other", label: "Other", count, share: count / total });
  }
  return shares;
}

/**
 * A share as a whole percent, "<1%" for a sliver that is not none.
 * @example percent(0.615) // "62%"
 */
export function percent(share: number): string {
  if (share > 0 && share < 0.005) return "<1%";
  return `${Math.round(share * 100)}%`;
}

/** One shown region of the map and its table. */
export interface RegionRow {
  code: string;
  /** The id of its shape in the atlas. */
  shapeId: string;
  name: string;
  count: number;
  /** Of all the reports with a region (the shown ones and the others), 0..1. */
  share: number;
  /** Its fill on the map, 0 (lightest) to `steps.length - 1`. */
  step: number;
}

/** A step of the map's fill scale: the counts it covers. */
export interface FillStep {
  from: number;
  to: number;
}

/** What the map and its table show of a mix. */
export interface RegionModel {
  area: RegionArea;
  /** The shown regions, most reports first. */
  rows: RegionRow[];
  /** Reports of the regions with fewer than {@link REGION_MIN_REPORTS}, summed. */
  otherRegions: number;
  /** Every report with a region. */
  total: number;
  /** The fill scale, lightest first (empty when no region is shown). */
  steps: FillStep[];
}

/** The most steps the map's fill scale has. */
export const MAX_FILL_STEPS = 5;

/**
 * Equal steps of whole counts from the smallest shown count to the largest; fewer when
 * there are fewer distinct counts, so that no step is empty by construction.
 */
export function fillSteps(counts: readonly number[]): FillStep[] {
  if (counts.length === 0) return [];
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const n = Math.min(MAX_FILL_STEPS, new Set(counts).size, high - low + 1);
  const width = (high - low + 1) / n;
  return Array.from({ length: n }, (_, i) => ({
    from: low + Math.ceil(i * width),
    to: i === n - 1 ? high : low + Math.ceil((i + 1) * width) - 1,
  }));
}

/** The step of `steps` that holds `count`. */
export function stepOf(steps: readonly FillStep[], count: number): number {
  const index = steps.findIndex((step) => count <= step.to);
  return index === -1 ? steps.length - 1 : index;
}

/**
 * The map's model of `mix`: exactly the regions the server showed (it applies the
 * k-anonymity rule; a code the area does not know is left out, as the page names only
 * regions of its own list), with their shares and fill steps; null when no report had a
 * region.
 */
export function regionModel(mix: ReportMix): RegionModel | null {
  const shown = Object.entries(mix.regions).flatMap(([code, count]) => {
    const region = regionOf(mix.area, code);
    return region ? [{ region, count }] : [];
  });
  const total = shown.reduce((sum, s) => sum + s.count, 0) + mix.otherRegions;
  if (total === 0) return null;
  const steps = fillSteps(shown.map((s) => s.count));
  const rows = shown
    .map(({ region, count }) => ({
      code: region.code,
      shapeId: region.shapeId,
      name: region.name,
      count,
      share: count / total,
      step: stepOf(steps, count),
    }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return { area: mix.area, rows, otherRegions: mix.otherRegions, total, steps };
}

/** The words for a region of `area`: "state" or "country". */
export function regionNoun(area: RegionArea): { one: string; many: string } {
  return area === "us" ? { one: "state", many: "states" } : { one: "country", many: "countries" };
}

/** How many fill colours the styles define (`.fill-0` lightest … `.fill-4` darkest). */
export const FILL_SHADES = 5;

/**
 * The shade (0..{@link FILL_SHADES} - 1) of step `step` of `stepCount`: spread over the
 * palette so that the top step is always the darkest and few steps stay far apart.
 */
export function shadeOf(step: number, stepCount: number): number {
  if (stepCount <= 1) return FILL_SHADES - 1;
  return Math.round(((step + 1) * FILL_SHADES) / stepCount) - 1;
}
