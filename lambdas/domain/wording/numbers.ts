/**
 * Counts as a newsroom states them (DESIGN, "Timeline phrasing"): the peak as "more than
 * 83,000", later levels as "about 9,000". Exact figures like 83,412 invite false precision
 * for crowd reports, so both round to a figure whose precision grows with its size.
 */

/**
 * How a count is rounded to its round figure.
 *
 * @example const mode: RoundingMode = "floor"; // for a peak
 */
export type RoundingMode = "floor" | "nearest";

const countFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * The unit a count is rounded to: thousands at 10,000 and above, hundreds from 1,000,
 * tens from 100, units below 100.
 *
 * @example roundingStep(83_412) // 1000
 * @example roundingStep(95) // 1
 */
export function roundingStep(count: number): number {
  if (count >= 10_000) return 1000;
  if (count >= 1000) return 100;
  if (count >= 100) return 10;
  return 1;
}

/**
 * Rounds a count to its round figure, down for a peak ("more than") or to the nearest for a
 * level ("about"). The step is chosen from the count itself, so 9,960 rounds to 10,000.
 *
 * @throws RangeError when the count is negative or not finite: a count is never either,
 * and phrasing one would print nonsense such as "more than NaN".
 * @example roundFigure(83_412, "floor") // 83000
 * @example roundFigure(9_040, "nearest") // 9000
 */
export function roundFigure(count: number, mode: RoundingMode): number {
  if (!Number.isFinite(count) || count < 0) {
    throw new RangeError(`a report count must be a finite number >= 0, got ${count}`);
  }
  const step = roundingStep(count);
  const round = mode === "floor" ? Math.floor : Math.round;
  return round(count / step) * step;
}

/**
 * A whole number with thousands separators.
 *
 * @example formatCount(1_234_567) // "1,234,567"
 */
export function formatCount(count: number): string {
  return countFormat.format(count);
}

/**
 * A peak: the count floored to its round figure, "more than" unless the count is exactly
 * that figure (saying "more than 10,000" of exactly 10,000 reports would be false).
 *
 * @example moreThan(83_412) // "more than 83,000"
 * @example moreThan(10_000) // "10,000"
 * @example moreThan(95) // "95"
 */
export function moreThan(count: number): string {
  const figure = roundFigure(count, "floor");
  return figure === count ? formatCount(figure) : `more than ${formatCount(figure)}`;
}

/**
 * A level after the peak: the count rounded to the nearest round figure.
 *
 * @example about(9_040) // "about 9,000"
 * @example about(95) // "about 95"
 */
export function about(count: number): string {
  return `about ${formatCount(roundFigure(count, "nearest"))}`;
}

/**
 * The noun for a count stated with {@link moreThan}: singular only when the stated figure
 * is 1 ("1 report", "more than 1 report").
 *
 * @example reportsNoun(83_412) // "reports"
 * @example reportsNoun(1) // "report"
 */
export function reportsNoun(count: number): string {
  return roundFigure(count, "floor") === 1 ? "report" : "reports";
}
