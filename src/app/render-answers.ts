// Plain-text answers to `status`, `history` and refusals: the same text on every platform.
import type { DeployRecord } from '../domain/deploy-record.ts';
import { formatDuration } from '../domain/format-duration.ts';
import type { GrayWarning } from '../domain/gray-warnings.ts';
import { displayUser, type People } from '../domain/people.ts';
import type { ReleaseStatus } from '../domain/release-status.ts';

export function renderWarningText(warning: GrayWarning): string {
  return `⚠️ gray-test warning: ${warning.message}`;
}

/**
 * `status`: what the hosts serve first, then the releases as recorded — each with the client
 * versions it accepts (oldest first; a rollback keeps the newer ones, so `v1.3, v1.4, v1.2`
 * is a list, not a history) — then the deploys not finished yet (`pending`). `hostLines`: the
 * per-host section against the record when the caller has one (render-host-sync.ts).
 */
export function renderStatus(status: ReleaseStatus, extra: string[] = [], people: People = {}, pending: readonly DeployRecord[] = [], hostLines?: string[]): string {
  const lines = [`*${status.project} ${status.market}*`];
  const neverDeployed = status.releases.length === 0;
  lines.push(neverDeployed ? 'hosts serve (never deployed here):' : 'hosts serve:');
  const againstRecord = hostLines !== undefined && !neverDeployed;
  if (againstRecord) lines.push(...hostLines);
  for (const host of againstRecord ? [] : status.hosts) {
    const mark = host.drift ? '⚠️' : host.releaseId === undefined ? '◻️' : '✅';
    lines.push(`${mark} ${host.host} (${host.location}): ${host.releaseId ?? 'no release'}${host.drift ? ` — ${host.message}` : ''}`);
  }
  if (status.drifted > 0 && !againstRecord) lines.push(`${status.drifted} host(s) drifted`);
  lines.push(neverDeployed ? 'releases: none recorded yet' : 'releases (as recorded):');
  for (const row of status.releases) {
    const current = row.current;
    const who = current ? ` · ${current.commit.slice(0, 7)} · ${current.at.replace('T', ' ').slice(0, 16)} UTC · by ${displayUser(people, current.by)} · ${current.deployId}` : '';
    lines.push(`${row.release}${row.isDefault ? ' (default)' : ''}: ${current?.version ?? row.versions.at(-1) ?? '—'}${who}`);
    if (row.versions.length > 0) lines.push(`  client versions ${row.release} accepts: ${row.versions.join(', ')}`);
  }
  if (pending.length > 0) {
    lines.push('pending:');
    for (const r of pending) lines.push(`  ${r.id} ${r.verb}${r.version ? ` ${r.version}` : ''} (${r.release}) by ${displayUser(people, r.requestedBy)}: ${r.state}`);
  }
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

