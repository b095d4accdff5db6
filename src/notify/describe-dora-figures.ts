// The DORA figures as words, the same in the deploy list and the `stats` answer
// (docs/deploy-page.md, "DORA figures"). Pure.
import type { DoraFigures } from '../domain/dora-figures.ts';
import { formatDuration } from '../domain/format-duration.ts';

export function describeFigures(f: DoraFigures): { frequency: string; leadTime: string; failureRate: string; recovery: string } {
  const cf = f.changeFailure;
  return {
    frequency: `${f.deployments} in ${f.days} d (${f.perDay.toFixed(2)}/day)`,
    leadTime: f.leadTime.medianMs === undefined ? '—' : `${formatDuration(f.leadTime.medianMs)} median (${f.leadTime.samples})`,
    failureRate: cf.rate === undefined ? '— (0/0)' : `${Math.round(cf.rate * 100)}% (${cf.failed}/${cf.total})`,
    recovery: f.recovery.medianMs === undefined ? (f.recovery.unrecovered > 0 ? `— (${f.recovery.unrecovered} not recovered)` : '—') : `${formatDuration(f.recovery.medianMs)} median (${f.recovery.samples}${f.recovery.unrecovered ? `, ${f.recovery.unrecovered} not recovered` : ''})`,
  };
}
