// The package-size span table (docs/reference/messages.md): one `from → to : size` row per update package, in
// decimal units, the unusually large ones flagged, and the note when a gray release was
// active while the packages were built. Pure; rows that do not fit are counted, not shown.
import type { OutgoingMessage } from '../core/chat-types.ts';
import { formatDecimalSize } from '../domain/format-size.ts';
import type { SizeSpanReport, SizeSpanRow } from '../domain/size-span-report.ts';
import { MESSAGE_CHAR_LIMIT, oneLine } from './message-text.ts';

export interface SizeSpansInput {
  report: SizeSpanReport;
  /** The release and version the packages were built for. */
  release: string;
  version: string;
  deployId?: string;
}

export function renderSizeSpans(input: SizeSpansInput, maxChars = MESSAGE_CHAR_LIMIT): OutgoingMessage {
  const { report } = input;
  const flagged = report.anomalies > 0 ? ` — ⚠️ ${report.anomalies} unusually large` : '';
  const text = oneLine(`📦 update packages · ${report.project} ${report.market} · ${input.release} ${input.version}${input.deployId ? ` · ${input.deployId}` : ''}${flagged}`, 400);
  const tail: string[] = [];
  if (report.usualSize !== undefined) tail.push(`usual size: ${formatDecimalSize(report.usualSize)} (median of recent packages)`);
  for (const note of report.notes) tail.push(`ℹ️ note: ${oneLine(note, 500)}`);
  if (report.rows.length === 0) return { text, lines: ['no update packages were built', ...tail] };

  const size = (lines: readonly string[]) => lines.reduce((sum, line) => sum + 1 + line.length, 0);
  const rows: string[] = [];
  let room = maxChars - text.length - size(tail);
  // Flagged rows first if not everything fits: they are what people need to see.
  const ordered = size(report.rows.map(rowLine)) <= room ? report.rows : [...report.rows.filter((r) => r.flags.length > 0), ...report.rows.filter((r) => r.flags.length === 0)];
  for (let i = 0; i < ordered.length; i += 1) {
    const line = rowLine(ordered[i]!);
    const more = `… ${ordered.length - i} more package(s) not shown`;
    const last = i === ordered.length - 1;
    if (1 + line.length + (last ? 0 : 1 + more.length) > room) {
      rows.push(more);
      break;
    }
    rows.push(line);
    room -= 1 + line.length;
  }
  return { text, lines: [...rows, ...tail] };
}

/** `v1.2 → v1.3 : 24.8 MB  ⚠️ 2.1× the usual 11.8 MB` (the report's own row text). */
export function rowLine(row: SizeSpanRow): string {
  const line = row.line || `${row.from} → ${row.to} : ${formatDecimalSize(row.size)}`;
  return oneLine(line.replaceAll('⚠ ', '⚠️ '), 300);
}
