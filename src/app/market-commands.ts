// `status`, `history`, `lock`, `unlock` (SPEC §3): answered at once, no job.
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import { RefusedError } from '../core/errors.ts';
import { grayWarnings } from '../domain/gray-warnings.ts';
import { displayUser } from '../domain/people.ts';
import { releaseStatus } from '../domain/release-status.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';
import { readHostReleases } from './read-host-releases.ts';
import { readReleaseState } from './read-release-state.ts';
import { renderHistory, renderStatus, renderWarningText } from './render-answers.ts';
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
    if (lock) warnings.unshift(`🔒 locked by ${displayUser(rt.config.people, lock.by)} since ${lock.at}: ${lock.reason}`);
    parts.push(renderStatus(status, [...renderPlatformStatus(state, rt.config.markets[market]?.platforms), ...warnings], rt.config.people));
  }
  await ctx.reply({ text: parts.join('\n\n') });
}

export async function showHistory(rt: JobRuntime, command: CommandOf<'history'>, ctx: CommandContext): Promise<void> {
  const records = await rt.records.history(command.project, command.market, command.limit);
  await ctx.reply({ text: renderHistory(command.project, command.market, records, rt.config.people) });
}

export async function lockMarket(rt: JobRuntime, command: CommandOf<'lock'>, ctx: CommandContext): Promise<void> {
  const at = rt.now().toISOString();
  const { lock, created } = await rt.humanLocks.lock(command.project, command.market, { reason: command.reason, by: ctx.user.id, at });
  await rt.audit.append({ at, user: ctx.user.id, action: created ? 'lock' : 'lock refused', project: command.project, market: command.market, detail: command.reason });
  if (!created) throw new RefusedError('already_locked', `${command.project} ${command.market} is already locked by ${displayUser(rt.config.people, lock.by)} since ${lock.at}: ${lock.reason}`);
  await ctx.reply({ text: `🔒 ${command.project} ${command.market} locked by ${displayUser(rt.config.people, ctx.user.id)}: ${command.reason}. Deploys there are refused until \`unlock ${command.project} ${command.market}\`.` });
}

export async function unlockMarket(rt: JobRuntime, command: CommandOf<'unlock'>, ctx: CommandContext): Promise<void> {
  const lock = await rt.humanLocks.unlock(command.project, command.market);
  await rt.audit.append({ at: rt.now().toISOString(), user: ctx.user.id, action: 'unlock', project: command.project, market: command.market, ...(lock ? { detail: `was locked by ${lock.by}: ${lock.reason}` } : {}) });
  if (!lock) throw new RefusedError('not_locked', `${command.project} ${command.market} is not locked.`);
  await ctx.reply({ text: `🔓 ${command.project} ${command.market} unlocked by ${displayUser(rt.config.people, ctx.user.id)} (was locked by ${displayUser(rt.config.people, lock.by)}: ${lock.reason}).` });
}
