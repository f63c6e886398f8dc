/**
 * Runs tasks with a bound on how many are in flight: reads and writes wait on the
 * network, so a few dozen at once keep an invocation busy without flooding the store.
 */

/**
 * Runs `tasks` with at most `limit` in flight, in order of the array.
 * @example await runBounded(services.map((s) => () => advance(s)), 32);
 */
export async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
