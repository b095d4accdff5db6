// Who may decide an approval (docs/configuration.md#approvers), as pure functions: the one
// source of truth for "is an approver of this market" wherever it is asked (approve/reject,
// cancel, the card's "nobody can approve", `config check`).
//
// An approver entry is a person's name, a qualified id (`slack:U01BOB`) or a bare id
// (`U01BOB`, which matches that id on every platform). Every user id belongs to a *party*:
// the person `people` knows it as, else the bare entry it matches (that person if one has
// the id, else the bare id itself), else the qualified id alone. A decision counts only when
// the decider matches an entry and is not of the requester's party; a party approves once.
import { claimantOf, isPersonName, type People, personOf } from './people.ts';
import { nativeIdOf, parseUserId, type UserId } from './user-id.ts';

export type ApproverEntry =
  | { kind: 'person'; entry: string; person: string }
  | { kind: 'qualified'; entry: string; id: UserId }
  | { kind: 'bare'; entry: string; id: string };

export interface ApproverPolicy {
  /** The entries as configured (names, qualified ids, bare ids). */
  approvers: readonly string[];
  people: People;
}

export type DecisionStanding = 'counts' | 'requester' | 'not-approver' | 'already-approved';

/** What an entry names: a person (when `people` has that name), a qualified id, or a bare id. */
export function parseApproverEntry(people: People, entry: string): ApproverEntry {
  if (isPersonName(people, entry)) return { kind: 'person', entry, person: entry };
  const qualified = parseUserId(entry);
  if (qualified) return { kind: 'qualified', entry, id: `${qualified.platform}:${qualified.nativeId}` };
  return { kind: 'bare', entry, id: entry };
}

export function matchesApprover(people: People, entry: ApproverEntry, id: string): boolean {
  switch (entry.kind) {
    case 'person':
      return personOf(people, id) === entry.person;
    case 'qualified':
      return id === entry.id;
    case 'bare':
      return nativeIdOf(id) === entry.id;
  }
}

/** Whether `id` is one of the approvers (whoever requested the deploy). */
export function isApprover(policy: ApproverPolicy, id: string): boolean {
  return entriesOf(policy).some((entry) => matchesApprover(policy.people, entry, id));
}

/** The party a user id belongs to (see the top of this file). */
export function partyOf(policy: ApproverPolicy, id: string): string {
  const person = personOf(policy.people, id);
  if (person !== undefined) return `person:${person}`;
  const native = nativeIdOf(id);
  const bare = parseUserId(id) === undefined || entriesOf(policy).some((entry) => entry.kind === 'bare' && entry.id === native);
  return bare ? bareParty(policy.people, native) : id;
}

/** Same party; an id stored bare (a record from before ids were qualified) is also the same native id on any platform. */
export function isSameParty(policy: ApproverPolicy, a: string, b: string): boolean {
  if (partyOf(policy, a) === partyOf(policy, b)) return true;
  const legacy = parseUserId(a) === undefined || parseUserId(b) === undefined;
  return legacy && nativeIdOf(a) === nativeIdOf(b);
}

/** Whether a decision by `decider` counts on a deploy requested by `requestedBy`, and if not, why. */
export function judgeDecision(policy: ApproverPolicy, input: { requestedBy: string; decider: string; approvedBy: readonly string[] }): DecisionStanding {
  if (isSameParty(policy, input.requestedBy, input.decider)) return 'requester';
  if (!isApprover(policy, input.decider)) return 'not-approver';
  if (input.approvedBy.some((earlier) => isSameParty(policy, earlier, input.decider))) return 'already-approved';
  return 'counts';
}

/** The party an entry stands for (every id it matches belongs to it, given that no id is two people's). */
export function principalOf(policy: ApproverPolicy, entry: ApproverEntry): string {
  switch (entry.kind) {
    case 'person':
      return `person:${entry.person}`;
    case 'qualified':
      return partyOf(policy, entry.id);
    case 'bare':
      return bareParty(policy.people, entry.id);
  }
}

/** The approver entries that could decide a deploy by `requestedBy`: one per party, the requester's party left out. */
export function approversBesides(policy: ApproverPolicy, requestedBy: string): ApproverEntry[] {
  const requester = partyOf(policy, requestedBy);
  const seen = new Set<string>([requester]);
  const others: ApproverEntry[] = [];
  for (const entry of entriesOf(policy)) {
    const principal = principalOf(policy, entry);
    if (seen.has(principal)) continue;
    seen.add(principal);
    others.push(entry);
  }
  return others;
}

/** A card nobody can approve: fewer approvers besides the requester's party than `required`. */
export function nobodyCanApprove(policy: ApproverPolicy & { required: number }, requestedBy: string): boolean {
  return approversBesides(policy, requestedBy).length < policy.required;
}

/** How many distinct parties the entries stand for. */
export function distinctApproverCount(policy: ApproverPolicy): number {
  return new Set(entriesOf(policy).map((entry) => principalOf(policy, entry))).size;
}

/** How an entry is shown: a person's name, else the entry as written. */
export function displayApprover(people: People, entry: string): string {
  const parsed = parseApproverEntry(people, entry);
  return parsed.kind === 'qualified' ? personOf(people, parsed.id) ?? entry : entry;
}

function entriesOf(policy: ApproverPolicy): ApproverEntry[] {
  return policy.approvers.map((entry) => parseApproverEntry(policy.people, entry));
}

function bareParty(people: People, nativeId: string): string {
  const claimant = claimantOf(people, nativeId);
  return claimant === undefined ? `bare:${nativeId}` : `person:${claimant}`;
}
