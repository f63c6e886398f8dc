/**
 * How the running time of a parser grows with its input, told as a ratio measured in one
 * process (time on an input four times as long over time on the input), so that the
 * machine's speed cancels out: linear work gives about 4, quadratic about 16. No absolute
 * budget is involved, since shared machines are noisy; the bench reports times per MB.
 */

/** Least time of `runs` calls of `work`, in ms: the least is the one noise touched least. */
export function bestTime(work: () => unknown, runs: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** Runs `work`, a parser that may refuse its input: a refusal is an answer too. */
function settle(work: () => unknown): () => void {
  return () => {
    try {
      work();
    } catch {
      // Refusing a hostile document is one of the answers being timed.
    }
  };
}

/**
 * Time of `run` on `make(4 * size)` over its time on `make(size)`, each the best of
 * `runs` interleaved calls after a warm-up (so the optimising compiler has seen both).
 * @example growthRatio((n) => "<".repeat(n), htmlToText, 100_000) // about 4
 */
export function growthRatio<Input>(
  make: (size: number) => Input,
  run: (input: Input) => unknown,
  size: number,
  runs = 5,
): number {
  const small = make(size);
  const large = make(4 * size);
  const onSmall = settle(() => run(small));
  const onLarge = settle(() => run(large));
  onSmall();
  onLarge();
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    bestSmall = Math.min(bestSmall, bestTime(onSmall, 1));
    bestLarge = Math.min(bestLarge, bestTime(onLarge, 1));
  }
  return bestLarge / Math.max(bestSmall, 0.001);
}

/** A ratio linear work stays under on a busy machine, and quadratic work (16) does not reach. */
export const LINEAR_LIMIT = 8;

/**
 * The least of up to `attempts` growth ratios, stopping at the first under
 * {@link LINEAR_LIMIT}: a busy neighbour can slow one measurement, not every one, while
 * quadratic work is over the limit every time.
 */
export function settledGrowthRatio<Input>(
  make: (size: number) => Input,
  run: (input: Input) => unknown,
  size: number,
  attempts = 3,
): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < attempts && least >= LINEAR_LIMIT; i++) {
    least = Math.min(least, growthRatio(make, run, size));
  }
  return least;
}
