// Plain-text answers to `status`, `history` and refusals: the same text on every platform.
import type { DeployRecord } from '../domain/deploy-record.ts';
import { formatDuration } from '../domain/format-duration.ts';
import type { GrayWarning } from '../domain/gray-warnings.ts';
import { displayUser, type People } from '../domain/people.ts';
import type { ReleaseStatus } from '../domain/release-status.ts';

export function renderWarningText(warning: GrayWarning): string {
  return `⚠️ gray-test warning: ${warning.message}`;
}

/** `hostLines`: the per-host section when the caller has one (render-host-sync.ts); else one line per status row. */
export function renderStatus(status: ReleaseStatus, extra: string[] = [], people: People = {}, hostLines?: string[]): string {
  const lines = [`*${status.project} ${status.market}*`];
  if (status.releases.length === 0) lines.push('no release recorded yet');
  for (const row of status.releases) {
    const current = row.current;
    const who = current ? ` · ${current.commit.slice(0, 7)} · ${current.at.replace('T', ' ').slice(0, 16)} UTC · by ${displayUser(people, current.by)} · ${current.deployId}` : '';
    lines.push(`${row.release}${row.isDefault ? ' (default)' : ''}: ${current?.version ?? row.versions.at(-1) ?? '—'}${who}`);
    if (row.versions.length > 1) lines.push(`  versions: ${row.versions.join(', ')}`);
  }
  if (hostLines) lines.push(...hostLines);
  for (const host of hostLines ? [] : status.hosts) {
    const mark = host.drift ? '⚠️' : '✅';
    lines.push(`${mark} ${host.host} (${host.location}): ${host.releaseId ?? 'no release'}${host.drift ? ` — ${host.message}` : ''}`);
  }
  if (status.drifted > 0 && !hostLines) lines.push(`${status.drifted} host(s) drifted`);
  lines.push(...extra);
  return lines.join('\n');
}

export function renderHistory(project: string, market: string, records: readonly DeployRecord[], people: People = {}): string {
  if (records.length === 0) return `no deploys of ${project} in ${market} yet`;
  const lines = [`last ${records.length} deploy(s) of ${project} in ${market}:`];
  for (const r of records) {
    const duration = r.durationMs !== undefined ? ` in ${formatDuration(r.durationMs)}` : '';
    const version = r.version ? ` ${r.version}` : '';
    const reason = r.reason && r.state !== 'success' ? ` — ${r.reason}` : '';
    lines.push(`${r.id} ${r.verb}${version} (${r.release}) by ${displayUser(people, r.requestedBy)}: ${r.state}${duration}${reason}`);
  }
  return lines.join('\n');
}

