// A deploy's full log as plain text (docs/reference/messages.md: on failure, the whole story next to the
// progress message): every notice it published, one line each in order, with hook and host
// output tails indented under their line. Pure: the upload is redacted at the chat
// boundary (redactingUploaders, wired in start-bot.ts).
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { reduceNotices } from './deploy-view.ts';
import { formatElapsed } from './message-text.ts';
import { progressHeader } from './render-progress.ts';

export function renderDeployLog(notices: readonly DeployNotice[]): string {
  const view = reduceNotices(notices);
  const lines = [`deploybot log of ${progressHeader(view)}`, `state: ${view.state ?? 'unknown'}${view.reason ? ` — ${view.reason}` : ''}`, ''];
  lines.push(...deployLogLines(notices));
  return `${lines.join('\n')}\n`;
}

/** The log lines of the notices from index `from` on (the deploy page appends these as they come). */
export function deployLogLines(notices: readonly DeployNotice[], from = 0): string[] {
  const lines: string[] = [];
  for (const notice of notices.slice(from)) {
    const described = describeNotice(notice);
    if (described === undefined) continue;
    lines.push(`${notice.at} ${described.line}`, ...(described.output ?? []).map((line) => `    | ${line}`));
  }
  return lines;
}

function describeNotice(notice: DeployNotice): { line: string; output?: readonly string[] } | undefined {
  switch (notice.type) {
    case 'job.accepted':
      return { line: `accepted: "${notice.record.command}" by ${notice.record.requestedBy} (${notice.record.platform} ${notice.record.channel})` };
    case 'job.state':
      return { line: `state → ${notice.state}${notice.reason ? `: ${notice.reason}` : ''}` };
    case 'job.queued-behind':
      return { line: `queued behind ${notice.behind}` };
    case 'job.approval-requested': {
      const approval = notice.record.approval;
      return { line: `approval requested from ${approval?.approvers.join(', ') ?? 'the approvers'}${approval?.expiresAt ? ` (expires ${approval.expiresAt})` : ''}`, output: notice.diffSummary ?? [] };
    }
    case 'job.approval-decided':
      return { line: `${notice.decision.decision} by ${notice.decision.by}${notice.decision.reason ? `: ${notice.decision.reason}` : ''}` };
    case 'job.warning':
      return { line: `warning (${notice.warning.kind}): ${notice.warning.message}` };
    case 'job.size-spans':
      return { line: `update packages for ${notice.release} ${notice.version}: ${notice.report.rows.length} span(s)` };
    case 'job.note':
      return { line: `note: ${notice.text}` };
    case 'deploy.started':
      return { line: `${notice.kind} started: ${notice.project} → ${notice.market} (${notice.release}) ${notice.version} on ${notice.hosts.join(', ') || 'no hosts'}` };
    case 'step.started':
      return { line: `step ${notice.step} started${notice.hosts?.length ? ` on ${notice.hosts.join(', ')}` : ''}` };
    case 'step.finished':
      return { line: `step ${notice.step} done in ${formatDuration(notice.durationMs)}${detail(notice.detail)}` };
    case 'step.failed':
      return { line: `step ${notice.step} FAILED after ${formatDuration(notice.durationMs)}: [${notice.error.code}] ${notice.error.message}` };
    case 'step.skipped':
      return { line: `step ${notice.step} skipped: ${notice.reason}` };
    case 'host.started':
      return { line: `${notice.host}: ${notice.step} started` };
    case 'host.finished':
      return { line: `${notice.host}: ${notice.step} ${notice.skipped ? 'skipped' : 'done'} in ${formatDuration(notice.durationMs)}`, output: notice.outputTail ?? [] };
    case 'host.failed':
      return { line: `${notice.host}: ${notice.step} FAILED after ${formatDuration(notice.durationMs)}: [${notice.error.code}] ${notice.error.message}`, output: notice.outputTail ?? [] };
    case 'host.bytes':
      return undefined; // upload progress: the finished distribute line says enough
    case 'hook.finished':
      return { line: `hook ${notice.hook}${notice.host ? ` on ${notice.host}` : ''} exited ${notice.exitCode ?? 'by signal'} after ${formatDuration(notice.durationMs)}`, output: notice.outputTail };
    case 'deploy.finished': {
      const { result } = notice;
      const failed = result.failedHosts.length > 0 ? `; failed hosts: ${result.failedHosts.join(', ')}` : '';
      const error = result.error ? `; [${result.error.code}] ${result.error.message}` : '';
      return { line: `${result.kind} finished ${notice.outcome} in ${formatElapsed(notice.durationMs)}: ${result.switchedHosts.length}/${result.hosts.length} hosts switched${failed}${error}` };
    }
  }
}

function detail(values: Record<string, unknown> | undefined): string {
  if (!values) return '';
  const parts = Object.entries(values)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key}=${String(value)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
