// Who may lift a human lock (docs/operations.md "Human locks"): the person who set it, from any of
// their platforms, or an approver of the market. Nobody else — not even in a market without
// approvers, where only the locker may (or the lock's `--for` runs out). Pure.
import { type ApproverPolicy, isApprover, isSameParty } from './approval-rule.ts';

export interface UnlockInput {
  /** The market's approver entries; empty where the market has no approval. */
  approvers: ApproverPolicy['approvers'];
  people: ApproverPolicy['people'];
  lockedBy: string;
  user: string;
}

export function mayUnlock(input: UnlockInput): boolean {
  const policy = { approvers: input.approvers, people: input.people };
  return isSameParty(policy, input.lockedBy, input.user) || (input.approvers.length > 0 && isApprover(policy, input.user));
}
