import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessTokenCache } from '../../src/adapters/dingtalk/access-token-cache.ts';
import { resolveCardCommand } from '../../src/adapters/dingtalk/card-buttons.ts';
import { classifyDingTalkFailure } from '../../src/adapters/dingtalk/dingtalk-api-error.ts';
import { ConversationRateLimiter } from '../../src/adapters/dingtalk/conversation-rate-limiter.ts';
import { defaultMilestoneKey } from '../../src/adapters/dingtalk/dingtalk-messenger.ts';
import { DINGTALK_MARKDOWN_LIMIT, renderCardParams, renderRobotMarkdown } from '../../src/adapters/dingtalk/render-dingtalk-message.ts';
import { cutMarkdown, escapeDingTalkMarkdown, joinMarkdownBlocks, markdownBlocks } from '../../src/adapters/dingtalk/render-dingtalk-markdown.ts';
import { reconnectDelay, reconnectStep } from '../../src/domain/reconnect-delay.ts';
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
  it('lets 15 messages a minute through per conversation and holds the 16th', async () => {
    const clock = new ManualClock();
    const limiter = new ConversationRateLimiter({ robot: 'dingbot', clock });
    for (let i = 0; i < 15; i += 1) await limiter.acquire('cid1');
    let released = false;
    const held = limiter.acquire('cid1').then(() => {
      released = true;
    });
    await limiter.acquire('cid2'); // another conversation is not held
    await clock.advance(60_999); // the minute and its 1 s guard
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

describe('escapeDingTalkMarkdown (property)', () => {
  const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
  const flat = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').trim();

  it('shows any text as it is: nothing unescaped can open markdown, and unescaping gives the text back', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'ab1 .#>-+=*_[]()!<`~\\\n\tx'.split('')), maxLength: 60 }), (text) => {
      const escaped = escapeDingTalkMarkdown(text);
      expect(unescape(escaped)).toBe(flat(text));
      // every special character is preceded by an odd run of backslashes
      const stripped = escaped.replace(/\\./g, '');
      expect(stripped).not.toMatch(/[\\`*_[\]<~]/);
      expect(escaped).not.toMatch(/^(#|>|[-+=]|\d+[.)])/);
      expect(escaped).not.toMatch(/[\n\r]/);
    }));
  });

  it('never starts a heading, quote, list or rule', () => {
    expect(['# h', '> q', '- l', '+ l', '1. l', '12) l', '===', '---'].map(escapeDingTalkMarkdown)).toEqual(['\\# h', '\\> q', '\\- l', '\\+ l', '1\\. l', '12\\) l', '\\===', '\\---']);
  });

  it('cutMarkdown never leaves a dangling backslash', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', '*', '_', '['), maxLength: 80 }), fc.integer({ min: 2, max: 80 }), (text, max) => {
      const escaped = escapeDingTalkMarkdown(text);
      const cut = cutMarkdown(escaped, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      if (escaped.length <= max) expect(cut).toBe(escaped);
      const body = cut.endsWith('…') ? cut.slice(0, -1) : cut;
      expect((/\\+$/.exec(body)?.[0].length ?? 0) % 2).toBe(0);
    }));
  });
});

describe('markdownBlocks', () => {
  it('makes every line a paragraph, output tails quotes and indented lines list items', () => {
    expect(joinMarkdownBlocks(markdownBlocks(['title\nmore', '• host: failed', '    tail *line*', '  hook: x', '   ']))).toBe('title\n\nmore\n\n• host: failed\n\n> tail \\*line\\*\n\n- hook: x');
  });
});

describe('reconnectDelay (property)', () => {
  it('waits between half a step and a step; steps double up to the cap', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 120_000 }), (attempt, random, baseMs, extra) => {
      const backoff = { baseMs, maxMs: baseMs + extra };
      const step = reconnectStep(attempt, backoff);
      const delay = reconnectDelay(attempt, backoff, () => random);
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
      expect(step).toBeLessThanOrEqual(backoff.maxMs);
      expect(reconnectStep(attempt + 1, backoff)).toBeGreaterThanOrEqual(step);
      if (step * 2 <= backoff.maxMs) expect(reconnectStep(attempt + 1, backoff)).toBe(step * 2);
    }));
  });
});

describe('classifyDingTalkFailure', () => {
  it('reads what the OpenAPI, webhooks and 1:1 sends say', () => {
    expect(classifyDingTalkFailure(400, 'InvalidAuthentication')).toEqual({ kind: 'invalid-token' });
    expect(classifyDingTalkFailure(401, 'whatever')).toEqual({ kind: 'invalid-token' });
    expect(classifyDingTalkFailure(403, 'Forbidden.AccessDenied.QpsLimitForApi')).toEqual({ kind: 'throttled', throttle: 'qps' });
    expect(classifyDingTalkFailure(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi')).toEqual({ kind: 'throttled', throttle: 'qps' });
    expect(classifyDingTalkFailure(403, 'Forbidden.AccessDenied.ApiCountLimitForOrg')).toEqual({ kind: 'throttled', throttle: 'quota' });
    expect(classifyDingTalkFailure(200, '130101')).toEqual({ kind: 'throttled', throttle: 'conversation' });
    expect(classifyDingTalkFailure(429, '429')).toEqual({ kind: 'throttled', throttle: 'qps' });
    expect(classifyDingTalkFailure(200, 'flowControlledStaffIdList')).toEqual({ kind: 'throttled', throttle: 'user' });
    expect(classifyDingTalkFailure(200, 'invalidStaffIdList')).toEqual({ kind: 'undelivered' });
    // a 403 that is not a limit (a missing permission) is not waited out
    expect(classifyDingTalkFailure(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied')).toEqual({ kind: 'other' });
  });
});

describe('AccessTokenCache.reset(token)', () => {
  it('forgets only the token that failed, so calls failing together refresh once', async () => {
    let fetches = 0;
    const cache = new AccessTokenCache(async () => ({ token: `t${++fetches}`, expiresInSeconds: 7200 }), new ManualClock());
    const stale = await cache.get();
    cache.reset(stale);
    const fresh = await cache.get();
    cache.reset(stale); // a second call that failed with the old token
    expect(await cache.get()).toBe(fresh);
    expect(fetches).toBe(2);
  });
});

describe('the card template shipped in deploy/dingtalk/', () => {
  it('declares every parameter deploybot sends to a card, and its buttons call back with a command', () => {
    const template = JSON.parse(readFileSync(new URL('../../deploy/dingtalk/deploybot-card.template.json', import.meta.url), 'utf8')) as { variables: Array<{ name: string }>; callbackType: string; layout: unknown };
    const params = renderCardParams({ text: 'approve?', lines: ['x'], buttons: [{ label: 'Approve', command: 'approve d-20261121-0001' }, { label: 'Reject', command: 'reject d-20261121-0001' }] });
    expect(template.variables.map((v) => v.name).sort()).toEqual(Object.keys(params).sort());
    expect(template.callbackType).toBe('STREAM');
    const layout = JSON.stringify(template.layout);
    expect(layout).toContain('{"command":"${button_1_command}"}');
    expect(layout).toContain('{"command":"${button_2_command}"}');
  });

  it('is what docs/dingtalk.md points at', () => {
    expect(readFileSync(new URL('../../docs/dingtalk.md', import.meta.url), 'utf8')).toContain('deploy/dingtalk/deploybot-card.template.json');
  });
});

describe('DingTalk cards', () => {
  it('when a message has a card, then its fields are **bold** labels, user text stays escaped, links are https only, and a prompt button says what to add', () => {
    const payload = renderRobotMarkdown({
      text: '🔐 approval needed · d-20261121-0001 · deploy mala-core v1.3 → brazil',
      card: {
        title: 'ignored: the text leads',
        fields: [{ label: 'Project', value: ['mala-core'] }, { label: 'Commit', value: [{ link: 'https://github.com/acme/app/commit/abc', text: 'abc1234' }, ' fix *all* [x](http://evil)'] }],
        body: [[{ strong: 'Reason:' }, ' # not a heading'], ['- not a list'], [{ link: 'javascript:alert(1)', text: 'plain' }]],
        context: ['requested by ', { person: 'alice', id: 'dingtalk:0123456' }],
      },
      buttons: [{ label: 'Reject', command: 'reject d-20261121-0001', prompt: { title: 'Reject', label: 'Reason', optional: true } }],
    });
    if (payload.msgtype !== 'markdown') throw new Error('expected markdown');
    const blocks = payload.markdown.text.split('\n\n');
    expect(blocks).toEqual([
      '🔐 approval needed · d-20261121-0001 · deploy mala-core v1.3 → brazil',
      '**Project:** mala-core',
      '**Commit:** [abc1234](https://github.com/acme/app/commit/abc) fix \\*all\\* \\[x\\](http://evil)',
      '**Reason:** # not a heading',
      '\\- not a list',
      'plain',
      'requested by alice',
      'Reject → reply: reject d-20261121-0001 \\[reason\\]',
    ]);
  });
});
