// A size in a rollout (docs/configuration.md, "rollout"): a count of hosts (`1`, `4`) or a
// percentage of the hosts a deploy targets (`25%`). Used for the waves and for maxUnhealthy.
// Percentages are kept in hundredths of a percent so every comparison is exact integer
// arithmetic (no 0.1 + 0.2 surprises at 2 000 hosts).

export type RolloutSize = { kind: 'count'; count: number } | { kind: 'percent'; hundredths: number };

const PERCENT = /^(\d{1,3}(?:\.\d{1,2})?)\s*%$/;

/** `3`, `"3"`, `"25%"`, `"12.5%"` → a size; undefined for anything else (0 hosts, over 100 %, fractions of hosts). */
export function parseRolloutSize(value: number | string, opts: { allowZero?: boolean } = {}): RolloutSize | undefined {
  const min = opts.allowZero ? 0 : 1;
  if (typeof value === 'number') return Number.isInteger(value) && value >= min ? { kind: 'count', count: value } : undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseRolloutSize(Number(text), opts);
  const match = PERCENT.exec(text);
  if (!match) return undefined;
  const hundredths = Math.round(Number(match[1]) * 100);
  if (hundredths < min || hundredths > 10_000) return undefined;
  return { kind: 'percent', hundredths };
}

export function formatRolloutSize(size: RolloutSize): string {
  return size.kind === 'count' ? String(size.count) : `${size.hundredths / 100}%`;
}

/** How many of `total` hosts a size stands for, rounded up (a wave of 10 % of 5 hosts is 1 host). */
export function hostsFor(size: RolloutSize, total: number): number {
  if (size.kind === 'count') return Math.min(size.count, total);
  return Math.ceil((total * size.hundredths) / 10_000);
}
