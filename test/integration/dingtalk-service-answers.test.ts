// The DingTalk adapter against a local OpenAPI that answers like the real one where it
// matters: 400 InvalidAuthentication for a stale token, 403 QPS and monthly-quota throttles,
// errcode 130101 on a session webhook, partial per-target failures on HTTP 200 — with a
// real Redis for conversation routes. Each test checks what ends up in chat (the calls the
// fake received and what they carried), in the metrics and in the log.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationRoutes } from '../../src/adapters/dingtalk/conversation-routes.ts';
import { DingTalkAdapter } from '../../src/adapters/dingtalk/dingtalk-adapter.ts';
import type { ChatHandler } from '../../src/core/chat-types.ts';
import { createCommandRouter } from '../../src/core/command-router.ts';
import { Secret } from '../../src/core/secret.ts';
import { createMetrics } from '../../src/notify/metrics.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { FakeDingTalkGateway } from '../fakes/fake-dingtalk-gateway.ts';
import { FakeDingTalkOpenApi, type OpenApiCall } from '../fakes/fake-dingtalk-openapi.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const clientId = `ding${randomBytes(6).toString('hex')}`;
const clientSecret = randomBytes(24).toString('base64url');
const log = captureLogger();
const metrics = createMetrics({ processMetrics: false });

let gateway: FakeDingTalkGateway;
let openapi: FakeDingTalkOpenApi;
let redisServer: TestRedis;
let redis: Redis;
let routes: ConversationRoutes;
let adapter: DingTalkAdapter;
let cardAdapter: DingTalkAdapter;

const router: ChatHandler = createCommandRouter({ commands: projectCommands(), config: chatTestConfig(), logger: log.logger, handlers: {} });
const throttlePauses = { conversation: 80, user: 80, qps: 60, quota: 120 };

function makeAdapter(extra: { cardTemplateId?: string } = {}): DingTalkAdapter {
  return new DingTalkAdapter({
    clientId,
    clientSecret: new Secret(clientSecret, 'DINGTALK_CLIENT_SECRET'),
    redis,
    logger: log.logger,
    metrics,
    gatewayUrl: gateway.connectionsOpenUrl,
    openApiUrl: openapi.baseUrl,
    keyPrefix: `${redisServer.prefix}dingtalk:`,
    throttlePauses,
    ...extra,
  });
}

/** A conversation whose session webhook expired long ago (a long deploy): only the OpenAPI reaches it. */
async function lateGroup(): Promise<string> {
  const id = `cid${randomBytes(5).toString('hex')}`;
  await routes.remember(id, { type: '2', webhook: openapi.sessionWebhook(), webhookExpiresAt: Date.now() - 60_000 });
  return id;
}

/** Text a group or 1:1 OpenAPI send carried (`msgParam` is a JSON string). */
function sentText(call: OpenApiCall): string {
  const param = JSON.parse(String(call.body.msgParam ?? '{}')) as { content?: string; text?: string };
  return param.text ?? param.content ?? '';
}

async function counted(counter: 'chatRateLimited' | 'chatUndelivered', labels: Record<string, string>): Promise<number> {
  const values = (await metrics[counter].get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want)).reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  gateway = await FakeDingTalkGateway.start({ clientId, clientSecret });
  openapi = await FakeDingTalkOpenApi.start({ clientId, clientSecret });
  redisServer = await testRedis();
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: 2 });
  routes = new ConversationRoutes(redis, `${redisServer.prefix}dingtalk:`);
  adapter = makeAdapter();
  cardAdapter = makeAdapter({ cardTemplateId: 'tpl-deploybot.schema' });
  await adapter.start(router);
  await cardAdapter.start(router);
});

afterAll(async () => {
  await adapter?.stop();
  await cardAdapter?.stop();
  redis?.disconnect();
  await gateway?.close();
  await openapi?.close();
  await redisServer?.stop();
});

describe('DingTalk when the service says no', () => {
  it('when the token is revoked, then the 400 InvalidAuthentication answer makes one new token and the message is delivered', async () => {
    const cid = await lateGroup();
    await adapter.messenger.post(cid, { text: 'first' });
    openapi.revokeTokens();
    const tokens = openapi.calls('accessToken').length;
    await Promise.all([adapter.messenger.post(cid, { text: 'second' }), adapter.messenger.post(cid, { text: 'third' })]);
    const sends = openapi.calls('groupSend').filter((call) => call.body.openConversationId === cid);
    // one or both sends may meet the stale token, as the two race to the first refusal; each
    // refusal is InvalidAuthentication, and however many there were they share one refresh
    const refused = sends.filter((call) => call.status === 400).map((call) => call.reply);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(refused).toEqual(refused.map(() => expect.objectContaining({ code: 'InvalidAuthentication' })));
    expect(sends.filter((call) => call.status === 200).map(sentText).sort()).toEqual(['first', 'second', 'third']);
    expect(openapi.calls('accessToken').length - tokens).toBe(1); // both stale calls share one refresh
  });

  it('when the OpenAPI answers 403 QPS limits and the monthly quota, then the final state waits them out, lands once, and every throttle is counted', async () => {
    const cid = await lateGroup();
    const before = await counted('chatRateLimited', { platform: 'dingtalk', method: 'robot group send' });
    openapi.throttle('groupSend', 'qps', 2);
    openapi.throttle('groupSend', 'quota', 1);
    const editor = adapter.createProgressEditor();
    try {
      await editor.finish({ channel: cid, id: 'msg:final-1' }, { text: 'd-20261121-0301 · ✅ success' });
    } finally {
      editor.close?.();
    }
    const sends = openapi.calls('groupSend').filter((call) => call.body.openConversationId === cid);
    // three refusals, then the delivery; nothing was sent while DingTalk asked to wait
    expect(sends.map((call) => call.status)).toEqual([403, 403, 403, 200]);
    expect(sends.map((call) => (call.reply as { code?: string }).code).slice(0, 3)).toEqual(['Forbidden.AccessDenied.QpsLimitForApi', 'Forbidden.AccessDenied.QpsLimitForApi', 'Forbidden.AccessDenied.ApiCountLimitForOrg']);
    expect(sentText(sends[3]!)).toContain('✅ success');
    expect(await counted('chatRateLimited', { platform: 'dingtalk', method: 'robot group send' }) - before).toBe(3);
    expect(log.lines.some((line) => line.includes('DingTalk throttled deploybot') && line.includes('quota'))).toBe(true);
  });

  it('when the session webhook answers errcode 130101, then that conversation waits, the final state lands through the webhook and is counted', async () => {
    const cid = `cid${randomBytes(5).toString('hex')}`;
    const session = `s-${randomBytes(4).toString('hex')}`;
    await routes.remember(cid, { type: '2', webhook: openapi.sessionWebhook(session), webhookExpiresAt: Date.now() + 3600_000 });
    openapi.throttle('webhook', 'robot', 1);
    const editor = adapter.createProgressEditor();
    try {
      await editor.finish({ channel: cid, id: 'msg:final-2' }, { text: 'd-20261121-0302 · ❌ failed' });
    } finally {
      editor.close?.();
    }
    const calls = openapi.calls('webhook').filter((call) => call.session === session);
    expect(calls.map((call) => (call.reply as { errcode: number }).errcode)).toEqual([130101, 0]);
    expect(await counted('chatRateLimited', { platform: 'dingtalk', method: 'session webhook' })).toBeGreaterThanOrEqual(1);
  });

  it('when a 1:1 send answers 200 with the user flow-controlled, then it is counted as throttled and retried; with the user invalid, it fails and is counted as undelivered', async () => {
    const cid = `cid${randomBytes(5).toString('hex')}`;
    await routes.remember(cid, { type: '1', userId: 'staff-carol' });
    openapi.flowControlUsers('staff-carol', 1);
    const editor = adapter.createProgressEditor();
    try {
      await editor.finish({ channel: cid, id: 'msg:final-3' }, { text: 'd-20261121-0303 · ✅ success' });
    } finally {
      editor.close?.();
    }
    const sends = openapi.calls('oneToOneSend').filter((call) => (call.body.userIds as string[])[0] === 'staff-carol');
    expect(sends.map((call) => (call.reply as { flowControlledStaffIdList: string[] }).flowControlledStaffIdList)).toEqual([['staff-carol'], []]);
    expect(await counted('chatRateLimited', { platform: 'dingtalk', method: 'robot 1:1 send' })).toBe(1);

    const gone = `cid${randomBytes(5).toString('hex')}`;
    await routes.remember(gone, { type: '1', userId: 'staff-left' });
    openapi.invalidUsers('staff-left');
    await expect(adapter.messenger.post(gone, { text: 'hello' })).rejects.toThrow(/invalidStaffIdList/);
    expect(await counted('chatUndelivered', { platform: 'dingtalk', method: 'robot 1:1 send', reason: 'invalidStaffIdList' })).toBe(1);
  });

  it('when a card is created but its delivery answers 200 with the group failed, then the approval goes out as a robot message with reply lines, and it is logged and counted', async () => {
    const cid = `cid${randomBytes(5).toString('hex')}`;
    const session = `s-${randomBytes(4).toString('hex')}`;
    await routes.remember(cid, { type: '2', webhook: openapi.sessionWebhook(session), webhookExpiresAt: Date.now() + 3600_000 });
    openapi.undeliverCards(1);
    const ref = await cardAdapter.messenger.post(cid, { text: '🔐 approval needed · d-20261121-0304', buttons: [{ label: 'Approve', command: 'approve d-20261121-0304' }, { label: 'Reject', command: 'reject d-20261121-0304' }] });
    expect(ref.id).toMatch(/^msg:/);
    const [fallback] = openapi.calls('webhook').filter((call) => call.session === session);
    const text = (fallback?.body.markdown as { text: string }).text;
    expect(text).toContain('Approve → reply: approve d-20261121-0304');
    expect(await counted('chatUndelivered', { platform: 'dingtalk', method: 'card deliver', reason: 'card_not_delivered' })).toBe(1);
    expect(log.lines.some((line) => line.includes('interactive card was not delivered') && line.includes('robot is not a member of the group'))).toBe(true);
  });

  it('when the session webhook has expired, then a private answer through the group send names the user in words, never a literal @staffId; in a 1:1 chat it is plain', async () => {
    const cid = await lateGroup();
    await adapter.messenger.postPrivate(cid, { id: 'dingtalk:0123456', name: 'Alice' }, 'you may not decide d-20261121-0305');
    await adapter.messenger.postPrivate(cid, { id: 'dingtalk:0999' }, 'nothing was run');
    const sends = openapi.calls('groupSend').filter((call) => call.body.openConversationId === cid);
    expect(sends.map((call) => call.body.msgKey)).toEqual(['sampleText', 'sampleText']);
    expect(sends.map(sentText)).toEqual(['For Alice: you may not decide d-20261121-0305', 'For user 0999: nothing was run']);

    const direct = `cid${randomBytes(5).toString('hex')}`;
    await routes.remember(direct, { type: '1', userId: '0123456' });
    await adapter.messenger.postPrivate(direct, { id: 'dingtalk:0123456', name: 'Alice' }, 'you may not decide d-20261121-0305');
    const [oneToOne] = openapi.calls('oneToOneSend').filter((call) => (call.body.userIds as string[])[0] === '0123456');
    expect(sentText(oneToOne!)).toBe('you may not decide d-20261121-0305');

    // while the webhook is valid, the mention is a real one, by staff id
    const live = `cid${randomBytes(5).toString('hex')}`;
    const session = `s-${randomBytes(4).toString('hex')}`;
    await routes.remember(live, { type: '2', webhook: openapi.sessionWebhook(session), webhookExpiresAt: Date.now() + 3600_000 });
    await adapter.messenger.postPrivate(live, { id: 'dingtalk:0123456', name: 'Alice' }, 'hi');
    const [mention] = openapi.calls('webhook').filter((call) => call.session === session);
    expect(mention?.body).toEqual({ msgtype: 'text', text: { content: '@0123456 hi' }, at: { atUserIds: ['0123456'] } });
  });

  it('when a message carries output tails, a link and an image from a reason, then DingTalk gets its documented markdown: escaped, one paragraph per line, tails as quotes', async () => {
    const cid = `cid${randomBytes(5).toString('hex')}`;
    const session = `s-${randomBytes(4).toString('hex')}`;
    await routes.remember(cid, { type: '2', webhook: openapi.sessionWebhook(session), webhookExpiresAt: Date.now() + 3600_000 });
    await adapter.messenger.post(cid, {
      text: 'd-20261121-0306 · deploy mala-core → brazil · feature/*bold*_branch\nsecond line',
      lines: ['reason: rejected by bob: see [the wiki](http://evil.example/x) ![x](http://evil.example/p.png)', '• br-1 (distribute): exit 1', '    # not a heading', '    1. not a list', '  fix: <b>html</b> `code`'],
    });
    const [call] = openapi.calls('webhook').filter((c) => c.session === session);
    const text = (call?.body.markdown as { text: string }).text;
    expect(text.split('\n\n')).toEqual([
      'd-20261121-0306 · deploy mala-core → brazil · feature/\\*bold\\*\\_branch',
      'second line',
      'reason: rejected by bob: see \\[the wiki\\](http://evil.example/x) !\\[x\\](http://evil.example/p.png)',
      '• br-1 (distribute): exit 1',
      '> \\# not a heading',
      '> 1\\. not a list',
      '- fix: \\<b>html\\</b> \\`code\\`',
    ]);
    expect(text).not.toMatch(/(^|[^\\])\]\(/);
    expect(text).not.toMatch(/^ {4}/m);
  });
});
