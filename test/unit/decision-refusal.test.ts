// Who may decide an approval, and when (src/domain/decision-refusal.ts), property-tested: a
// decision counts exactly when the deploy awaits approval, nobody decided yet, and the
// approval rule says the decider counts; every refusal says what it is about.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeDecision } from '../../src/domain/approval-rule.ts';
import { whyNotDecide } from '../../src/domain/decision-refusal.ts';
import type { DeployRecord, DeployState } from '../../src/domain/deploy-record.ts';
import { qualifyUserId } from '../../src/domain/user-id.ts';

const USERS = ['U01ALICE', 'U01BOB', 'U01CAROL', 'U01DAVE'].map((id) => qualifyUserId('slack', id));
const STATES: DeployState[] = ['preparing', 'awaiting-approval', 'queued', 'running', 'success', 'failed', 'cancelled', 'rejected', 'expired', 'refused'];

const recordArb = fc.record({
  state: fc.constantFrom(...STATES),
  requestedBy: fc.constantFrom(...USERS),
  approvers: fc.uniqueArray(fc.constantFrom(...USERS), { minLength: 1, maxLength: 4 }),
  approvedBy: fc.subarray(USERS, { maxLength: 2 }),
  decided: fc.option(fc.constantFrom('approved' as const, 'rejected' as const), { nil: undefined }),
  hasApproval: fc.boolean(),
});

interface Case {
  state: DeployState;
  requestedBy: string;
  approvers: string[];
  approvedBy: string[];
  decided: 'approved' | 'rejected' | undefined;
  hasApproval: boolean;
}

/** Only the fields the rule reads; the rest of a record does not matter to it. */
function recordOf(c: Case): DeployRecord {
  return {
    id: 'D1',
    state: c.state,
    requestedBy: c.requestedBy,
    ...(c.hasApproval
      ? {
          approval: {
            approvers: c.approvers,
            required: 2,
            approvedBy: c.approvedBy,
            expiresAt: '2026-12-01T11:00:00.000Z',
            ...(c.decided ? { decision: { decision: c.decided, by: c.approvers[0]!, at: '2026-12-01T10:30:00.000Z' } } : {}),
          },
        }
      : {}),
  } as DeployRecord;
}

describe('whyNotDecide (properties)', () => {
  it('for any deploy and decider, then the decision counts exactly when the deploy awaits approval, nobody decided, and the approval rule counts the decider', () => {
    fc.assert(
      fc.property(recordArb, fc.constantFrom(...USERS), (c, decider) => {
        const record = recordOf(c);
        const refusal = whyNotDecide(record, decider, {});
        const counts =
          c.hasApproval && !c.decided && c.state === 'awaiting-approval' && judgeDecision({ approvers: c.approvers, people: {} }, { requestedBy: c.requestedBy, decider, approvedBy: c.approvedBy }) === 'counts';
        expect(refusal === undefined).toBe(counts);
        if (refusal !== undefined) expect(refusal).toContain('D1');
      }),
    );
  });

  it('for any deploy awaiting approval, then its requester is always refused, naming the other approvers or saying there are none', () => {
    fc.assert(
      fc.property(recordArb, (c) => {
        const record = recordOf({ ...c, state: 'awaiting-approval', hasApproval: true, decided: undefined });
        const refusal = whyNotDecide(record, c.requestedBy, {});
        expect(refusal).toMatch(/^You requested D1; an approver other than the requester must decide/);
        const others = c.approvers.filter((a) => a !== c.requestedBy);
        if (others.length === 0) expect(refusal).toContain('no other approver is configured');
        else for (const other of others) expect(refusal).toContain(other);
      }),
    );
  });
});
