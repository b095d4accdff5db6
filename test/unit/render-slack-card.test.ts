// Cards in Block Kit (src/adapters/slack/render-slack-card.ts): mentions for Slack people
// only, everything else escaped, links only to https, and — over random cards — always within
// Block Kit's limits (test/support/block-kit-limits.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Inline, MessageCard, OutgoingMessage } from '../../src/core/chat-types.ts';
import { mrkdwn } from '../../src/adapters/slack/render-slack-card.ts';
import { renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { renderApprovalCard } from '../../src/notify/render-approval-card.ts';
import { renderProgress } from '../../src/notify/render-progress.ts';
import { NoticeScript, partialDeploy } from '../fixtures/notices.ts';
import { blockKitProblems, blockText } from '../support/block-kit-limits.ts';

const PEOPLE = { alice: { slack: 'U01ALICE' }, bob: { slack: 'U01BOB', dingtalk: '0123456' }, carol: { dingtalk: '7654321' } };

describe('Slack cards', () => {
  it('when a person has a Slack id, then they are mentioned; else their name is shown, escaped', () => {
    expect(mrkdwn([{ person: 'bob', id: 'slack:U01BOB' }, ' and ', { person: 'carol <!here>', id: 'dingtalk:7654321' }])).toBe('<@U01BOB> and carol &lt;!here&gt;');
    expect(mrkdwn([{ person: 'x', id: 'slack:<!channel>' }])).toBe('x');
  });

  it('when text carries mrkdwn control characters, code a backtick, a link is not https, then none of it is markup', () => {
    expect(mrkdwn(['<!channel> & <http://evil|x>'])).toBe('&lt;!channel&gt; &amp; &lt;http://evil|x&gt;');
    expect(mrkdwn([{ code: 'echo `id`' }])).toBe("`echo 'id'`");
    expect(mrkdwn([{ link: 'https://github.com/acme/app/commit/abc', text: 'abc|1' }])).toBe('<https://github.com/acme/app/commit/abc|abc¦1>');
    expect(mrkdwn([{ link: 'javascript:alert(1)', text: 'abc' }])).toBe('abc');
  });

  it('when alice asks, then the pending card mentions bob (who can decide) and not alice as an approver, and lays out header, fields, body, context, buttons', () => {
    const script = new NoticeScript({ requestedBy: 'slack:U01ALICE' }).accepted().resolveAndBuild().awaitApproval({ approvers: ['alice', 'bob', 'carol'] });
    const view = reduceNotices(script.notices, PEOPLE);
    const payload = renderSlackMessage(renderApprovalCard({ ...view, approval: view.approval! }, undefined, { commitUrl: 'https://github.com/acme/mala-core/commit/abc1234def5678901234567890abcdef12345678' }));
    expect(payload.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    const text = blockText(payload);
    expect(text).toContain('Waiting for <@U01BOB> or carol.');
    expect(text).toContain('requested by <@U01ALICE> at 2026-11-21 10:00 UTC');
    expect(text).toContain('*Commit*\n<https://github.com/acme/mala-core/commit/abc1234def5678901234567890abcdef12345678|abc1234>');
    expect(text).toContain('*Hook* `afterDeploy`: `systemctl reload mala-core`');
    expect(blockKitProblems(payload)).toEqual([]);
  });

  it('when a deploy ends partial, then its progress card has the state in the header and the same step and host lines', () => {
    const view = reduceNotices(partialDeploy({ requestedBy: 'slack:U01ALICE' }).notices, PEOPLE);
    const message = renderProgress(view);
    const payload = renderSlackMessage(message);
    expect((payload.blocks[0] as { text: { text: string } }).text.text).toBe('❌ deploy mala-core v1.3 → dev');
    const text = blockText(payload);
    for (const line of message.lines ?? []) expect(text).toContain(line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(text).toContain('requested by <@U01ALICE>');
    expect(blockKitProblems(payload)).toEqual([]);
  });

  it('whatever the card holds, the payload is within Block Kit\'s limits', () => {
    const inline: fc.Arbitrary<Inline> = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.record({ person: fc.string({ maxLength: 80 }), id: fc.oneof(fc.constant('slack:U01BOB'), fc.string()) }),
      fc.record({ code: fc.string({ maxLength: 400 }) }),
      fc.record({ strong: fc.string({ maxLength: 100 }) }),
      fc.record({ link: fc.oneof(fc.webUrl(), fc.string()), text: fc.string({ maxLength: 100 }) }),
    );
    const line = fc.array(inline, { maxLength: 6 });
    const card: fc.Arbitrary<MessageCard> = fc.record({
      title: fc.string({ maxLength: 400 }),
      fields: fc.array(fc.record({ label: fc.string({ maxLength: 60 }), value: line }), { maxLength: 14 }),
      warnings: fc.array(line, { maxLength: 3 }),
      body: fc.array(line, { maxLength: 200 }),
      context: line,
    });
    fc.assert(fc.property(card, fc.array(fc.record({ label: fc.string({ maxLength: 100 }), command: fc.string({ minLength: 1, maxLength: 300 }) }), { maxLength: 30 }), (c, buttons) => {
      const message: OutgoingMessage = { text: 'fallback', card: c, buttons };
      expect(blockKitProblems(renderSlackMessage(message))).toEqual([]);
    }), { numRuns: 150 });
  });
});
