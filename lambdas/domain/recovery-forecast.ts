/**
 * When an incident that is falling off will be back under its resolve level, with an
 * interval: a forecast for the incident page and `GET /incidents/{id}`, never for texts
 * (a guess that moves each bucket would only add noise to someone's phone).
 *
 * The model: after a peak, what a crowd still reports above normal (the excess) fades
 * in one of three shapes: exponentially (people find out and stop reporting), by about
 * as many reports each bucket, or as a power of the time since the peak (a long tail).
 * The shape that fits the last hour best is fitted as a straight line over the last 30,
 * 60 and 120 minutes; the hour's line gives the forecast. The counts are back under for
 * good when the excess is under the resolve level's share of normal by their noise, so
 * the forecast is where the line reaches that. The interval runs from the earliest the
 * lines reach the level itself (each at the steep end of its slope's 80% range) to the
 * latest they reach a margin of 2.5 deviations (at the shallow end).
 *
 * Only once the fall is established is anything said: at least `MIN_POINTS` buckets
 * since the peak, the newest at most 70% of it, and the hour's slope falling even at the
 * shallow end of its range. A surge still rising, or flat, gets no forecast; nor does one
 * forecast more than two days ahead (an interval that would end later ends there). Pure:
 * no clock, no store.
 */
/** One bucket since the peak: its count, what is normal for it, and its resolve level. */
export interface FalloffPoint {
  at: number;
  count: number;
  /** What is normal for that bucket (the baseline). */
  expected: number;
  /** `resolveRatio` x normal: under it the bucket is quiet (see detector.ts, rule 5). */
  resolveLevel: number;
}

/** When the counts should be back under the resolve level, and an 80% interval. */
export interface RecoveryForecast {
  at: number;
  earliest: number;
  latest: number;
}

/** Buckets after the peak the fit needs, at least. */
export const MIN_POINTS = 3;
/** The newest count must be at most this share of the peak. */
const FALLEN_SHARE = 0.7;
/**
 * The spans of recent buckets fitted, shortest first: a fall that bends away from its
 * shape makes the spans disagree by as much; the middle one gives the forecast, all of
 * them the interval.
 */
const FIT_SPANS_MS = [30, 60, 120].map((m) => m * 60_000);
/** How far back before the newest bucket the forecast reads: no further than its fits. */
export const FORECAST_LOOKBACK_MS = Math.max(...FIT_SPANS_MS);
/** z for an 80% two-sided interval. */
const Z_80 = 1.2816;
/** A forecast further ahead than this is no forecast. */
const HORIZON_MS = 48 * 60 * 60_000;

/**
 * The forecast for an incident that peaked at `peak`, from the buckets since (oldest
 * first, gaps left out); null until the fall is established.
 * @example recoveryForecast({ at: peakAt, count: 83_412 }, points) // { at, earliest, latest }
 */
export function recoveryForecast(
  peak: { at: number; count: number },
  points: readonly FalloffPoint[],
): RecoveryForecast | null {
  const after = points.filter((p) => p.at > peak.at);
  const newest = after.at(-1);
  if (!newest || after.length < MIN_POINTS || newest.count > FALLEN_SHARE * peak.count) {
    return null;
  }
  // Back under already: the detector only waits out its quiet run now.
  if (newest.count < newest.resolveLevel) {
    return { at: newest.at, earliest: newest.at, latest: newest.at };
  }
  // The counts are back under for good once their mean is under the resolve level by
  // more than their noise (a Poisson count's standard deviation is its square root): the
  // excess over normal must fall to the resolve level's share of normal, less that
  // margin. The interval spans from the level itself to a margin of 2.5 deviations.
  const gap = newest.resolveLevel - newest.expected;
  const noise = Math.sqrt(newest.resolveLevel);
  const spans = FIT_SPANS_MS.map((span) =>
    after.filter((p) => p.at >= newest.at - span && p.count > p.expected),
  ).filter((fitted) => fitted.length >= MIN_POINTS);
  const middle = spans[Math.min(1, spans.length - 1)];
  if (!middle) return null;
  const shape = bestShape(SHAPES, middle, peak.at);
  if (!shape) return null;
  const fits = spans.flatMap((fitted) => {
    const line = fitShape(shape, fitted, peak.at);
    return line ? [line] : [];
  });
  const central = fits[Math.min(1, fits.length - 1)];
  if (!central || central.slope + Z_80 * central.slopeError >= 0) return null;
  // When the fitted line, at `slope`, brings the excess down to `excess` (no sooner than
  // the newest bucket).
  const when = (line: Line, slope: number, excess: number) =>
    slope >= 0
      ? Number.POSITIVE_INFINITY
      : Math.max(
          newest.at,
          shape.atOf((shape.y(Math.max(excess, 1)) - line.intercept) / slope, peak.at),
        );
  const earliest = Math.min(
    ...fits.map((line) => when(line, line.slope - Z_80 * line.slopeError, gap)),
  );
  const latest = Math.max(
    ...fits.map((line) => when(line, line.slope + Z_80 * line.slopeError, gap - 2.5 * noise)),
  );
  const at = when(central, central.slope, gap - noise);
  if (at - newest.at > HORIZON_MS) return null;
  return {
    at: Math.round(at),
    earliest: Math.round(earliest),
    latest: Math.round(Math.min(latest, newest.at + HORIZON_MS)),
  };
}

/**
 * A shape of fall: a straight line in `y` (of the excess) against `x` (of the time).
 * `atOf` turns an `x` back into a time.
 */
interface Shape {
  x: (at: number, peakAt: number) => number;
  y: (excess: number) => number;
  excessOf: (y: number) => number;
  atOf: (x: number, peakAt: number) => number;
}

const minutesSince = (at: number, peakAt: number) => (at - peakAt) / 60_000;

/**
 * The excess dying away exponentially (a line in its log against time), going down by
 * about as many reports each bucket (a line in the excess itself), or fading as a power
 * of the time since a moment at or before the peak (a line in its log against the log
 * of that time: a long tail).
 */
const SHAPES: readonly Shape[] = [
  {
    x: minutesSince,
    y: Math.log,
    excessOf: Math.exp,
    atOf: (x, peakAt) => peakAt + x * 60_000,
  },
  {
    x: minutesSince,
    y: (e) => e,
    excessOf: (y) => y,
    atOf: (x, peakAt) => peakAt + x * 60_000,
  },
  // The power's clock may start before the peak (a tail that began as the surge did):
  // a few starts are tried, and the fit picks.
  ...[0, 10, 30, 60].map(
    (lead): Shape => ({
      x: (at, peakAt) => Math.log(minutesSince(at, peakAt) + lead),
      y: Math.log,
      excessOf: Math.exp,
      atOf: (x, peakAt) => peakAt + (Math.exp(x) - lead) * 60_000,
    }),
  ),
];

function fitShape(shape: Shape, points: readonly FalloffPoint[], peakAt: number): Line | null {
  return fitLine(
    points.map((p) => shape.x(p.at, peakAt)),
    points.map((p) => shape.y(p.count - p.expected)),
  );
}

/** The shape whose line fits `points` best, judged on relative misses of the excess. */
function bestShape(
  shapes: readonly Shape[],
  points: readonly FalloffPoint[],
  peakAt: number,
): Shape | undefined {
  let best: Shape | undefined;
  let bestError = Number.POSITIVE_INFINITY;
  for (const shape of shapes) {
    const line = fitShape(shape, points, peakAt);
    if (!line) continue;
    const error = points.reduce((sum, p) => {
      const fitted = shape.excessOf(line.intercept + line.slope * shape.x(p.at, peakAt));
      // Relative misses: the tail of a fall matters as much as its first large buckets.
      const miss =
        fitted > 0 ? Math.log((p.count - p.expected) / fitted) : Number.POSITIVE_INFINITY;
      return sum + miss ** 2;
    }, 0);
    if (error < bestError) {
      best = shape;
      bestError = error;
    }
  }
  return best;
}

interface Line {
  slope: number;
  /** The line at x = 0: the newest bucket, where the forecast starts from. */
  intercept: number;
  slopeError: number;
}

/** Least squares of `ys` on `xs`, with the slope's standard error; null if flat in x. */
function fitLine(xs: readonly number[], ys: readonly number[]): Line | null {
  const n = xs.length;
  const meanX = xs.reduce((s, x) => s + x, 0) / n;
  const meanY = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - meanX;
    sxx += dx * dx;
    sxy += dx * ((ys[i] ?? 0) - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residuals = 0;
  for (let i = 0; i < n; i++) {
    const r = (ys[i] ?? 0) - (intercept + slope * (xs[i] ?? 0));
    residuals += r * r;
  }
  const slopeError = n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : Number.POSITIVE_INFINITY;
  return { slope, intercept, slopeError };
}
