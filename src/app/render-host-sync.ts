// The per-host part of `status` (docs/commands.md): each host on its recorded release,
// drifted (from what to what), missing its release directory, or new — and the `sync`
// command when something differs. Other findings (unreachable, built for another release)
// keep the wording of the release status.
import { describeSyncHost, type SyncPlan } from '../domain/plan-sync.ts';
import type { ReleaseStatus } from '../domain/release-status.ts';

const MARK = { on: '✅', drifted: '⚠️', missing: '⚠️', new: '🆕', idle: '✅', unknown: '⚠️' } as const;

export function renderHostSync(status: ReleaseStatus, plan: SyncPlan): string[] {
  const rows = new Map(status.hosts.map((row) => [`${row.location}/${row.host}`, row]));
  const lines = plan.hosts.map((host) => {
    const row = rows.get(`${host.location}/${host.host}`);
    const where = `${host.host} (${host.location})`;
    if ((host.state === 'on' || host.state === 'idle' || host.state === 'unknown') && row?.drift) return `⚠️ ${where}: ${row.releaseId ?? 'no release'} — ${row.message}`;
    if (host.state === 'idle') return `${MARK.idle} ${where}: ${row?.releaseId ?? 'no release'}`;
    return `${MARK[host.state]} ${where}: ${describeSyncHost(host).slice(host.host.length + 2)}`;
  });
  if (plan.changes.length > 0) lines.push(`${plan.changes.length} host(s) differ from their recorded release: \`sync ${status.project} ${status.market}\` brings them back`);
  return lines;
}
