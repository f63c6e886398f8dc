/**
 * Deterministic random counts for detector tests and benchmarks: a seeded uniform
 * generator and Poisson draws, so report noise is realistic and every run the same.
 */

/** A deterministic generator in [0, 1) (a linear congruential generator). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

/**
 * A Poisson(mean) draw: exact for small means, normal approximation for large ones.
 * @example poisson(12, uniform(7)) // a count near 12
 */
export function poisson(mean: number, u: () => number): number {
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = u();
    while (p > limit) {
      k++;
      p *= u();
    }
    return k;
  }
  const normal = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
}
