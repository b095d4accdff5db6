// Who may lift a human lock (src/domain/unlock-rule.ts), property-tested over random people,
// approver lists, lockers and users: the locker's person always may, from any platform; an
// approver always may; nobody else ever may, and without approvers only the locker's person.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isApprover } from '../../src/domain/approval-rule.ts';
import { type People, personOf, userIdsOf } from '../../src/domain/people.ts';
import { mayUnlock } from '../../src/domain/unlock-rule.ts';
import { PLATFORMS, qualifyUserId, type UserId } from '../../src/domain/user-id.ts';

const NATIVE = ['U01ALICE', 'U01BOB', 'U0CAROL', '0123456', 'mallory'] as const;
const UNIVERSE: UserId[] = PLATFORMS.flatMap((platform) => NATIVE.map((id) => qualifyUserId(platform, id)));
const people: People = {
  alice: { slack: 'U01ALICE', console: 'alice' },
  bob: { slack: 'U01BOB', dingtalk: '0123456' },
  carol: { slack: 'U0CAROL', console: 'carol' },
};
const entryArb = fc.oneof(fc.constantFrom('alice', 'bob', 'carol'), fc.constantFrom(...UNIVERSE));
const caseArb = fc.record({
  approvers: fc.uniqueArray(entryArb, { maxLength: 3 }),
  lockedBy: fc.constantFrom(...UNIVERSE, 'console:alice', 'console:carol'),
  user: fc.constantFrom(...UNIVERSE, 'console:alice', 'console:carol'),
});

const samePerson = (a: string, b: string) => a === b || (personOf(people, a) !== undefined && personOf(people, a) === personOf(people, b));

describe('who may unlock', () => {
  it('the locker, from any platform of their person, always may', () => {
    fc.assert(fc.property(caseArb, ({ approvers, lockedBy }) => {
      const person = personOf(people, lockedBy);
      for (const id of person ? userIdsOf(people[person]!) : [lockedBy as UserId]) expect(mayUnlock({ approvers, people, lockedBy, user: id })).toBe(true);
    }));
  });

  it('anyone else may exactly when they are an approver of the market', () => {
    fc.assert(fc.property(caseArb, ({ approvers, lockedBy, user }) => {
      fc.pre(!samePerson(lockedBy, user));
      expect(mayUnlock({ approvers, people, lockedBy, user })).toBe(approvers.length > 0 && isApprover({ approvers, people }, user));
    }));
  });

  it('without approvers, only the locker’s person may', () => {
    fc.assert(fc.property(caseArb, ({ lockedBy, user }) => {
      expect(mayUnlock({ approvers: [], people, lockedBy, user })).toBe(samePerson(lockedBy, user));
    }));
  });
});
