// A deploy's view folded a few notices at a time (as the notifier reads them) is the view of all
// of them folded at once, and a view handed out never changes when more notices are folded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import { foldNotices, newDeployFold, reduceNotices, viewOfFold } from '../../src/notify/deploy-view.ts';
import type { People } from '../../src/domain/people.ts';
import { approvedSuccessfulDeploy, grayWarning, NoticeScript, partialDeploy, spanReport } from '../fixtures/notices.ts';

const hosts = Array.from({ length: 6 }, (_, i) => `br-${i + 1}`);
const people: People = { bob: { slack: 'U0BOB' }, alice: { slack: 'U0ALICE' } };

function rollout(): DeployNotice[] {
  const base = new NoticeScript({ hosts }).accepted().state('running').started().resolveAndBuild(true).notices;
  const { deployId, at } = base[0]!;
  const n = (body: Record<string, unknown>) => ({ deployId, at, ...body }) as unknown as DeployNotice;
  return [
    ...base,
    n({ type: 'wave.started', wave: 1, waves: 2, hosts: ['br-1'] }),
    n({ type: 'health.passed', wave: 1, host: 'br-1' }),
    n({ type: 'wave.baking', wave: 1, bakeMs: 60_000, remainingMs: 20_000, healthy: 1, switched: 1 }),
    n({ type: 'wave.finished', wave: 1 }),
    n({ type: 'wave.started', wave: 2, waves: 2, hosts: hosts.slice(1) }),
    n({ type: 'health.failed', wave: 2, host: 'br-3', check: 'http', outputTail: ['503'] }),
    n({ type: 'rollout.failed', wave: 2, waves: 2, reason: '1 unhealthy host' }),
    n({ type: 'host.rolled-back', host: 'br-1', ok: true }),
  ];
}

const scripts: Record<string, () => DeployNotice[]> = {
  'approved success': () => approvedSuccessfulDeploy().notices,
  partial: () => partialDeploy().warning(grayWarning()).sizeSpans(spanReport()).note('a note').notices,
  rejected: () => new NoticeScript().accepted().resolveAndBuild().awaitApproval().decide('rejected', 'bob', 'not today').state('rejected').notices,
  'failed hosts': () => new NoticeScript({ hosts }).accepted().state('running').started().resolveAndBuild()
    .runHosts(Object.fromEntries(hosts.slice(0, 4).map((h) => [h, { step: 'distribute' as const, message: `${h}: disk full` }]))).finished().ended().notices,
  rollout,
};

/** Cut points: where the notice list is split into the reads the notifier makes. */
const cuts = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 8 }).map((c) => [...c].sort((a, b) => a - b));

describe('folding a deploy a few notices at a time', () => {
  for (const [name, script] of Object.entries(scripts)) {
    it(`(${name}) every view along the way is the view of all notices so far, and none changes afterwards`, () => {
      const notices = script();
      fc.assert(fc.property(cuts(notices.length), fc.boolean(), (points, withPeople) => {
        const who = withPeople ? people : {};
        const now = new Date(Date.parse(notices.at(-1)!.at) + 60_000);
        const fold = newDeployFold();
        const seen: { view: unknown; expected: unknown }[] = [];
        let from = 0;
        for (const to of [...points, notices.length]) {
          foldNotices(fold, notices.slice(from, to));
          from = to;
          const view = viewOfFold(fold, who, now);
          const expected = reduceNotices(notices.slice(0, to), who, now);
          expect(view).toEqual(expected);
          // viewing twice gives the same view: finishing a view does not change the fold
          expect(viewOfFold(fold, who, now)).toEqual(expected);
          seen.push({ view, expected: structuredClone(expected) });
        }
        expect(fold.count).toBe(notices.length);
        for (const { view, expected } of seen) expect(view).toEqual(expected);
      }), { numRuns: 60 });
    });
  }

  it('holds one entry per host however many notices a host sends', () => {
    const script = new NoticeScript({ hosts: ['br-1', 'br-2'] }).accepted().state('running').started().step('distribute');
    for (let i = 1; i <= 500; i += 1) script.bytes('br-1', i * 1000, 500_000).bytes('br-2', i * 1000, 500_000);
    const fold = newDeployFold();
    foldNotices(fold, script.notices);
    expect(fold.count).toBe(script.notices.length);
    expect(fold.bytes.size).toBe(2);
    expect(viewOfFold(fold).bytes).toEqual({ sent: 1_000_000, total: 1_000_000 });
  });
});
