// The approval rule (src/domain/approval-rule.ts), property-tested: over random `people`,
// approver lists and requesters, nobody of the requester's person ever counts — from any
// platform — a decision counts only from an approver, a qualified entry matches one platform
// only, and "nobody can approve" on a card is exactly when approving is impossible.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approversBesides, type ApproverPolicy, isApprover, judgeDecision, nobodyCanApprove } from '../../src/domain/approval-rule.ts';
import { type People, userIdsOf } from '../../src/domain/people.ts';
import { PLATFORMS, type Platform, qualifyUserId, type UserId } from '../../src/domain/user-id.ts';

const NAMES = ['alice', 'bob', 'carol'] as const;
const NATIVE = ['U01ALICE', 'U01BOB', '0123456', '7654321', 'alice', 'bob', 'carol', 'mallory'] as const;

/** Every qualified id the tests can try: each native id on each platform. */
const UNIVERSE: UserId[] = PLATFORMS.flatMap((platform) => NATIVE.map((id) => qualifyUserId(platform, id)));

/** People whose ids are unique across people (config check refuses an id claimed twice). */
const peopleArb: fc.Arbitrary<People> = fc
  .tuple(fc.shuffledSubarray([...NATIVE]), fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.subarray([...PLATFORMS], { minLength: 1 })), { maxLength: 4 }))
  .map(([pool, wanted]) => {
    const people: Record<string, Partial<Record<Platform, string>>> = {};
    let next = 0;
    for (const [name, platforms] of wanted) {
      if (people[name] || next >= pool.length) continue;
      const person: Partial<Record<Platform, string>> = {};
      for (const platform of platforms) if (next < pool.length) person[platform] = pool[next++]!;
      people[name] = person;
    }
    return people;
  });

const entryArb = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.constantFrom(...UNIVERSE),
  fc.constantFrom(...NATIVE),
);

const caseArb = fc.record({
  people: peopleArb,
  approvers: fc.uniqueArray(entryArb, { minLength: 1, maxLength: 5 }),
  requestedBy: fc.constantFrom(...UNIVERSE),
  required: fc.integer({ min: 1, max: 3 }),
  order: fc.shuffledSubarray(UNIVERSE, { minLength: UNIVERSE.length }),
});

/** Everyone tries to approve, in `order`; returns who counted. */
function approveInTurn(policy: ApproverPolicy, requestedBy: string, order: readonly string[]): string[] {
  const approvedBy: string[] = [];
  for (const decider of order) {
    if (judgeDecision(policy, { requestedBy, decider, approvedBy }) === 'counts') approvedBy.push(decider);
  }
  return approvedBy;
}

describe('the approval rule', () => {
  it('never counts a decision by the requester’s person, on any platform', () => {
    fc.assert(fc.property(caseArb, ({ people, approvers, requestedBy }) => {
      const policy = { approvers, people };
      const person = Object.values(people).find((p) => userIdsOf(p).includes(requestedBy as UserId));
      const selves = person ? userIdsOf(person) : [requestedBy];
      for (const self of selves) expect(judgeDecision(policy, { requestedBy, decider: self, approvedBy: [] })).toBe('requester');
    }), { numRuns: 500 });
  });

  it('counts a decision only from an approver, and one per person', () => {
    fc.assert(fc.property(caseArb, ({ people, approvers, requestedBy, order }) => {
      const policy = { approvers, people };
      const counted = approveInTurn(policy, requestedBy, order);
      for (const decider of counted) expect(isApprover(policy, decider)).toBe(true);
      const persons = counted.map((id) => Object.entries(people).find(([, p]) => userIdsOf(p).includes(id as UserId))?.[0]).filter((name) => name !== undefined);
      expect(new Set(persons).size).toBe(persons.length);
    }), { numRuns: 500 });
  });

  it('a card says nobody can approve exactly when everyone trying cannot reach `required`', () => {
    fc.assert(fc.property(caseArb, ({ people, approvers, requestedBy, required, order }) => {
      const policy = { approvers, people, required };
      const counted = approveInTurn(policy, requestedBy, order);
      expect(counted.length).toBe(approversBesides(policy, requestedBy).length);
      expect(nobodyCanApprove(policy, requestedBy)).toBe(counted.length < required);
    }), { numRuns: 500 });
  });

  it('a qualified approver matches on its platform only; a bare one on every platform', () => {
    fc.assert(fc.property(fc.constantFrom(...NATIVE), fc.constantFrom(...PLATFORMS), (id, platform) => {
      const qualified = { approvers: [qualifyUserId(platform, id)], people: {} };
      const bare = { approvers: [id], people: {} };
      for (const other of PLATFORMS) {
        const decider = qualifyUserId(other, id);
        expect(judgeDecision(qualified, { requestedBy: 'slack:U0REQUESTER', decider, approvedBy: [] })).toBe(other === platform ? 'counts' : 'not-approver');
        expect(judgeDecision(bare, { requestedBy: 'slack:U0REQUESTER', decider, approvedBy: [] })).toBe('counts');
      }
    }));
  });

  it('when approvers are [slack:U01BOB], then console U01BOB and DingTalk staff id U01BOB cannot approve', () => {
    const policy = { approvers: ['slack:U01BOB'], people: {} };
    const requestedBy = 'slack:U01ALICE';
    expect(judgeDecision(policy, { requestedBy, decider: 'console:U01BOB', approvedBy: [] })).toBe('not-approver');
    expect(judgeDecision(policy, { requestedBy, decider: 'dingtalk:U01BOB', approvedBy: [] })).toBe('not-approver');
    expect(judgeDecision(policy, { requestedBy, decider: 'slack:U01BOB', approvedBy: [] })).toBe('counts');
  });

  it('when alice (Slack and DingTalk) requests, then her DingTalk id is the requester and bob approves', () => {
    const people = { alice: { slack: 'U01ALICE', dingtalk: '0123456' }, bob: { slack: 'U01BOB' } };
    const policy = { approvers: ['alice', 'bob'], people, required: 1 };
    expect(judgeDecision(policy, { requestedBy: 'slack:U01ALICE', decider: 'dingtalk:0123456', approvedBy: [] })).toBe('requester');
    expect(judgeDecision(policy, { requestedBy: 'slack:U01ALICE', decider: 'slack:U01BOB', approvedBy: [] })).toBe('counts');
    expect(nobodyCanApprove(policy, 'slack:U01ALICE')).toBe(false);
    expect(nobodyCanApprove({ ...policy, approvers: ['alice', 'slack:U01ALICE'] }, 'dingtalk:0123456')).toBe(true);
  });

  it('a record written before ids were qualified keeps its requester out, on every platform', () => {
    const policy = { approvers: ['U01ALICE', 'U01BOB'], people: {} };
    for (const platform of PLATFORMS) {
      expect(judgeDecision(policy, { requestedBy: 'U01ALICE', decider: qualifyUserId(platform, 'U01ALICE'), approvedBy: [] })).toBe('requester');
    }
  });
});
