/**
 * Runs `task` for every item, at most `concurrency` at a time (at least one), taking items in
 * order. Rejects with the first failure; tasks already running finish their item, no new one
 * starts.
 */
export async function eachAtOnce<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
