// `freeze` / `unfreeze` in chat (docs/scheduling.md#freezes): the market's approvers
// (anyone where no approval is configured; for `all`, an approver of every market that has
// approval), audited, answered at once.
import type { Config } from '../../config/load-config.ts';
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import { RefusedError } from '../core/errors.ts';
import { isApprover } from '../domain/approval-rule.ts';
import { freezeEnd } from '../domain/freeze-end.ts';
import { displayUser } from '../domain/people.ts';
import { formatInZone } from '../domain/zoned-time.ts';
import { EVERY_MARKET } from '../store/chat-freezes.ts';
import type { JobRuntime } from './job-runtime.ts';

/** The markets a freeze of `scope` covers. */
function marketsOf(config: Config, scope: string): string[] {
  return scope === EVERY_MARKET ? Object.keys(config.markets) : [scope];
}

/** Whether `user` may freeze or unfreeze `scope`: an approver of each market with approval. */
function mayFreeze(config: Config, scope: string, user: string): boolean {
  return marketsOf(config, scope).every((market) => {
    const approval = config.markets[market]!.approval;
    return approval === 'none' || isApprover({ approvers: approval.approvers, people: config.people }, user);
  });
}

function zoneOf(config: Config, scope: string): string {
  return scope === EVERY_MARKET ? 'UTC' : (config.markets[scope]!.timezone ?? 'UTC');
}

export async function freezeMarket(rt: JobRuntime, command: CommandOf<'freeze'>, ctx: CommandContext): Promise<void> {
  const now = rt.now();
  const user = ctx.user.id;
  const audit = (action: string, detail: string) => rt.audit.append({ at: now.toISOString(), user, action, market: command.market, detail });
  if (!mayFreeze(rt.config, command.market, user)) {
    await audit('freeze refused', `not an approver: ${command.reason}`);
    throw new RefusedError('freeze_not_allowed', `Only the approvers of ${command.market === EVERY_MARKET ? 'every market' : command.market} may freeze it; nothing was changed.`);
  }
  const end = freezeEnd(command.until, now.getTime());
  if (!end.ok) throw new RefusedError('bad_schedule', `Refused: ${end.error}. Nothing was changed.`);
  const until = new Date(end.untilMs).toISOString();
  const previous = await rt.chatFreezes.freeze({ market: command.market, reason: command.reason, by: user, at: now.toISOString(), until }, now.getTime());
  await audit('freeze', `until ${until}: ${command.reason}`);
  const people = rt.config.people;
  const replaced = previous ? ` (it replaces the freeze by ${displayUser(people, previous.by)} until ${previous.until}: ${previous.reason})` : '';
  const where = command.market === EVERY_MARKET ? 'every market' : command.market;
  await ctx.reply({ text: `🧊 ${where} frozen until ${formatInZone(end.untilMs, zoneOf(rt.config, command.market))} by ${displayUser(people, user)}: ${command.reason}${replaced}. deploy, gray start, gray promote, review promote and retry are refused there; rollback, gray cancel, review cancel and cancel still run; \`unfreeze ${command.market}\` lifts it.` });
}

export async function unfreezeMarket(rt: JobRuntime, command: CommandOf<'unfreeze'>, ctx: CommandContext): Promise<void> {
  const at = rt.now().toISOString();
  const user = ctx.user.id;
  if (!mayFreeze(rt.config, command.market, user)) {
    await rt.audit.append({ at, user, action: 'unfreeze refused', market: command.market, detail: 'not an approver' });
    throw new RefusedError('freeze_not_allowed', `Only the approvers of ${command.market === EVERY_MARKET ? 'every market' : command.market} may unfreeze it; nothing was changed.`);
  }
  const lifted = await rt.chatFreezes.unfreeze(command.market);
  await rt.audit.append({ at, user, action: 'unfreeze', market: command.market, ...(lifted ? { detail: `was frozen by ${lifted.by} until ${lifted.until}: ${lifted.reason}` } : {}) });
  const planned = marketsOf(rt.config, command.market).some((m) => (rt.config.markets[m]!.freezes ?? []).some((f) => Date.parse(f.to) > Date.parse(at)));
  const note = planned ? ' Planned freezes in the config still hold.' : '';
  if (!lifted) throw new RefusedError('not_frozen', `${command.market} has no chat freeze.${note}`);
  await ctx.reply({ text: `🔥 ${command.market} unfrozen by ${displayUser(rt.config.people, user)} (was frozen by ${displayUser(rt.config.people, lifted.by)}: ${lifted.reason}).${note}` });
}
