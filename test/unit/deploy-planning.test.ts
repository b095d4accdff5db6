import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideSwitch } from '../../src/domain/decide-switch.ts';
import { deployOutcome, type DeployResult, type HostResult, SWITCH_STEPS } from '../../src/deploy/deploy-result.ts';
import { planPrune } from '../../src/domain/plan-prune.ts';
import { planRetry } from '../../src/domain/plan-retry.ts';
import { agreeOnRollbackTarget, previousReleaseOnDisk } from '../../src/domain/plan-rollback.ts';
import { compareReleaseIds } from '../../src/domain/release-id.ts';

const id = (n: number) => `v${n}-202611210930${String(n).padStart(2, '0')}-abcdef${n % 10}`;

describe('planPrune', () => {
  it('when there are more releases than keepReleases, then the oldest go and the current stays', () => {
    const entries = [id(1), id(2), id(3), id(4), 'shared', '.incoming'];
    expect(planPrune(entries, 2, [id(4), id(3)])).toEqual([id(1), id(2)]);
  });

  it('when the current release is old (after a rollback), then it and the rollback target are kept before newer ones', () => {
    expect(planPrune([id(1), id(2), id(3), id(4), id(5)], 2, [id(3), id(2)])).toEqual([id(1), id(4), id(5)]);
  });

  it('for any entries, then protected releases and non-releases survive and at most max(keep, protected) releases remain', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 15 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 2 }), (ns, keep, protectNs) => {
        const entries = [...ns.map(id), 'shared', 'packages'];
        const protect = protectNs.map(id);
        const removed = planPrune(entries, keep, protect);
        const releases = ns.map(id);
        const protectedPresent = new Set(protect.filter((p) => releases.includes(p)));
        for (const p of protectedPresent) expect(removed).not.toContain(p);
        expect(removed).not.toContain('shared');
        const remaining = releases.filter((r) => !removed.includes(r));
        expect(remaining.length).toBe(Math.min(releases.length, Math.max(keep, protectedPresent.size)));
        // the unprotected survivors are the newest unprotected ones
        const unprotected = releases.filter((r) => !protectedPresent.has(r)).sort(compareReleaseIds);
        const survivors = remaining.filter((r) => !protectedPresent.has(r));
        expect(survivors.sort(compareReleaseIds)).toEqual(unprotected.slice(unprotected.length - survivors.length));
      }),
    );
  });
});

describe('decideSwitch (the two-phase gate)', () => {
  it('when every host is ready, then all switch', () => {
    expect(decideSwitch([{ host: 'a', ok: true }, { host: 'b', ok: true }], 0)).toEqual({ go: true, hosts: ['a', 'b'], failed: [] });
  });

  it('when failures exceed maxFailedHosts, then nothing switches and the hosts are named', () => {
    const decision = decideSwitch([{ host: 'a', ok: true }, { host: 'b', ok: false }], 0);
    expect(decision.go).toBe(false);
    expect(!decision.go && decision.reason).toContain('(b)');
  });

  it('when failures are within maxFailedHosts, then the ready hosts switch', () => {
    expect(decideSwitch([{ host: 'a', ok: true }, { host: 'b', ok: false }, { host: 'c', ok: true }], 1)).toEqual({ go: true, hosts: ['a', 'c'], failed: ['b'] });
  });

  it('when no host is ready, then nothing switches even with a generous limit', () => {
    expect(decideSwitch([{ host: 'a', ok: false }], 5).go).toBe(false);
  });
});

function host(name: string, outcome: HostResult['outcome'], steps: HostResult['steps']): HostResult {
  return { host: name, outcome, steps };
}

function previous(hosts: HostResult[]): DeployResult {
  return {
    deployId: 'd-20261121-0001', kind: 'deploy', project: 'p', market: 'm', location: 'main', release: 'production', version: 'v1',
    outcome: 'partial', releaseId: id(1), commit: 'a'.repeat(40), bytesUploaded: 0, hosts, steps: [], switchedHosts: [], failedHosts: [],
    startedAt: '', finishedAt: '', durationMs: 0,
  };
}

describe('planRetry', () => {
  it('when some hosts succeeded, then only the others run again, skipping the switch steps they finished', () => {
    const plan = planRetry(previous([
      host('a', 'success', { distribute: { status: 'done' }, beforeDeploy: { status: 'done' }, link: { status: 'done' }, afterDeploy: { status: 'done' } }),
      host('b', 'failed', { distribute: { status: 'failed' } }),
      host('c', 'failed', { distribute: { status: 'done' }, beforeDeploy: { status: 'done' }, link: { status: 'done' }, afterDeploy: { status: 'failed' } }),
      host('d', 'not-switched', { distribute: { status: 'done' } }),
    ]), SWITCH_STEPS);
    expect(plan).toEqual({ hosts: ['b', 'c', 'd'], doneSteps: { c: ['beforeDeploy', 'link'] }, finished: ['a'] });
  });
});

describe('rollback target', () => {
  it('when no target is named, then it is the newest release older than the current one', () => {
    expect(previousReleaseOnDisk([id(1), id(2), id(3), 'shared'], id(3))).toBe(id(2));
    expect(previousReleaseOnDisk([id(1), id(2), id(3)], id(2))).toBe(id(1));
    expect(previousReleaseOnDisk([id(1)], id(1))).toBeUndefined();
  });

  it('when hosts disagree, then no target is chosen and each host is listed', () => {
    const choice = agreeOnRollbackTarget(new Map([['a', id(1)], ['b', id(2)]]));
    expect(choice.ok).toBe(false);
    expect(!choice.ok && choice.reason).toContain(`a: ${id(1)}`);
    expect(agreeOnRollbackTarget(new Map([['a', id(1)], ['b', id(1)]]))).toEqual({ ok: true, releaseId: id(1) });
  });
});

describe('deployOutcome', () => {
  const switched = host('a', 'success', { link: { status: 'done' } });
  const failed = host('b', 'failed', { distribute: { status: 'failed' } });
  it('when all switched then success, some then partial, none then failed or cancelled', () => {
    expect(deployOutcome([switched])).toBe('success');
    expect(deployOutcome([switched, failed])).toBe('partial');
    expect(deployOutcome([failed])).toBe('failed');
    expect(deployOutcome([host('b', 'not-switched', {})], { cancelled: true })).toBe('cancelled');
    expect(deployOutcome([switched], { error: true })).toBe('partial');
  });
});
