/**
 * How a replayed count divides into problem kinds and regions, for demos of the breakdown
 * and the map: a CSV of counts says nothing of either, so a replay may give relative
 * weights and each bucket's count is apportioned by them (largest remainder, so the parts
 * are whole reports that add up to the count, the same every time).
 */

/** Relative weights of the parts of a count (kind or region code → weight). */
export type SplitWeights = Readonly<Record<string, number>>;

/**
 * `count` divided by `weights` into whole parts that sum to it: each part gets the floor
 * of its exact share, and the parts with the largest remainders one more, ties to the
 * first listed. Parts of 0 are left out.
 * @example apportion(10, { "no-signal": 47, calls: 28, "mobile-data": 25 }) // { "no-signal": 5, calls: 3, "mobile-data": 2 }
 */
export function apportion(count: number, weights: SplitWeights): Record<string, number> {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const whole = Math.max(0, Math.round(count));
  if (total === 0 || whole === 0) return {};
  const exact = entries.map(([key, w], index) => {
    const share = (whole * w) / total;
    return { key, index, floor: Math.floor(share), rest: share - Math.floor(share) };
  });
  let left = whole - exact.reduce((sum, part) => sum + part.floor, 0);
  for (const part of [...exact].sort((a, b) => b.rest - a.rest || a.index - b.index)) {
    if (left <= 0) break;
    part.floor++;
    left--;
  }
  const parts: Record<string, number> = {};
  for (const part of exact) if (part.floor > 0) parts[part.key] = part.floor;
  return parts;
}
