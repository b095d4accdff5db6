import { describe, expect, it } from 'vitest';
import { reduceNotices, type StepView, type ViewStepName } from '../../src/notify/deploy-view.ts';
import { approvedSuccessfulDeploy, COMMIT, grayWarning, NoticeScript, partialDeploy, spanReport } from '../fixtures/notices.ts';

function step(view: { steps: StepView[] }, name: ViewStepName): StepView {
  const found = view.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step ${name} in ${view.steps.map((s) => s.name).join(', ')}`);
  return found;
}

function statuses(view: { steps: StepView[] }): Record<string, string> {
  return Object.fromEntries(view.steps.map((s) => [s.name, s.status]));
}

describe('reduceNotices', () => {
  it('when a deploy is accepted, validate runs, the rest is pending and the header comes from the record', () => {
    const view = reduceNotices(new NoticeScript().accepted().notices);
    expect(view.deployId).toBe('d-20261121-0001');
    expect(view.state).toBe('preparing');
    expect(view.header).toMatchObject({ verb: 'deploy', project: 'mala-core', market: 'brazil', release: 'production', version: 'v1.3', requestedBy: 'alice' });
    expect(statuses(view)).toEqual({ validate: 'running', approve: 'pending', resolve: 'pending', build: 'pending', distribute: 'pending', switch: 'pending', record: 'pending', prune: 'pending' });
    expect(view.hosts).toEqual(['br-1', 'br-2', 'br-3']);
    expect(view.finished).toBe(false);
  });

  it('when the plan is ready and approval is asked, approve waits for the approvers and the plan is kept', () => {
    const script = new NoticeScript().accepted().resolveAndBuild().awaitApproval({ diffSummary: ['abc1234 fix'] });
    const view = reduceNotices(script.notices);
    expect(view.state).toBe('awaiting-approval');
    expect(view.header.commit).toBe(COMMIT);
    expect(statuses(view)).toMatchObject({ validate: 'done', approve: 'running', resolve: 'done', build: 'done', distribute: 'pending' });
    expect(step(view, 'approve').note).toContain('bob, carol');
    expect(view.approval).toMatchObject({ status: 'pending', approvers: ['bob', 'carol'], required: 1, expiresAt: '2026-11-21T10:30:00.000Z', diffSummary: ['abc1234 fix'] });
    expect(view.approval?.plan?.hooks).toEqual({ afterDeploy: 'systemctl reload mala-core' });
    expect(view.approval?.noticeIndex).toBe(5);
  });

  it('when approved, approve is done by the approver and the approval carries the decision', () => {
    const view = reduceNotices(new NoticeScript().accepted().resolveAndBuild().awaitApproval().decide('approved', 'bob').notices);
    expect(view.state).toBe('queued');
    expect(step(view, 'approve')).toMatchObject({ status: 'done', note: 'approved by bob' });
    expect(view.approval).toMatchObject({ status: 'approved', approvedBy: ['bob'], decision: { decision: 'approved', by: 'bob' } });
  });

  it('while distributing, counts hosts done and failed and sums the bytes sent', () => {
    const script = new NoticeScript().accepted().resolveAndBuild().state('queued').state('running').started().resolveAndBuild(true)
      .step('distribute')
      .bytes('br-1', 40_000_000, 40_000_000).hostDone('distribute', 'br-1')
      .hostFailed('distribute', 'br-2', 'br-2: upload timed out after 20000 ms')
      .bytes('br-3', 10_000_000, 40_000_000);
    const view = reduceNotices(script.notices);
    expect(step(view, 'distribute')).toMatchObject({ status: 'running', hosts: { done: 1, failed: 1, total: 3 } });
    expect(view.bytes).toEqual({ sent: 50_000_000, total: 80_000_000 });
    expect(view.failedHosts).toEqual([{ host: 'br-2', step: 'distribute', error: { code: 'host_failed', message: 'br-2: upload timed out after 20000 ms' }, outputTail: [] }]);
    expect(step(view, 'approve')).toMatchObject({ status: 'skipped', note: 'not required' });
    expect(step(view, 'build').note).toBe('cached');
  });

  it('when a deploy succeeds, every step is done, counts come from the result and the elapsed time spans the notices', () => {
    const script = approvedSuccessfulDeploy();
    const view = reduceNotices(script.notices);
    expect(view.state).toBe('success');
    expect(view.outcome).toBe('success');
    expect(view.finished).toBe(true);
    expect(Object.values(statuses(view)).every((s) => s === 'done')).toBe(true);
    expect(step(view, 'switch').hosts).toEqual({ done: 3, failed: 0, total: 3 });
    expect(step(view, 'prune').hosts).toEqual({ done: 3, failed: 0, total: 3 });
    expect(view.failedHosts).toEqual([]);
    expect(view.elapsedMs).toBe(Date.parse(script.notices.at(-1)!.at) - Date.parse(script.notices[0]!.at));
    expect(view.noticeCount).toBe(script.notices.length);
  });

  it('when a host fails its hook, the deploy is partial and the host is named with its output tail', () => {
    const view = reduceNotices(partialDeploy().notices);
    expect(view.state).toBe('partial');
    expect(step(view, 'switch').hosts).toEqual({ done: 2, failed: 1, total: 3 });
    expect(view.failedHosts).toEqual([
      { host: 'dev-2', step: 'afterDeploy', error: { code: 'host_failed', message: 'dev-2: afterDeploy hook exited with 1' }, outputTail: ['starting mala-core', 'port 8080 already in use', 'exit status 1'] },
    ]);
  });

  it('when the build fails, build is failed, later steps are skipped and the error is kept', () => {
    const script = new NoticeScript().accepted().step('resolve').stepDone('resolve', { commit: COMMIT }).step('build').stepFailed('build', 'build command exited with 2')
      .state('failed', { reason: 'build command exited with 2' });
    const view = reduceNotices(script.notices);
    expect(statuses(view)).toEqual({ validate: 'done', approve: 'skipped', resolve: 'done', build: 'failed', distribute: 'skipped', switch: 'skipped', record: 'skipped', prune: 'skipped' });
    expect(step(view, 'build').note).toBe('build command exited with 2');
    expect(view.reason).toBe('build command exited with 2');
  });

  it('when a rule refuses the deploy, validate is stopped with the reason', () => {
    const view = reduceNotices(new NoticeScript().accepted().state('refused', { reason: 'gray v1.4 is active' }).notices);
    expect(step(view, 'validate')).toEqual({ name: 'validate', status: 'stopped', note: 'gray v1.4 is active' });
    expect(view.finished).toBe(true);
  });

  it('when an approval turns out void at run time, the deploy stops at validate', () => {
    const script = new NoticeScript().accepted().resolveAndBuild().awaitApproval().decide('approved').state('failed', { reason: 'approval void: the commit changed' });
    const view = reduceNotices(script.notices);
    expect(step(view, 'validate')).toMatchObject({ status: 'failed', note: 'approval void: the commit changed' });
    expect(step(view, 'approve').status).toBe('done');
  });

  it('when rejected, approve is stopped with who rejected and why', () => {
    const view = reduceNotices(new NoticeScript().accepted().resolveAndBuild().awaitApproval().decide('rejected', 'carol', 'not during the sale').notices);
    expect(view.state).toBe('rejected');
    expect(step(view, 'approve')).toMatchObject({ status: 'stopped', note: 'rejected by carol: not during the sale' });
    expect(view.approval).toMatchObject({ status: 'rejected', decision: { by: 'carol', reason: 'not during the sale' } });
  });

  it('when nobody decides, the approval expires', () => {
    const script = new NoticeScript().accepted().resolveAndBuild().awaitApproval().state('expired', { reason: 'nobody approved within 30 min' });
    const view = reduceNotices(script.notices);
    expect(view.approval).toMatchObject({ status: 'expired', closedReason: 'nobody approved within 30 min' });
    expect(step(view, 'approve').status).toBe('stopped');
  });

  it('when cancelled while awaiting approval, the approval is closed as cancelled by whoever cancelled', () => {
    const script = new NoticeScript().accepted().resolveAndBuild().awaitApproval().state('cancelled', { cancelRequested: { by: 'alice', at: '2026-11-21T10:02:00.000Z' } });
    const view = reduceNotices(script.notices);
    expect(view.approval).toMatchObject({ status: 'cancelled', closedBy: 'alice' });
    expect(step(view, 'approve').note).toBe('cancelled by alice');
  });

  it('when cancelled between steps, the skipped step is stopped and no running step is left', () => {
    const script = new NoticeScript().accepted().state('queued').state('running').started().resolveAndBuild().stepSkipped('distribute', 'cancelled')
      .finished().state('cancelled', { reason: 'cancelled by alice' });
    const view = reduceNotices(script.notices);
    expect(step(view, 'distribute')).toMatchObject({ status: 'stopped', note: 'cancelled' });
    expect(view.steps.some((s) => s.status === 'running' || s.status === 'pending')).toBe(false);
  });

  it('keeps the queue position until the deploy runs', () => {
    const queued = new NoticeScript().accepted().state('queued').queuedBehind('d-20261121-0000');
    expect(reduceNotices(queued.notices).queuedBehind).toBe('d-20261121-0000');
    expect(reduceNotices(queued.state('running').notices).queuedBehind).toBeUndefined();
  });

  it('keeps warnings, size spans and notes with the index of their notice', () => {
    const script = new NoticeScript().accepted().warning().sizeSpans().note('reusing the cached build');
    const view = reduceNotices(script.notices);
    expect(view.warnings).toEqual([{ index: 1, at: script.notices[1]!.at, warning: grayWarning() }]);
    expect(view.sizeSpans).toEqual([{ index: 2, at: script.notices[2]!.at, report: spanReport(), release: 'production', version: 'v1.3' }]);
    expect(view.notes).toEqual(['reusing the cached build']);
  });

  it('shows preflight only for a deploy that ran it (rollback)', () => {
    const rollback = new NoticeScript({ verb: 'rollback' }).accepted().state('queued').state('running').started('rollback').step('preflight');
    expect(step(reduceNotices(rollback.notices), 'preflight').status).toBe('running');
    expect(reduceNotices(new NoticeScript().accepted().notices).steps.map((s) => s.name)).not.toContain('preflight');
  });

  it('gives the same view for the same notices, whatever was reduced before', () => {
    const { notices } = approvedSuccessfulDeploy();
    const first = reduceNotices(notices.slice(0, 10));
    expect(reduceNotices(notices)).toEqual(reduceNotices([...notices]));
    expect(reduceNotices(notices.slice(0, 10))).toEqual(first);
    expect(reduceNotices([])).toMatchObject({ deployId: '', noticeCount: 0, finished: false });
  });
});

describe('a long step with nothing new to tell', () => {
  it('when a build has run for minutes without a notice, then the view names the running step and its elapsed time, and the progress shows it', async () => {
    const { renderProgress } = await import('../../src/notify/render-progress.ts');
    const script = new NoticeScript().accepted().state('preparing').tick().step('resolve').tick().stepDone('resolve', { commit: COMMIT }).step('build');
    const buildStarted = Date.parse(script.notices.at(-1)!.at);
    const later = new Date(buildStarted + 125_000);
    const view = reduceNotices(script.notices, {}, later);
    expect(view.activity).toBe('build running · 2m 05s');
    expect(renderProgress(view).text.split('\n').concat(renderProgress(view).lines ?? [])).toContainEqual(expect.stringMatching(/^⏳ preparing · \d+s — build running · 2m 05s$/));
    // a moment in: nothing to add yet; without the time (or once finished) never
    expect(reduceNotices(script.notices, {}, new Date(buildStarted + 1000)).activity).toBeUndefined();
    expect(reduceNotices(script.notices).activity).toBeUndefined();
  });
});
