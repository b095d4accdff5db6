// `status`, `history`, `lock`, `unlock` (docs/reference/command-grammar.md): answered at once, no job.
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import type { PageLinks } from '../core/page-link.ts';
import { RefusedError } from '../core/errors.ts';
import { isTerminal } from '../domain/deploy-record.ts';
import { grayWarnings } from '../domain/gray-warnings.ts';
import { displayApprover } from '../domain/approval-rule.ts';
import { displayUser } from '../domain/people.ts';
import { mayUnlock } from '../domain/unlock-rule.ts';
import { ownEntry } from '../core/own-entry.ts';
import { formatUtc } from '../notify/message-text.ts';
import { describeLock } from './lock-in-the-way.ts';
import { releaseStatus } from '../domain/release-status.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';
import { readHostReleases } from './read-host-releases.ts';
import { readReleaseState } from './read-release-state.ts';
import { renderHostSync } from './render-host-sync.ts';
import { syncPlanOf } from './sync-hosts.ts';
import { renderHistory, renderStatus, renderWarningText } from './render-answers.ts';
import { timeStatusLines } from './time-rules.ts';

/** How many recent deploys of a market `status` looks through for the unfinished ones. */
const PENDING_LOOKBACK = 50;
import { renderPlatformStatus } from './render-platform-status.ts';

export async function showStatus(rt: JobRuntime, command: CommandOf<'status'>, ctx: CommandContext): Promise<void> {
  const markets = command.market ? [command.market] : rt.config.projects[command.project]!.markets;
  const parts: string[] = [];
  for (const market of markets) {
    const read = await readReleaseState(rt, command.project, market);
    if (!read.ok) {
      parts.push(`⚠️ ${command.project} ${market}: ${read.reason}`);
      continue;
    }
    const state = read.state;
    const locations = marketLocations(rt.config, market);
    const hosts = [...new Set(locations.flatMap((l) => l.hosts))];
    const readings = await readHostReleases(rt.config, command.project, hosts, rt.transport ? { transport: rt.transport } : {});
    const status = releaseStatus({ state, locations, readings });
    const warnings = grayWarnings({ state, now: rt.now(), maxAgeMs: rt.config.warnings.grayMaxAge, hosts: status.hosts }).map(renderWarningText);
    const lock = await rt.humanLocks.get(command.project, market);
    if (lock) warnings.unshift(`🔒 ${describeLock(rt, lock)}`);
    const hostLines = renderHostSync(status, await syncPlanOf(rt, state, locations, readings));
    // deploys not finished yet, oldest first (scheduled ones too: every state that is not terminal)
    const pending = (await rt.records.history(command.project, market, PENDING_LOOKBACK)).filter((r) => !isTerminal(r.state)).reverse();
    parts.push([renderStatus(status, [...renderPlatformStatus(state, rt.config.markets[market]?.platforms), ...warnings], rt.config.people, pending, hostLines), ...(await timeStatusLines(rt, command.project, market))].join('\n'));
  }
  await ctx.reply({ text: parts.join('\n\n') });
}

export async function showHistory(rt: JobRuntime, command: CommandOf<'history'>, ctx: CommandContext, links?: PageLinks): Promise<void> {
  const records = await rt.records.history(command.project, command.market, command.limit);
  const list = links?.index({ project: command.project, market: command.market });
  await ctx.reply({ text: renderHistory(command.project, command.market, records, rt.config.people), ...(list ? { links: [{ label: 'All deploys', url: list }] } : {}) });
}

export async function lockMarket(rt: JobRuntime, command: CommandOf<'lock'>, ctx: CommandContext): Promise<void> {
  const now = rt.now();
  const at = now.toISOString();
  const until = command.forMs === undefined ? undefined : new Date(now.getTime() + command.forMs).toISOString();
  const { lock, created } = await rt.humanLocks.lock(command.project, command.market, { reason: command.reason, by: ctx.user.id, at, ...(until ? { until } : {}) });
  await rt.audit.append({ at, user: ctx.user.id, action: created ? 'lock' : 'lock refused', project: command.project, market: command.market, detail: until ? `${command.reason} (until ${until})` : command.reason });
  if (!created) throw new RefusedError('already_locked', `${command.project} ${command.market} is already ${describeLock(rt, lock)}`);
  const lifts = until ? `until ${formatUtc(until)} (or \`unlock ${command.project} ${command.market}\`)` : `until \`unlock ${command.project} ${command.market}\``;
  await ctx.reply({ text: `🔒 ${command.project} ${command.market} locked by ${displayUser(rt.config.people, ctx.user.id)}: ${command.reason}. Deploys there are refused ${lifts}; rollback, gray cancel and review cancel still pass.` });
}

export async function unlockMarket(rt: JobRuntime, command: CommandOf<'unlock'>, ctx: CommandContext): Promise<void> {
  const people = rt.config.people;
  const approval = ownEntry(rt.config.markets, command.market)?.approval;
  const approvers = approval === undefined || approval === 'none' ? [] : approval.approvers;
  const { lock, lifted } = await rt.humanLocks.unlock(command.project, command.market, (held) => mayUnlock({ approvers, people, lockedBy: held.by, user: ctx.user.id }));
  const at = rt.now().toISOString();
  if (!lock) throw new RefusedError('not_locked', `${command.project} ${command.market} is not locked.`);
  if (!lifted) {
    await rt.audit.append({ at, user: ctx.user.id, action: 'unlock refused', project: command.project, market: command.market, detail: `locked by ${lock.by}: ${lock.reason}` });
    const others = approvers.length > 0 ? ` or an approver of ${command.market} (${approvers.map((a) => displayApprover(people, a)).join(', ')})` : '';
    throw new RefusedError('unlock_not_allowed', `${command.project} ${command.market} is ${describeLock(rt, lock)}. Only ${displayUser(people, lock.by)}${others} may unlock it; it stays locked.`);
  }
  await rt.audit.append({ at, user: ctx.user.id, action: 'unlock', project: command.project, market: command.market, detail: `was locked by ${lock.by}: ${lock.reason}` });
  await ctx.reply({ text: `🔓 ${command.project} ${command.market} unlocked by ${displayUser(people, ctx.user.id)} (was locked by ${displayUser(people, lock.by)}: ${lock.reason}).` });
}

