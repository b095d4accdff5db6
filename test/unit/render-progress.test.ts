import { describe, expect, it } from 'vitest';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { MESSAGE_CHAR_LIMIT, messageLength } from '../../src/notify/message-text.ts';
import { fitFailedHosts, progressHeader, renderProgress, stepLine } from '../../src/notify/render-progress.ts';
import { approvedSuccessfulDeploy, COMMIT, NoticeScript, partialDeploy } from '../fixtures/notices.ts';

const HEADER = 'd-20261121-0001 · deploy mala-core → brazil (production) v1.3 · abc1234 · by alice';

function all(message: { text: string; lines?: string[] }): string {
  return [message.text, ...(message.lines ?? [])].join('\n');
}

describe('renderProgress', () => {
  it('heads the message with id, command, target, version, commit and requester', () => {
    const view = reduceNotices(approvedSuccessfulDeploy().notices);
    expect(progressHeader(view)).toBe(HEADER);
    expect(renderProgress(view).text).toBe(HEADER);
  });

  it('when people knows the requester and the decider, then the header and the approve step name them; else the qualified id shows', () => {
    const people = { alice: { slack: 'U01ALICE', console: 'alice' }, bob: { slack: 'U01BOB' } };
    const script = new NoticeScript({ requestedBy: 'slack:U01ALICE' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['alice', 'bob'] }).decide('approved', 'slack:U01BOB');
    const message = renderProgress(reduceNotices(script.notices, people));
    expect(message.text).toBe('d-20261121-0001 · deploy mala-core → brazil (production) v1.3 · abc1234 · by alice');
    expect(message.lines).toContain('✅ approve · approved by bob');
    expect(renderProgress(reduceNotices(script.notices)).text).toMatch(/ · by slack:U01ALICE$/);
  });

  it('when a deploy is accepted, shows every step and that it is preparing', () => {
    const message = renderProgress(reduceNotices(new NoticeScript().accepted().notices));
    expect(message.text).toBe('d-20261121-0001 · deploy mala-core → brazil (production) v1.3 · by alice');
    expect(message.lines).toEqual(['⏳ validate', '◻️ approve', '◻️ resolve', '◻️ build', '◻️ distribute', '◻️ switch', '◻️ record', '◻️ prune', '⏳ preparing · 0s']);
    expect(message.buttons).toBeUndefined();
  });

  it('shows host counts as done/total ✓ and failed ✗, with upload progress while distributing', () => {
    expect(stepLine({ name: 'distribute', status: 'running', hosts: { done: 7, failed: 1, total: 10 } }, {})).toBe('⏳ distribute 7/10 ✓ 1 ✗');
    expect(stepLine({ name: 'distribute', status: 'running', hosts: { done: 7, failed: 0, total: 10 } }, { bytes: { sent: 12_000_000, total: 40_000_000 } }))
      .toBe('⏳ distribute 7/10 ✓ · 12.0 MB of 40.0 MB');
    expect(stepLine({ name: 'build', status: 'done', durationMs: 42_000, note: 'cached' }, {})).toBe('✅ build · 42s · cached');
    expect(stepLine({ name: 'approve', status: 'skipped', note: 'not required' }, {})).toBe('⏭️ approve — not required');
    expect(stepLine({ name: 'build', status: 'failed', note: 'npm exited 1' }, {})).toBe('❌ build — npm exited 1');
    expect(stepLine({ name: 'approve', status: 'stopped', note: 'rejected by bob' }, {})).toBe('⛔ approve — rejected by bob');
  });

  it('when the deploy succeeds, every step is ✅ and the hosts switched are counted', () => {
    const message = renderProgress(reduceNotices(approvedSuccessfulDeploy().notices));
    expect(message.lines).toEqual([
      '✅ validate',
      '✅ approve · approved by bob',
      '✅ resolve · 1s',
      '✅ build · 12s · cached',
      '✅ distribute 3/3 ✓ · 1s',
      '✅ switch 3/3 ✓ · 1s',
      '✅ record · 1s',
      '✅ prune 3/3 ✓ · 1s',
      '✅ success · 51s — 3/3 hosts switched',
    ]);
  });

  it('when the deploy is partial, names the failed hosts with their last output lines and the retry command', () => {
    const message = renderProgress(reduceNotices(partialDeploy().notices));
    expect(message.text).toBe('d-20261121-0001 · deploy mala-core → dev (production) v1.3 · abc1234 · by alice');
    expect(message.lines).toContain('✅ switch 2/3 ✓ 1 ✗ · 1s');
    expect(message.lines).toContain('❌ partial · 48s — 2/3 hosts done, 1 failed');
    expect(message.lines!.slice(-6)).toEqual([
      'failed hosts (1):',
      '• dev-2 (afterDeploy): afterDeploy hook exited with 1',
      '    starting mala-core',
      '    port 8080 already in use',
      '    exit status 1',
      'to finish it: retry d-20261121-0001',
    ]);
  });

  it('when a step fails the whole deploy, says why and how to retry', () => {
    const script = new NoticeScript({ market: 'dev' }).accepted().state('queued').state('running').started()
      .step('resolve').stepDone('resolve', { commit: COMMIT }).step('build').stepFailed('build', 'build command exited with 2')
      .finished().ended();
    const message = renderProgress(reduceNotices(script.notices));
    expect(message.lines).toContain('❌ build — build command exited with 2');
    expect(message.lines).toContain('❌ failed · 9s — build command exited with 2');
    expect(message.lines!.at(-1)).toBe('to finish it: retry d-20261121-0001');
  });

  it('when refused, rejected, expired or cancelled, shows the reason and no retry', () => {
    const refused = renderProgress(reduceNotices(new NoticeScript().accepted().state('refused', { reason: 'gray v1.4 is active (d-20261120-0007)' }).notices));
    expect(refused.lines).toContain('⛔ refused · 1s');
    expect(refused.lines).toContain('reason: gray v1.4 is active (d-20261120-0007)');

    const rejected = renderProgress(reduceNotices(new NoticeScript().accepted().resolveAndBuild().awaitApproval().decide('rejected', 'carol', 'not during the sale').notices));
    expect(rejected.lines).toContain('reason: rejected by carol at 2026-11-21 10:00 UTC: not during the sale');

    const expired = renderProgress(reduceNotices(new NoticeScript().accepted().resolveAndBuild().awaitApproval().state('expired').notices));
    expect(expired.lines).toContain('reason: nobody decided before 2026-11-21 10:30 UTC');

    const cancelled = renderProgress(reduceNotices(new NoticeScript().accepted().state('cancelled', { cancelRequested: { by: 'alice', at: '2026-11-21T10:00:03.000Z' } }).notices));
    expect(cancelled.lines).toContain('reason: cancelled by alice');

    for (const message of [refused, rejected, expired, cancelled]) expect(all(message)).not.toContain('retry');
  });

  it('while awaiting approval or queued, says until when or behind whom', () => {
    const awaiting = renderProgress(reduceNotices(new NoticeScript().accepted().resolveAndBuild().awaitApproval().notices));
    expect(awaiting.lines!.at(-1)).toBe('⏳ awaiting approval until 2026-11-21 10:30 UTC · 6s');
    const queued = renderProgress(reduceNotices(new NoticeScript().accepted().state('queued').queuedBehind('d-20261121-0000').notices));
    expect(queued.lines!.at(-1)).toBe('⏳ queued behind d-20261121-0000 · 2s');
  });

  it('with many failed hosts and long output, stays within the limit and keeps the retry command', () => {
    const hosts = Array.from({ length: 60 }, (_, i) => `br-${i + 1}`);
    const failing = Object.fromEntries(hosts.slice(1).map((h) => [h, { step: 'distribute' as const, message: `${h}: upload failed: ${'connection reset by peer '.repeat(10)}`, outputTail: Array.from({ length: 20 }, (_, i) => `line ${i} ${'x'.repeat(300)}`) }]));
    const script = new NoticeScript({ hosts }).accepted().state('queued').state('running').started().resolveAndBuild().runHosts(failing).finished().ended();
    const message = renderProgress(reduceNotices(script.notices));
    expect(messageLength(message)).toBeLessThanOrEqual(MESSAGE_CHAR_LIMIT);
    expect(message.lines!.at(-1)).toBe('to finish it: retry d-20261121-0001');
    // 59 hosts that failed alike are one line: count, cause, a few names
    expect(all(message)).toContain('• 59 hosts (distribute) br-2, br-3, br-4 and 56 more: upload failed');
  });

  it('cuts output tails before dropping hosts', () => {
    const hosts = [1, 2, 3].map((i) => ({ host: `h${i}`, step: 'link' as const, error: { code: 'x', message: `switch failed (${'!'.repeat(i)})` }, outputTail: ['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(100), 'd'.repeat(100), 'e'.repeat(100)] }));
    const lines = fitFailedHosts(hosts, 800, 5);
    expect(lines.filter((l) => l.startsWith('•'))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('    '))).toHaveLength(3);
    expect(lines).toContain(`    ${'e'.repeat(100)}`);
  });
});
