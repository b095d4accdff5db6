// `approve <id>` / `reject <id> [reason]` and the card's buttons (SPEC §7): only configured
// approvers, never the requester's person from any platform (docs/configuration.md#approvers);
// anyone else is answered privately and nothing changes;
// the first valid decision wins (compare-and-set on the record); later ones are told who
// decided.
import type { CommandContext } from '../core/command-router.ts';
import { RefusedError } from '../core/errors.ts';
import { isPastExpiry } from '../domain/approval-expiry.ts';
import { type ApproverPolicy, approversBesides, displayApprover, judgeDecision } from '../domain/approval-rule.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { displayUser, type People } from '../domain/people.ts';
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
    refusal = whyNot(r, user, rt.config.people);
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

function whyNot(r: DeployRecord, user: string, people: People): string | undefined {
  const approval = r.approval;
  if (!approval) return `${r.id} does not need an approval.`;
  if (approval.decision) return `${r.id} was already ${approval.decision.decision} by ${displayUser(people, approval.decision.by)} at ${approval.decision.at}.`;
  if (r.state === 'expired') return `${r.id} expired at ${approval.expiresAt} without a decision; request it again.`;
  if (r.state !== 'awaiting-approval') return `${r.id} is ${r.state}, not awaiting approval.`;
  const policy: ApproverPolicy = { approvers: approval.approvers, people };
  const names = (entries: readonly string[]) => entries.map((entry) => displayApprover(people, entry)).join(', ');
  switch (judgeDecision(policy, { requestedBy: r.requestedBy, decider: user, approvedBy: approval.approvedBy })) {
    case 'requester':
      return `You requested ${r.id}; an approver other than the requester must decide (${names(approversBesides(policy, r.requestedBy).map((e) => e.entry)) || 'no other approver is configured'}).`;
    case 'not-approver':
      return `Only ${names(approval.approvers)} may decide ${r.id}; nothing changed.`;
    case 'already-approved':
      return `You already approved ${r.id}; it needs another approver.`;
    case 'counts':
      return undefined;
  }
}

/** The delayed expiry job: an undecided approval expires and the deploy is cancelled (SPEC §7). */
export async function expireApproval(rt: JobRuntime, deployId: string): Promise<void> {
  const record = await rt.records.get(deployId);
  if (!record || record.state !== 'awaiting-approval') return;
  await rt.setState(deployId, ['awaiting-approval'], 'expired', { reason: `no decision by ${record.approval?.expiresAt}; the deploy is cancelled` });
}
