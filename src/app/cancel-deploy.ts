// `cancel <id>` (docs/reference/command-grammar.md, docs/reference/deploy-lifecycle.md): a deploy that has not started running ends at once; a
// running one stops at the next safe point (between steps and hosts, never inside a
// switch), leaving every host on a complete release.
import type { CommandContext } from '../core/command-router.ts';
import { RefusedError } from '../core/errors.ts';
import type { Config } from '../../config/load-config.ts';
import { isApprover, isSameParty } from '../domain/approval-rule.ts';
import { type DeployRecord, isTerminal } from '../domain/deploy-record.ts';
import { displayUser } from '../domain/people.ts';
import type { JobRuntime } from './job-runtime.ts';

/** Who may act on a deploy beyond deciding it (cancel, retry): anyone where no approval is configured, else its requester or an approver. */
export function requesterOrApprover(config: Config, record: DeployRecord, user: string): boolean {
  const approval = config.markets[record.market]?.approval;
  if (approval === undefined || approval === 'none') return true;
  return isSameParty({ approvers: approval.approvers, people: config.people }, record.requestedBy, user) || approverOf(config, record, user);
}

/** Who may force-cancel (force-cancel-deploy.ts): anyone where no approval is configured, else the market's approvers only. */
export function approverOf(config: Config, record: DeployRecord, user: string): boolean {
  const approval = config.markets[record.market]?.approval;
  if (approval === undefined || approval === 'none') return true;
  return isApprover({ approvers: approval.approvers, people: config.people }, user);
}

export async function cancelDeploy(rt: JobRuntime, deployId: string, ctx: CommandContext): Promise<void> {
  const user = ctx.user.id;
  const record = await rt.records.require(deployId);
  const people = rt.config.people;
  if (!requesterOrApprover(rt.config, record, user)) throw new RefusedError('cancel_not_allowed', `Only the requester (${displayUser(people, record.requestedBy)}) or an approver of ${record.market} may cancel ${deployId}.`);
  if (isTerminal(record.state)) throw new RefusedError('already_finished', `${deployId} already ended ${record.state}.`);
  if (record.state === 'paused') throw new RefusedError('rollout_paused', `${deployId} is paused part-way through its rollout: \`abort ${deployId}\` switches back every host it switched, \`resume ${deployId}\` continues it.`);
  const at = rt.now().toISOString();
  await rt.audit.append({ at, user, action: 'cancel', deployId, project: record.project, market: record.market });
  const stopped = await rt.setState(deployId, ['preparing', 'awaiting-approval', 'queued'], 'cancelled', { reason: `cancelled by ${displayUser(people, user)}`, cancelRequested: { by: user, at } }, user);
  if (stopped) {
    for (const phase of ['prepare', 'run', 'expire']) await rt.queue.remove(`${deployId}.${phase}`).catch(() => undefined);
    await ctx.replyPrivately(`${deployId} is cancelled; nothing was changed on any host.`);
    return;
  }
  await rt.records.update(deployId, (r) => (r.state === 'running' && !r.cancelRequested ? { ...r, cancelRequested: { by: user, at } } : undefined));
  await rt.notify(deployId, { type: 'job.note', text: `cancel requested by ${displayUser(people, user)}: stopping at the next safe point` });
  await ctx.replyPrivately(`${deployId} will stop at the next safe point (between steps and hosts; a switch in progress is finished, never interrupted).`);
}
