// A card cannot be decided after its `expiresAt`, whatever any timer did
// (docs/operations.md "What an approval covers"). Pure.
import type { ApprovalState } from './deploy-record.ts';

/** Whether `at` is after the card's expiry (at the expiry instant itself it may still be decided). */
export function isPastExpiry(approval: Pick<ApprovalState, 'expiresAt'>, at: string | Date): boolean {
  const when = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return when > Date.parse(approval.expiresAt);
}

/** An approval whose deciding click came after the card expired (a record from before this rule, or a clock gone wrong): it never runs. */
export function approvedAfterExpiry(approval: ApprovalState | undefined): boolean {
  const decision = approval?.decision;
  return decision?.decision === 'approved' && isPastExpiry(approval!, decision.at);
}
