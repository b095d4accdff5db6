import { describe, expect, it } from 'vitest';
import { AccessTokenCache } from '../../src/adapters/dingtalk/access-token-cache.ts';
import { resolveCardCommand } from '../../src/adapters/dingtalk/card-buttons.ts';
import { ConversationRateLimiter } from '../../src/adapters/dingtalk/conversation-rate-limiter.ts';
import { defaultMilestoneKey } from '../../src/adapters/dingtalk/dingtalk-messenger.ts';
import { DINGTALK_MARKDOWN_LIMIT, renderRobotMarkdown } from '../../src/adapters/dingtalk/render-dingtalk-message.ts';
import { commandTextOf } from '../../src/adapters/dingtalk/robot-message.ts';
import { ManualClock, settle } from '../fakes/manual-clock.ts';

describe('commandTextOf', () => {
  it('drops the @mention and DingTalk\'s odd spaces', () => {
    expect(commandTextOf('@deploybot\u2005deploy mala-core brazil v1.3')).toBe('deploy mala-core brazil v1.3');
    expect(commandTextOf(' deploy mala-core brazil v1.3 ')).toBe('deploy mala-core brazil v1.3');
    expect(commandTextOf('@deploybot @someone status mala-core')).toBe('status mala-core');
    expect(commandTextOf('@deploybot')).toBe('');
  });
});

describe('resolveCardCommand', () => {
  const card = { channel: 'cid1', buttons: [{ label: 'Approve', command: 'approve d-20261121-0001' }, { label: 'Reject', command: 'reject d-20261121-0001' }] };

  it('runs only commands the card offered', () => {
    expect(resolveCardCommand(card, { command: 'reject d-20261121-0001' })).toBe('reject d-20261121-0001');
    expect(resolveCardCommand(card, { command: 'unlock mala-core brazil' })).toBeUndefined();
  });

  it('also accepts a 1-based index or an action word', () => {
    expect(resolveCardCommand(card, { index: '1' })).toBe('approve d-20261121-0001');
    expect(resolveCardCommand(card, { index: 3 })).toBeUndefined();
    expect(resolveCardCommand(card, { action: 'reject' })).toBe('reject d-20261121-0001');
    expect(resolveCardCommand(card, { action: 'Approve' })).toBe('approve d-20261121-0001');
    expect(resolveCardCommand(card, {})).toBeUndefined();
  });
});

describe('ConversationRateLimiter', () => {
  it('lets 20 messages a minute through per conversation and holds the 21st', async () => {
    const clock = new ManualClock();
    const limiter = new ConversationRateLimiter(20, clock);
    for (let i = 0; i < 20; i += 1) await limiter.acquire('cid1');
    let released = false;
    const held = limiter.acquire('cid1').then(() => {
      released = true;
    });
    await limiter.acquire('cid2'); // another conversation is not held
    await clock.advance(59_999);
    expect(released).toBe(false);
    await clock.advance(1);
    await held;
    expect(released).toBe(true);
  });
});

describe('renderRobotMarkdown', () => {
  it('stays under the markdown limit, cutting lines but keeping the reply lines', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `host-${i} ✅ ${'x'.repeat(40)}`);
    const payload = renderRobotMarkdown({ text: 'deploy d-20261121-0001', lines, buttons: [{ label: 'Retry', command: 'retry d-20261121-0001' }] });
    if (payload.msgtype !== 'markdown') throw new Error('expected markdown');
    expect(payload.markdown.text.length).toBeLessThanOrEqual(DINGTALK_MARKDOWN_LIMIT);
    expect(payload.markdown.text).toMatch(/… \d+ more line\(s\)/);
    expect(payload.markdown.text.endsWith('Retry → reply: retry d-20261121-0001')).toBe(true);
    expect(payload.markdown.title).toBe('deploy d-20261121-0001');
  });
});

describe('defaultMilestoneKey', () => {
  it('ignores changing numbers but not a changed step state', () => {
    const at = (line: string) => defaultMilestoneKey({ text: 'deploy d-20261121-0001 (12s)', lines: [line] });
    expect(at('⏳ distribute 3/10')).toBe(at('⏳ distribute 7/10'));
    expect(at('⏳ distribute 7/10')).not.toBe(at('✅ distribute 10/10'));
  });
});

describe('AccessTokenCache', () => {
  it('fetches once for concurrent callers and again shortly before expiry', async () => {
    const clock = new ManualClock();
    let fetches = 0;
    const cache = new AccessTokenCache(async () => ({ token: `t${++fetches}`, expiresInSeconds: 7200 }), clock);
    expect(await Promise.all([cache.get(), cache.get()])).toEqual(['t1', 't1']);
    await clock.advance(7200_000 - 5 * 60_000 - 1);
    expect(await cache.get()).toBe('t1');
    await clock.advance(1);
    await settle();
    expect(await cache.get()).toBe('t2');
    cache.reset();
    expect(await cache.get()).toBe('t3');
  });
});
