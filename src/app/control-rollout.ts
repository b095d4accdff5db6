// `pause <id>`, `resume <id>`, `abort <id>` and the paused card's Resume / Roll back buttons
// (docs/commands.md; docs/configuration.md, "Health and rollout"). Pause and abort are asked of
// the running engine, which reads them between waves and between rounds of checks
// (src/deploy/steps/rollout.ts); a paused deploy holds no worker, so resume and abort queue it
// again and the engine continues from its checkpoint.
import type { CommandContext } from '../core/command-router.ts';
import { RefusedError } from '../core/errors.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { displayUser } from '../domain/people.ts';
import { approverOf, requesterOrApprover } from './cancel-deploy.ts';
import type { JobRuntime } from './job-runtime.ts';

type Control = 'pause' | 'resume' | 'abort';

export async function controlRollout(rt: JobRuntime, control: Control, deployId: string, ctx: CommandContext): Promise<void> {
  const user = ctx.user.id;
  const people = rt.config.people;
  const record = await rt.records.require(deployId);
  // Resume continues with unhealthy hosts accepted: the market's approvers decide, as they did the deploy
  const allowed = control === 'resume' ? approverOf(rt.config, record, user) : requesterOrApprover(rt.config, record, user);
  if (!allowed) {
    const who = control === 'resume' ? `an approver of ${record.market}` : `the requester (${displayUser(people, record.requestedBy)}) or an approver of ${record.market}`;
    throw new RefusedError('rollout_control_not_allowed', `Only ${who} may ${control} ${deployId}.`);
  }
  const at = rt.now().toISOString();
  const by = { by: user, at };
  await rt.audit.append({ at, user, action: control, deployId, project: record.project, market: record.market, detail: `was ${record.state}` });
  if (control === 'pause') {
    const { changed } = await rt.records.update(deployId, (r) => (r.state === 'running' && !r.pauseRequested && !r.abortRequested ? { ...r, pauseRequested: by } : undefined));
    if (!changed) throw notControllable(record, control);
    await rt.notify(deployId, { type: 'job.note', text: `pause requested by ${displayUser(people, user)}: the rollout stops after its current wave` });
    return ctx.replyPrivately(`${deployId} will pause after its current wave; \`resume ${deployId}\` continues it, \`abort ${deployId}\` switches back what it switched.`);
  }
  if (control === 'abort' && record.state === 'running') {
    const { changed } = await rt.records.update(deployId, (r) => (r.state === 'running' && !r.abortRequested ? { ...r, abortRequested: by } : undefined));
    if (!changed) throw notControllable(record, control);
    await rt.notify(deployId, { type: 'job.note', text: `abort requested by ${displayUser(people, user)}: every host this deploy switched goes back to its previous release` });
    return ctx.replyPrivately(`${deployId} is being aborted: every host it switched goes back to its previous release.`);
  }
  // paused: queue it again, to continue (resume) or to switch back (abort)
  const resumes = (record.resumes ?? 0) + (control === 'resume' ? 1 : 0);
  const queued = await rt.setState(deployId, ['paused'], 'queued', {
    resumes,
    ...(control === 'abort' ? { abortRequested: by } : {}),
    reason: `${control === 'resume' ? 'resumed' : 'aborted'} by ${displayUser(people, user)}`,
  }, user);
  if (!queued) throw notControllable(record, control);
  await rt.enqueue('run', deployId, 0, rt.queue, `${control}-${resumes}-${Date.parse(at)}`);
  await ctx.replyPrivately(control === 'resume' ? `${deployId} resumes with its next wave.` : `${deployId} is being aborted: every host it switched goes back to its previous release.`);
}

function notControllable(record: DeployRecord, control: Control): RefusedError {
  const what = control === 'pause' ? 'a running deploy' : control === 'resume' ? 'a paused deploy' : 'a running or paused deploy';
  return new RefusedError('not_rolling_out', `${record.id} is ${record.state}${record.pauseRequested && control === 'pause' ? ' (a pause is already asked)' : ''}; ${control} acts on ${what}.`);
}

/** What the engine reads of a running deploy's record (kept current by the job's heartbeat). */
export function requestedOf(record: Pick<DeployRecord, 'pauseRequested' | 'abortRequested'> | undefined): 'pause' | 'abort' | undefined {
  if (record?.abortRequested) return 'abort';
  if (record?.pauseRequested) return 'pause';
  return undefined;
}
