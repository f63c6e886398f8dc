/**
 * Bounded concurrency for the calls a round makes item by item (a claim, a mark): enough
 * of them in flight that a thousand take seconds, not minutes, and few enough that one
 * round never floods the store or its connection pool.
 */

/** How many calls to the store one round keeps in flight. */
export const STORE_CONCURRENCY = 25;

/**
 * `work` on each of `items`, at most `limit` at a time; the results in the order of
 * `items`. A failure rejects once the calls in flight have settled.
 * @example await inParallel(keys, 25, (key) => outbox.markSent(key, now));
 */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
