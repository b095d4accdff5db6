// The package-size span table of docs/reference/messages.md: one `from → to : size` row per update package,
// flagged when far above the project's usual size or above its configured ceiling, with a
// note when a gray release was active while packaging (docs/reference/messages.md#package-size-spans; the gray test's 25 MB → 50 MB).
import { formatDecimalSize } from './format-size.ts';

export interface PackageSpan {
  from: string;
  to: string;
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
  const usual = median(input.recentSizes);
  const rows = input.spans.map((span): SizeSpanRow => {
    const flags: SpanFlag[] = [];
    if (usual !== undefined && usual > 0 && span.size >= factor * usual) flags.push('above_usual');
    if (input.ceiling !== undefined && span.size > input.ceiling) flags.push('above_ceiling');
    const sizeText = formatDecimalSize(span.size);
    const marks = flags.map((f) => (f === 'above_usual' ? `⚠ ${(span.size / usual!).toFixed(1)}× the usual ${formatDecimalSize(usual!)}` : `⚠ above the ceiling of ${formatDecimalSize(input.ceiling!)}`));
    return { ...span, sizeText, flags, line: [`${span.from} → ${span.to} : ${sizeText}`, ...marks].join('  ') };
  });
  const notes: string[] = [];
  if (input.grayActive) {
    notes.push(`gray ${input.grayActive.version}${input.grayActive.deployId ? ` (${input.grayActive.deployId})` : ''} was active while these packages were built; check that no span starts or ends at the gray version`);
  }
  if (usual === undefined && rows.length > 0) notes.push('no earlier update packages to compare sizes with yet');
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
  if (usual !== undefined) report.usualSize = usual;
  return report;
}
