// Properties of the pure planning rules in src/domain: the two-phase gate, retry, rollback
// target and the queue order of deploys to one location.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SWITCH_STEPS } from '../../src/deploy/deploy-result.ts';
import { decideSwitch } from '../../src/domain/decide-switch.ts';
import type { DeployState } from '../../src/domain/deploy-record.ts';
import { planRetry } from '../../src/domain/plan-retry.ts';
import { agreeOnRollbackTarget, previousReleaseOnDisk } from '../../src/domain/plan-rollback.ts';
import { earliestAhead, holderAhead, type QueuedDeploy, requestedBefore } from '../../src/domain/queue-order.ts';
import { compareReleaseIds } from '../../src/domain/release-id.ts';

const id = (n: number) => `v${n}-202611210930${String(n).padStart(2, '0')}-abcdef${n % 10}`;
const hostName = fc.integer({ min: 1, max: 12 }).map((n) => `h${n}`);

describe('decideSwitch (properties)', () => {
  const tallies = fc.uniqueArray(hostName, { maxLength: 10 }).chain((hosts) => fc.tuple(...hosts.map((host) => fc.boolean().map((ok) => ({ host, ok })))));

  it('for any tally, then ready and failed hosts split it in order, and the switch goes iff some host is ready and failures are within the limit', () => {
    fc.assert(
      fc.property(tallies, fc.integer({ min: 0, max: 10 }), (tally, max) => {
        const decision = decideSwitch(tally, max);
        const ready = tally.filter((t) => t.ok).map((t) => t.host);
        const failed = tally.filter((t) => !t.ok).map((t) => t.host);
        expect(decision.failed).toEqual(failed);
        expect(decision.go).toBe(ready.length > 0 && failed.length <= max);
        if (decision.go) expect(decision.hosts).toEqual(ready);
        else {
          expect(decision.hosts).toEqual([]);
          for (const host of failed) expect(decision.reason).toContain(host);
        }
      }),
    );
  });
});

describe('planRetry (properties)', () => {
  const status = fc.constantFrom('done', 'failed', 'skipped');
  const stepsArb = fc.record({ distribute: status, beforeDeploy: status, link: status, afterDeploy: status, prune: status }, { requiredKeys: [] }).map((steps) =>
    Object.fromEntries(Object.entries(steps).map(([step, s]) => [step, { status: s }])),
  );
  const previous = fc.uniqueArray(hostName, { maxLength: 8 }).chain((hosts) =>
    fc.tuple(...hosts.map((host) => fc.record({ host: fc.constant(host), outcome: fc.constantFrom('success', 'failed', 'not-switched'), steps: stepsArb }))),
  );

  it('for any previous result, then succeeded hosts are left as they were, every other host runs again in order, skipping only the switch steps it finished', () => {
    fc.assert(
      fc.property(previous, (hosts) => {
        const plan = planRetry({ hosts }, SWITCH_STEPS);
        expect(plan.finished).toEqual(hosts.filter((h) => h.outcome === 'success').map((h) => h.host));
        expect(plan.hosts).toEqual(hosts.filter((h) => h.outcome !== 'success').map((h) => h.host));
        for (const h of hosts) {
          const done = SWITCH_STEPS.filter((step) => (h.steps as Record<string, { status: string } | undefined>)[step]?.status === 'done');
          expect(plan.doneSteps[h.host]).toEqual(h.outcome !== 'success' && done.length > 0 ? done : undefined);
        }
      }),
    );
  });
});

describe('rollback target (properties)', () => {
  const entries = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }).map((ns) => [...ns.map(id), 'shared', '.incoming']);

  it('for any release directories, then the default target is the newest release older than the current one, and there is none only when no older release is there', () => {
    fc.assert(
      fc.property(entries, fc.integer({ min: 1, max: 40 }), (dirs, currentN) => {
        const current = id(currentN);
        const target = previousReleaseOnDisk(dirs, current);
        const older = dirs.filter((d) => d.startsWith('v') && compareReleaseIds(d, current) < 0);
        if (older.length === 0) expect(target).toBeUndefined();
        else {
          expect(older).toContain(target);
          for (const d of older) expect(compareReleaseIds(d, target!)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it('for any hosts\' candidates, then one target is chosen iff every host has the same candidate, and a refusal names the hosts without one', () => {
    const candidates = fc.uniqueArray(hostName, { minLength: 1, maxLength: 6 }).chain((hosts) =>
      fc.tuple(...hosts.map((host) => fc.option(fc.integer({ min: 1, max: 3 }).map(id), { nil: undefined }).map((c) => [host, c] as const))),
    );
    fc.assert(
      fc.property(candidates, (pairs) => {
        const choice = agreeOnRollbackTarget(new Map(pairs));
        const values = pairs.map(([, c]) => c);
        const agreed = values.every((c) => c !== undefined && c === values[0]);
        expect(choice.ok).toBe(agreed);
        if (choice.ok) expect(choice.releaseId).toBe(values[0]);
        else for (const [host, c] of pairs) if (c === undefined) expect(choice.reason).toContain(host);
      }),
    );
  });
});

describe('queue order (properties)', () => {
  const STATES: DeployState[] = ['preparing', 'awaiting-approval', 'queued', 'running', 'success', 'partial', 'failed', 'cancelled', 'rejected', 'expired', 'refused'];
  const ACTIVE = new Set<DeployState>(['preparing', 'queued', 'running']);
  const deploys = (states: fc.Arbitrary<DeployState>) =>
    fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 10 }).chain((ns) =>
      fc.tuple(
        ...ns.map((n) =>
          fc.record({
            id: fc.constant(`D${n}`),
            location: fc.constantFrom('main', 'second'),
            state: states,
            // few distinct times, so ties (broken by id) are common
            createdAt: fc.integer({ min: 0, max: 3 }).map((m) => `2026-12-01T10:0${m}:00.000Z`),
          }),
        ),
      ),
    );

  it('for any deploys, then request order is a strict total order (ties in time broken by id)', () => {
    fc.assert(
      fc.property(deploys(fc.constantFrom(...STATES)), (all: QueuedDeploy[]) => {
        for (const a of all) {
          expect(requestedBefore(a, a)).toBe(false);
          for (const b of all) {
            if (a !== b) expect(requestedBefore(a, b)).toBe(!requestedBefore(b, a));
            for (const c of all) if (requestedBefore(a, b) && requestedBefore(b, c)) expect(requestedBefore(a, c)).toBe(true);
          }
        }
      }),
    );
  });

  it('for any deploys, then the one a deploy waits behind is the earliest requested before it that is still active at its location, whatever order they are listed in', () => {
    fc.assert(
      fc.property(deploys(fc.constantFrom(...STATES)).chain((all) => fc.tuple(fc.constant(all), fc.shuffledSubarray(all, { minLength: all.length }))), fc.nat(), ([all, shuffled], pick) => {
        const deploy = all[pick % all.length]!;
        const ahead = earliestAhead(deploy, all);
        const candidates = all.filter((r) => r.id !== deploy.id && r.location === deploy.location && ACTIVE.has(r.state) && requestedBefore(r, deploy));
        if (candidates.length === 0) expect(ahead).toBeUndefined();
        else {
          const found = candidates.find((r) => r.id === ahead);
          expect(found).toBeDefined();
          for (const r of candidates) expect(requestedBefore(r, found!)).toBe(false);
        }
        expect(earliestAhead(deploy, shuffled)).toBe(ahead);
      }),
    );
  });

  it('for any active deploys to one location, then exactly the earliest requested runs and each other waits behind one requested before it', () => {
    fc.assert(
      fc.property(deploys(fc.constantFrom<DeployState>('preparing', 'queued', 'running')), (all: QueuedDeploy[]) => {
        const one = all.map((d) => ({ ...d, location: 'main' }));
        const free = one.filter((d) => earliestAhead(d, one) === undefined);
        expect(free).toHaveLength(1);
        for (const d of one) expect(requestedBefore(d, free[0]!)).toBe(false);
        for (const d of one) {
          const ahead = earliestAhead(d, one);
          if (ahead) expect(requestedBefore(one.find((r) => r.id === ahead)!, d)).toBe(true);
        }
      }),
    );
  });

  it('for any lease holder, then a deploy waits behind it only when it is another deploy', () => {
    fc.assert(
      fc.property(fc.option(fc.constantFrom('D1', 'D2'), { nil: undefined }), (holder) => {
        const deploy: QueuedDeploy = { id: 'D1', location: 'main', state: 'queued', createdAt: '2026-12-01T10:00:00.000Z' };
        expect(holderAhead(deploy, holder)).toBe(holder === 'D2' ? 'D2' : undefined);
      }),
    );
  });
});
