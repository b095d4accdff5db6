// Who may decide a deploy's approval, and when (docs/configuration.md#approvers): only while
// it awaits approval and no decision was made, only configured approvers, never the
// requester's person from any platform, and each approver once.
import { type ApproverPolicy, approversBesides, displayApprover, judgeDecision } from './approval-rule.ts';
import type { DeployRecord } from './deploy-record.ts';
import { displayUser, type People } from './people.ts';

/** Why `user` may not approve or reject `r` now (told to them privately); undefined: their decision counts. */
export function whyNotDecide(r: DeployRecord, user: string, people: People): string | undefined {
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
