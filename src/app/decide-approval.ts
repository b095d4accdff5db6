// `approve <id>` / `reject <id> [reason]` and the card's buttons (docs/reference/approval-and-policy.md): only configured
// approvers, never the requester's person from any platform (docs/configuration.md#approvers);
// anyone else is answered privately and nothing changes;
// the first valid decision wins (compare-and-set on the record); later ones are told who
// decided.
import type { CommandContext } from '../core/command-router.ts';
import { RefusedError } from '../core/errors.ts';
import { isPastExpiry } from '../domain/approval-expiry.ts';
import { whyNotDecide } from '../domain/decision-refusal.ts';
import { displayUser } from '../domain/people.ts';
import type { JobRuntime } from './job-runtime.ts';

export async function decideApproval(rt: JobRuntime, input: { deployId: string; decision: 'approved' | 'rejected'; reason?: string }, ctx: CommandContext): Promise<void> {
  const user = ctx.user.id;
  const at = rt.now().toISOString();
  let refusal: string | undefined;
  let approvedNow = false;
  let expiredNow = false;
  const { record, changed } = await rt.records.update(input.deployId, (r) => {
    // past expiresAt the card is expired, even when no expiry job ran (no worker was up)
    if (r.state === 'awaiting-approval' && r.approval && isPastExpiry(r.approval, at)) {
      expiredNow = true;
      refusal = `${r.id} expired at ${r.approval.expiresAt} without a decision; request it again.`;
      return { ...r, state: 'expired', reason: `no decision by ${r.approval.expiresAt}; the deploy is cancelled` };
    }
    refusal = whyNotDecide(r, user, rt.config.people);
    if (refusal) return undefined;
    const approval = r.approval!;
    if (input.decision === 'rejected') {
      return { ...r, state: 'rejected', reason: `rejected by ${displayUser(rt.config.people, user)}${input.reason ? `: ${input.reason}` : ''}`, approval: { ...approval, decision: { decision: 'rejected', by: user, at, ...(input.reason ? { reason: input.reason } : {}) } } };
    }
    const approvedBy = [...approval.approvedBy, user];
    if (approvedBy.length < approval.required) return { ...r, approval: { ...approval, approvedBy } };
    approvedNow = true;
    return { ...r, state: 'queued', approval: { ...approval, approvedBy, decision: { decision: 'approved', by: user, at } } };
  });
  await rt.audit.append({ at, user, action: input.decision === 'approved' ? 'approve' : 'reject', deployId: input.deployId, project: record.project, market: record.market, detail: refusal ? `refused: ${refusal}` : (input.reason ?? '') });
  if (expiredNow) {
    await rt.queue.remove(`${record.id}.expire`).catch(() => undefined);
    await rt.notify(record.id, { type: 'job.state', state: record.state, ...(record.reason ? { reason: record.reason } : {}), record });
    throw new RefusedError('approval_expired', refusal!);
  }
  if (!changed) throw new RefusedError('approval_refused', refusal ?? `${input.deployId}: nothing changed.`);

  if (record.approval?.decision) {
    await rt.notify(record.id, { type: 'job.approval-decided', decision: record.approval.decision, record });
    await rt.notify(record.id, { type: 'job.state', state: record.state, ...(record.reason ? { reason: record.reason } : {}), record });
  }
  if (approvedNow) {
    await rt.queue.remove(`${record.id}.expire`).catch(() => undefined);
    await rt.enqueue('run', record.id);
    await ctx.replyPrivately(`You approved ${record.id}; it is queued to run.`);
  } else if (input.decision === 'rejected') {
    await rt.queue.remove(`${record.id}.expire`).catch(() => undefined);
    await ctx.replyPrivately(`You rejected ${record.id}; nothing will be deployed.`);
  } else {
    await ctx.replyPrivately(`You approved ${record.id}; it needs ${record.approval!.required - record.approval!.approvedBy.length} more approval(s).`);
  }
}

/** The delayed expiry job: an undecided approval expires and the deploy is cancelled (docs/reference/approval-and-policy.md). */
export async function expireApproval(rt: JobRuntime, deployId: string): Promise<void> {
  const record = await rt.records.get(deployId);
  if (!record || record.state !== 'awaiting-approval') return;
  await rt.setState(deployId, ['awaiting-approval'], 'expired', { reason: `no decision by ${record.approval?.expiresAt}; the deploy is cancelled` });
}
