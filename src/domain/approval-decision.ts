// Who may decide an approval, and what a decision does (SPEC §7). Pure.

export interface ApprovalPolicy {
  approvers: readonly string[];
  required: number;
}

export interface ApprovalDecisionRecord {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  reason?: string;
}

export type DecisionCheck =
  | { ok: true }
  | { ok: false; code: 'requester_cannot_decide' | 'not_an_approver' | 'already_decided' | 'not_awaiting'; message: string };

/**
 * Checks that `user` may decide the approval of a deploy requested by `requester`.
 * Fails closed: no approvers configured means nobody may approve.
 */
export function checkDecider(input: {
  policy: ApprovalPolicy;
  requester: string;
  user: string;
  deployId: string;
  state: string;
  decided?: ApprovalDecisionRecord;
}): DecisionCheck {
  const { policy, requester, user, deployId, decided } = input;
  if (decided) {
    return { ok: false, code: 'already_decided', message: `${deployId} was already ${decided.decision} by ${decided.by}.` };
  }
  if (input.state !== 'awaiting-approval') {
    return { ok: false, code: 'not_awaiting', message: `${deployId} is not awaiting approval (it is ${input.state}).` };
  }
  if (user === requester) {
    return { ok: false, code: 'requester_cannot_decide', message: `You requested ${deployId}; another approver (${policy.approvers.filter((a) => a !== user).join(', ') || 'none configured'}) must decide.` };
  }
  if (!policy.approvers.includes(user)) {
    return { ok: false, code: 'not_an_approver', message: `Only ${policy.approvers.join(', ')} may decide ${deployId}; nothing changed.` };
  }
  return { ok: true };
}
