import { describe, expect, it } from 'vitest';
import { reduceNotices, type DeployView } from '../../src/notify/deploy-view.ts';
import { MESSAGE_CHAR_LIMIT, messageLength } from '../../src/notify/message-text.ts';
import { renderApprovalCard } from '../../src/notify/render-approval-card.ts';
import type { People } from '../../src/domain/people.ts';
import { NoticeScript } from '../fixtures/notices.ts';

function card(script: NoticeScript, people: People = {}) {
  const view = reduceNotices(script.notices, people);
  if (!view.approval) throw new Error('no approval in the view');
  return renderApprovalCard(view as DeployView & { approval: NonNullable<DeployView['approval']> });
}

function awaiting(options: Parameters<NoticeScript['awaitApproval']>[0] = {}): NoticeScript {
  return new NoticeScript().accepted().resolveAndBuild().awaitApproval({ diffSummary: ['abc1234 fix the checkout total', 'def5678 bump the client'], ...options });
}

const PEOPLE: People = { alice: { slack: 'U01ALICE', dingtalk: '0123456' }, bob: { slack: 'U01BOB', console: 'bob' } };

describe('renderApprovalCard', () => {
  it('when the command applies to some of the market\'s platforms, then the card names them in its own field', () => {
    const message = card(new NoticeScript({ platforms: ['ios', 'android'], command: 'review promote mala-core brazil --platforms ios,android' }).accepted().resolveAndBuild().awaitApproval());
    expect(message.card?.fields).toContainEqual({ label: 'Platforms', value: ['ios, android'] });
    expect(card(awaiting()).card?.fields?.map((f) => f.label)).not.toContain('Platforms');
  });

  it('when the deploy is scheduled, then the card shows its time in market time and UTC, and that an approval now holds until then', () => {
    const message = card(new NoticeScript({ scheduledAt: '2026-11-22T03:00-03:00' }).accepted().resolveAndBuild().awaitApproval());
    expect(message.lines).toContain('runs at: 2026-11-22T03:00-03:00 (2026-11-22 06:00 UTC); an approval given now holds until then');
    expect(card(awaiting()).lines?.join('\n')).not.toContain('runs at');
  });

  it('when people knows them, then requester, approvers and the decider are shown by name; others by qualified id', () => {
    const script = new NoticeScript({ requestedBy: 'slack:U01ALICE' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['alice', 'slack:U01BOB', 'dingtalk:0999'], required: 2 });
    const pending = card(script, PEOPLE);
    expect(pending.lines).toContain('requested by: alice');
    // the requester (alice, from Slack) is not among those who can decide
    expect(pending.lines).toContain('approvers: bob, dingtalk:0999 (2 needed)');
    expect(pending.lines?.join('\n')).not.toContain('nobody can approve');
    const decided = card(script.decide('approved', 'console:bob'), PEOPLE);
    expect(decided.lines?.[0]).toMatch(/^approved by bob at /);
    const unknown = card(new NoticeScript({ requestedBy: 'slack:U0STRANGER' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['alice', 'bob'] }), PEOPLE);
    expect(unknown.lines).toContain('requested by: slack:U0STRANGER');
  });

  it('when the requester is the only approver who could decide, then the card says at once that nobody can approve it', () => {
    const script = new NoticeScript({ requestedBy: 'dingtalk:0123456' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['alice', 'slack:U01ALICE', 'bob'], required: 2 });
    const message = card(script, PEOPLE);
    expect(message.lines?.[0]).toBe('⚠️ nobody can approve this: the approvers (alice, bob) cannot reach 2 approval(s) without the requester. Cancel it, or have another approver request it.');
    const sole = card(new NoticeScript({ requestedBy: 'slack:U01BOB' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['bob'] }), PEOPLE);
    expect(sole.lines?.[0]).toMatch(/^⚠️ nobody can approve this/);
    expect(card(new NoticeScript({ requestedBy: 'slack:U01BOB' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['bob', 'alice'] }), PEOPLE).lines?.[0]).not.toMatch(/nobody/);
  });

  it('shows what is approved: command, ref, commit, build checksum, hosts, hooks, commits since production, approvers and expiry', () => {
    const message = card(awaiting());
    expect(message.text).toBe('🔐 approval needed · d-20261121-0001 · deploy mala-core v1.3 → brazil (production)');
    expect(message.lines).toEqual([
      'command: deploy mala-core brazil v1.3',
      'requested by: alice',
      'ref: v1.3 · commit abc1234def56',
      'build: sha256 9f86d081884c · release v1.3-20261121100005-abc1234',
      'hosts (3): br-1, br-2, br-3',
      'approvers: bob, carol (1 needed)',
      'expires: 2026-11-21 10:30 UTC',
      'hooks:',
      '  afterDeploy: systemctl reload mala-core',
      'commits since production (2):',
      '  abc1234 fix the checkout total',
      '  def5678 bump the client',
    ]);
  });

  it('shows the rest of the plan it binds: build command and output, path, the promoted release and the state it starts from', () => {
    const deploy = card(awaiting({ plan: { build: { command: 'npm ci && npm run build', output: 'dist' }, path: '/data/prod/mala-core', releasesDir: '/data/codes/mala-core', startsFrom: { production: 'd-20261120-0007' } } }));
    expect(deploy.lines).toContain('build command: npm ci && npm run build → dist');
    expect(deploy.lines).toContain('path: /data/prod/mala-core · releases in /data/codes/mala-core');
    expect(deploy.lines).toContain('starts from: production d-20261120-0007');
    const promote = card(awaiting({ plan: { promoted: { release: 'gray', deployId: 'd-20261120-0003', version: 'v1.3', commit: 'abc1234def5678abc1234def5678abc1234def56', versions: ['v1.3'] }, startsFrom: { gray: 'd-20261120-0003', production: null } } }));
    expect(promote.lines).toContain('promotes: gray v1.3 of d-20261120-0003 · commit abc1234def56');
    expect(promote.lines).toContain('starts from: gray d-20261120-0003, production none');
  });

  it('offers Approve and Reject buttons that run approve/reject <id>, each behind a confirm dialog', () => {
    const { buttons } = card(awaiting());
    expect(buttons).toHaveLength(2);
    const [approve, reject] = buttons!;
    expect(approve).toMatchObject({ label: 'Approve', command: 'approve d-20261121-0001', style: 'primary' });
    expect(reject).toMatchObject({ label: 'Reject', command: 'reject d-20261121-0001', style: 'danger' });
    expect(approve!.confirm).toEqual({ title: 'Approve d-20261121-0001?', text: 'This runs deploy mala-core v1.3 → brazil (production) on 3 host(s), commit abc1234.' });
    expect(reject!.confirm?.title).toBe('Reject d-20261121-0001?');
  });

  it('with several approvals needed, shows who approved so far', () => {
    const script = awaiting({ required: 2 });
    const message = card(script);
    expect(message.lines![0]).toBe('approved so far: nobody (0/2)');
    expect(message.lines).toContain('approvers: bob, carol (2 needed)');
  });

  it('once approved, shows who approved and when, and has no buttons', () => {
    const message = card(awaiting().decide('approved', 'bob'));
    expect(message.text).toBe('✅ approved · d-20261121-0001 · deploy mala-core v1.3 → brazil (production)');
    expect(message.lines![0]).toBe('approved by bob at 2026-11-21 10:00 UTC');
    expect(message.lines).not.toContain('expires: 2026-11-21 10:30 UTC');
    expect(message.buttons).toBeUndefined();
  });

  it('once rejected, shows who rejected, when and why, and has no buttons', () => {
    const message = card(awaiting().decide('rejected', 'carol', 'not during the sale'));
    expect(message.text.startsWith('❌ rejected · d-20261121-0001')).toBe(true);
    expect(message.lines![0]).toBe('rejected by carol at 2026-11-21 10:00 UTC: not during the sale');
    expect(message.buttons).toBeUndefined();
  });

  it('once expired or cancelled, says so and has no buttons', () => {
    const expired = card(awaiting().state('expired', { reason: 'nobody approved within 30 min' }));
    expect(expired.text.startsWith('⛔ approval expired')).toBe(true);
    expect(expired.lines![0]).toBe('expired at 2026-11-21 10:30 UTC without a decision; the deploy did not run');
    expect(expired.buttons).toBeUndefined();

    const cancelled = card(awaiting().state('cancelled', { cancelRequested: { by: 'alice', at: '2026-11-21T10:01:00.000Z' } }));
    expect(cancelled.lines![0]).toMatch(/^cancelled by alice at 2026-11-21 10:00 UTC before a decision/);
    expect(cancelled.buttons).toBeUndefined();
  });

  it('shows a rollback target and the versions a promote appends', () => {
    const rollback = card(new NoticeScript({ verb: 'rollback', ref: undefined, version: 'v1.2' }).accepted().awaitApproval({ plan: { rollbackTo: 'v1.2-20261120090000-1234567', packageSha256: undefined, commit: undefined } }));
    expect(rollback.text).toBe('🔐 approval needed · d-20261121-0001 · rollback mala-core v1.2 → brazil (production)');
    expect(rollback.lines).toContain('rollback to: v1.2-20261120090000-1234567');
    const promote = card(new NoticeScript({ verb: 'gray promote' }).accepted().awaitApproval({ plan: { versions: ['v1.4'] } }));
    expect(promote.lines).toContain('versions: v1.4');
  });

  it('with long hooks, many hosts and a long diff, stays within the limit and keeps the buttons', () => {
    const hosts = Array.from({ length: 200 }, (_, i) => `br-host-${i}`);
    const script = new NoticeScript({ hosts }).accepted().resolveAndBuild().awaitApproval({
      plan: { hooks: { beforeDeploy: `echo ${'x'.repeat(5000)}`, afterDeploy: 'systemctl reload mala-core\nsystemctl status mala-core' } },
      diffSummary: Array.from({ length: 100 }, (_, i) => `c${i} ${'change '.repeat(40)}`),
    });
    const message = card(script);
    expect(messageLength(message)).toBeLessThanOrEqual(MESSAGE_CHAR_LIMIT);
    expect(message.lines).toContain('expires: 2026-11-21 10:30 UTC');
    expect(message.lines).toContain('  afterDeploy: systemctl reload mala-core systemctl status mala-core');
    expect(message.buttons).toHaveLength(2);
  });
});
