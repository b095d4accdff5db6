// The most events within any `windowMs` of one another (a window is (t − windowMs, t]): what a
// sliding-window rate limit allows at most, checked over recorded times.
export function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((x, y) => x - y);
  let most = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to += 1) {
    while ((sorted[from] as number) <= (sorted[to] as number) - windowMs) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}
