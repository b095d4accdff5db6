// What becomes of a deploy no worker carries (src/domain/stuck-deploy.ts), property-tested:
// a deploy with a live job or lease, or in a state no worker carries, is never acted on; a
// carried deploy is acted on only after the grace period since its first sighting; the
// action resumes its own phase, or fails it with a reason when resuming cannot be right.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeployState } from '../../src/domain/deploy-record.ts';
import { CARRIED_STATES, type StuckFacts, stuckDeployAction } from '../../src/domain/stuck-deploy.ts';

const STATES: DeployState[] = ['preparing', 'awaiting-approval', 'queued', 'running', 'success', 'partial', 'failed', 'cancelled', 'rejected', 'expired', 'refused'];

const factsArb: fc.Arbitrary<StuckFacts> = fc.record({
  state: fc.constantFrom(...STATES),
  jobAlive: fc.boolean(),
  leaseHeld: fc.boolean(),
  unattendedSince: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
  now: fc.integer({ min: 0, max: 2_000_000 }),
  graceMs: fc.integer({ min: 1, max: 600_000 }),
  resumes: fc.integer({ min: 0, max: 10 }),
  maxResumes: fc.integer({ min: 0, max: 10 }),
  configured: fc.boolean(),
});

describe('stuckDeployAction', () => {
  it('when a deploy has a live job or lease, or is not carried by a worker, then nothing is done to it (a sighting is forgotten)', () => {
    fc.assert(fc.property(factsArb, (facts) => {
      const action = stuckDeployAction(facts);
      if (facts.jobAlive || facts.leaseHeld || !CARRIED_STATES.has(facts.state)) {
        expect(action.kind).toBe(facts.unattendedSince === undefined ? 'none' : 'clear');
      }
    }));
  });

  it('when a carried deploy has neither job nor lease, then it is watched first and acted on only once the grace period since the sighting passed', () => {
    fc.assert(fc.property(factsArb, fc.constantFrom<DeployState>('preparing', 'queued', 'running'), (facts, state) => {
      const unattended = { ...facts, jobAlive: false, leaseHeld: false, state };
      const action = stuckDeployAction(unattended);
      if (unattended.unattendedSince === undefined) return void expect(action.kind).toBe('watch');
      const due = unattended.now - unattended.unattendedSince >= unattended.graceMs;
      expect(action.kind === 'resume' || action.kind === 'fail').toBe(due);
    }));
  });

  it('when it is acted on, then it is resumed in its own phase, or failed with a reason when unconfigured or resumed too often', () => {
    fc.assert(fc.property(factsArb, fc.constantFrom<DeployState>('preparing', 'queued', 'running'), (facts, state) => {
      const due = { ...facts, state, jobAlive: false, leaseHeld: false, unattendedSince: facts.now - facts.graceMs };
      const action = stuckDeployAction(due);
      if (!due.configured || due.resumes >= due.maxResumes) {
        expect(action.kind).toBe('fail');
        if (action.kind === 'fail') expect(action.reason).toMatch(/no worker had it for \d+ s/);
      } else {
        expect(action).toEqual({ kind: 'resume', phase: state === 'preparing' ? 'prepare' : 'run' });
      }
    }));
  });
});
