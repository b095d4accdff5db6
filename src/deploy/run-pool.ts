// Runs a task per item, at most `limit` at a time, in order. Before starting each item it
// asks `shouldStart`; when that says no, the remaining items are not started (they are
// returned as not started) and the running ones are awaited.

export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  shouldStart: () => boolean = () => true,
): Promise<{ results: Map<T, R>; notStarted: T[] }> {
  const results = new Map<T, R>();
  const notStarted: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      if (!shouldStart()) {
        notStarted.push(item);
        continue;
      }
      results.set(item, await task(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return { results, notStarted: items.filter((item) => notStarted.includes(item)) };
}
