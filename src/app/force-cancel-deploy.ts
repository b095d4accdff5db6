// `cancel --force <id>` (docs/operations.md "Stuck deploys"): ends a deploy in any unfinished
// state at once — for the deploy whose worker is gone and whose lease still blocks its
// location, or that nothing else stops. Its jobs are removed and its leases released, so the
// next deploy of the location may run; an execution still running notices at its next safe
// point (its heartbeat finds the deploy ended) and stops without recording anything.
import type { CommandContext } from '../core/command-router.ts';
import { RefusedError } from '../core/errors.ts';
import { isTerminal } from '../domain/deploy-record.ts';
import { approverOf } from './cancel-deploy.ts';
import { displayUser } from '../domain/people.ts';
import type { JobRuntime } from './job-runtime.ts';

const UNFINISHED = ['preparing', 'awaiting-approval', 'queued', 'running', 'paused'] as const;

export async function forceCancelDeploy(rt: JobRuntime, deployId: string, ctx: CommandContext): Promise<void> {
  const user = ctx.user.id;
  const record = await rt.records.require(deployId);
  const people = rt.config.people;
  const approval = rt.config.markets[record.market]?.approval;
  if (!approverOf(rt.config, record, user)) {
    const who = approval && approval !== 'none' ? approval.approvers.map((a) => displayUser(people, a)).join(', ') : 'anyone';
    throw new RefusedError('cancel_not_allowed', `Only an approver of ${record.market} (${who}) may force-cancel ${deployId}; \`cancel ${deployId}\` stops it at the next safe point.`);
  }
  if (isTerminal(record.state)) throw new RefusedError('already_finished', `${deployId} already ended ${record.state}.`);
  const at = rt.now().toISOString();
  await rt.audit.append({ at, user, action: 'cancel --force', deployId, project: record.project, market: record.market, detail: `was ${record.state}` });
  const ended = await rt.setState(deployId, UNFINISHED, 'cancelled', { reason: `force-cancelled by ${displayUser(people, user)} while ${record.state}`, cancelRequested: { by: user, at } }, user);
  if (!ended) {
    const now = await rt.records.require(deployId);
    throw new RefusedError('already_finished', `${deployId} already ended ${now.state}.`);
  }
  for (const phase of ['prepare', 'run', 'expire']) await rt.queue.remove(`${deployId}.${phase}`).catch(() => undefined);
  await rt.locationLock.releaseDeploy(record.project, record.market, record.location, deployId);
  await rt.prepareLease.releaseDeploy(deployId);
  const hosts = record.state === 'running' || record.state === 'paused' ? ' Hosts may be part-way: `status` shows what each serves; an execution still running stops at its next safe point and records nothing.' : ' Nothing was changed on any host.';
  await ctx.replyPrivately(`${deployId} is cancelled (it was ${record.state}); ${record.project} ${record.market} ${record.location} is free.${hosts}`);
}
