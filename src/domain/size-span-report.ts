// The package-size span table of docs/reference/messages.md: one `from → to : size` row per update package,
// flagged when far above the project's usual size or above its configured ceiling, with a
// note when a gray release was active while packaging (docs/reference/messages.md#package-size-spans; the gray test's 25 MB → 50 MB).
import { formatDecimalSize } from './format-size.ts';

export interface PackageSpan {
  from: string;
  to: string;
  /** In a market with platforms: whose package it is; rows group by it and are judged against its sizes. */
  platform?: string;
  /** Bytes. */
  size: number;
}

export type SpanFlag = 'above_usual' | 'above_ceiling';

export interface SizeSpanRow extends PackageSpan {
  /** `v1.2 → v1.3 : 24.8 MB` */
  line: string;
  sizeText: string;
  flags: SpanFlag[];
}

export interface SizeSpanReportInput {
  project: string;
  market: string;
  spans: readonly PackageSpan[];
  /** Sizes (bytes) of the project's recent update packages, before this run. */
  recentSizes: readonly number[];
  /** Per platform: the recent sizes of that platform's packages; a row of a platform is judged against these only. */
  recentSizesByPlatform?: Readonly<Record<string, readonly number[]>>;
  /** packageSizeCeiling from the config (bytes). */
  ceiling?: number;
  /** The gray release active while the packages were built, if any. */
  grayActive?: { version: string; deployId?: string };
  /** A span at least this many times the recent median is flagged. @defaultValue 2 */
  factor?: number;
}

export interface SizeSpanReport {
  project: string;
  market: string;
  rows: SizeSpanRow[];
  /** Median of recentSizes; undefined when there is no history to compare with. */
  usualSize?: number;
  /** Per platform (rows with a platform): the median of that platform's recent sizes. */
  usualSizeByPlatform?: Record<string, number>;
  anomalies: number;
  notes: string[];
  /** The whole table as chat text. */
  text: string;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function sizeSpanReport(input: SizeSpanReportInput): SizeSpanReport {
  const factor = input.factor ?? 2;
  const overall = median(input.recentSizes);
  const usualOf = (span: PackageSpan) => (span.platform === undefined ? overall : median(input.recentSizesByPlatform?.[span.platform] ?? []));
  const platforms = [...new Set(input.spans.flatMap((s) => (s.platform === undefined ? [] : [s.platform])))];
  // grouped by platform (in order of first appearance), a market without platforms as before
  const spans = platforms.length === 0 ? input.spans : [...input.spans.filter((s) => s.platform === undefined), ...platforms.flatMap((p) => input.spans.filter((s) => s.platform === p))];
  const rows = spans.map((span): SizeSpanRow => {
    const usual = usualOf(span);
    const flags: SpanFlag[] = [];
    if (usual !== undefined && usual > 0 && span.size >= factor * usual) flags.push('above_usual');
    if (input.ceiling !== undefined && span.size > input.ceiling) flags.push('above_ceiling');
    const sizeText = formatDecimalSize(span.size);
    const marks = flags.map((f) => (f === 'above_usual' ? `⚠ ${(span.size / usual!).toFixed(1)}× the usual ${formatDecimalSize(usual!)}` : `⚠ above the ceiling of ${formatDecimalSize(input.ceiling!)}`));
    const pair = `${span.platform === undefined ? '' : `${span.platform}: `}${span.from} → ${span.to} : ${sizeText}`;
    return { ...span, sizeText, flags, line: [pair, ...marks].join('  ') };
  });
  const notes: string[] = [];
  if (input.grayActive) {
    notes.push(`gray ${input.grayActive.version}${input.grayActive.deployId ? ` (${input.grayActive.deployId})` : ''} was active while these packages were built; check that no span starts or ends at the gray version`);
  }
  const compared = rows.some((r) => usualOf(r) !== undefined);
  if (!compared && rows.length > 0) notes.push('no earlier update packages to compare sizes with yet');
  const anomalies = rows.filter((r) => r.flags.length > 0).length;
  const header = `update packages ${input.project} ${input.market}${anomalies > 0 ? ` — ${anomalies} unusually large` : ''}`;
  const report: SizeSpanReport = {
    project: input.project,
    market: input.market,
    rows,
    anomalies,
    notes,
    text: [header, ...rows.map((r) => r.line), ...notes.map((n) => `note: ${n}`)].join('\n'),
  };
  const usual = platforms.length === 0 || input.spans.some((s) => s.platform === undefined) ? overall : undefined;
  if (usual !== undefined) report.usualSize = usual;
  const byPlatform = Object.fromEntries(platforms.flatMap((p) => {
    const m = median(input.recentSizesByPlatform?.[p] ?? []);
    return m === undefined ? [] : [[p, m] as const];
  }));
  if (Object.keys(byPlatform).length > 0) report.usualSizeByPlatform = byPlatform;
  return report;
}
