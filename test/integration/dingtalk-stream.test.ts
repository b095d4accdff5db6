// The real dingtalk-stream client (DWClient) against a local gateway that speaks the Stream
// protocol, a local OpenAPI and session webhooks, and a real Redis for redelivery dedupe.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DingTalkAdapter } from '../../src/adapters/dingtalk/dingtalk-adapter.ts';
import type { ChatHandler } from '../../src/core/chat-types.ts';
import { type CommandContext, createCommandRouter } from '../../src/core/command-router.ts';
import { Secret } from '../../src/core/secret.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { type Deferred, deferred, within } from '../fakes/deferred.ts';
import { FakeDingTalkGateway, robotMessageData, TOPIC_ROBOT } from '../fakes/fake-dingtalk-gateway.ts';
import { FakeDingTalkOpenApi } from '../fakes/fake-dingtalk-openapi.ts';
import { reconnectStep } from '../../src/domain/reconnect-delay.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const clientId = `ding${randomBytes(6).toString('hex')}`;
const clientSecret = randomBytes(24).toString('base64url');
const config = chatTestConfig();
const log = captureLogger();

let gateway: FakeDingTalkGateway;
let openapi: FakeDingTalkOpenApi;
let redisServer: TestRedis;
let redis: Redis;
const adapters: DingTalkAdapter[] = [];

interface Seen {
  verb: string;
  user: string;
  channel: string;
}
let seen: Seen[] = [];
let handled: Deferred<Seen> | undefined;

const router: ChatHandler = createCommandRouter({ commands: projectCommands(),
  config,
  logger: log.logger,
  handlers: {
    status: async (_command, ctx) => {
      note('status', ctx);
      await ctx.reply({ text: 'status: all good', lines: ['production v1.3 (abc1234)'] });
    },
    approve: async (_command, ctx) => {
      note('approve', ctx);
    },
  },
});

function note(verb: string, ctx: CommandContext): void {
  const entry = { verb, user: ctx.user.id, channel: ctx.channel };
  seen.push(entry);
  handled?.resolve(entry);
}

async function startAdapter(extra: { cardTemplateId?: string } = {}): Promise<DingTalkAdapter> {
  const adapter = new DingTalkAdapter({
    clientId,
    clientSecret: new Secret(clientSecret, 'DINGTALK_CLIENT_SECRET'),
    redis,
    logger: log.logger,
    gatewayUrl: gateway.connectionsOpenUrl,
    openApiUrl: openapi.baseUrl,
    keyPrefix: `${redisServer.prefix}dingtalk:`,
    ...extra,
  });
  adapters.push(adapter);
  const connections = gateway.opens.entries.length;
  await adapter.start(router);
  await gateway.waitForConnection(connections + 1);
  return adapter;
}

beforeAll(async () => {
  gateway = await FakeDingTalkGateway.start({ clientId, clientSecret });
  openapi = await FakeDingTalkOpenApi.start({ clientId, clientSecret });
  redisServer = await testRedis();
  redis = new Redis(redisServer.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  await startAdapter();
});

afterAll(async () => {
  for (const adapter of adapters) await adapter.stop();
  redis?.disconnect();
  await gateway?.close();
  await openapi?.close();
  await redisServer?.stop();
});

afterEach(() => {
  seen = [];
  handled = undefined;
});

describe('DingTalk over Stream', () => {
  it('connects through the configured gateway, subscribing to robot messages and card callbacks', () => {
    const [open] = gateway.opens.entries;
    expect(open?.clientId).toBe(clientId);
    expect(open?.subscriptions).toEqual(expect.arrayContaining([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'CALLBACK', topic: '/v1.0/card/instances/callback' },
    ]));
  });

  it('when someone @mentions the robot, then the command runs as senderStaffId in conversationId, the push is acked and the reply goes to the session webhook', async () => {
    handled = deferred();
    const webhook = openapi.sessionWebhook('session-status');
    const messageId = gateway.pushRobotMessage({ conversationId: 'cidGroupA', senderStaffId: 'staff-alice', senderNick: 'Alice', content: '@deploybot\u2005status mala-core', sessionWebhook: webhook });
    const [ack] = await gateway.waitForAck(messageId);
    expect(ack?.code).toBe(200);
    expect(await within(handled.promise, 5000, 'the handler')).toEqual({ verb: 'status', user: 'dingtalk:staff-alice', channel: 'cidGroupA' });
    const [reply] = await openapi.waitFor('webhook', 1, (call) => call.session === 'session-status');
    expect(reply?.body).toMatchObject({ msgtype: 'markdown', markdown: { title: 'status: all good' } });
    expect((reply?.body.markdown as { text: string }).text).toContain('production v1.3 (abc1234)');
    expect(openapi.calls('groupSend')).toHaveLength(0);
  });

  it('when a command is wrong, then the answer mentions the user in the conversation (DingTalk has no ephemeral messages)', async () => {
    const webhook = openapi.sessionWebhook('session-wrong');
    gateway.pushRobotMessage({ conversationId: 'cidGroupA', senderStaffId: 'staff-bob', content: 'deploy nonsense dev v1', sessionWebhook: webhook });
    const [reply] = await openapi.waitFor('webhook', 1, (call) => call.session === 'session-wrong');
    expect(reply?.body).toMatchObject({ msgtype: 'text', at: { atUserIds: ['staff-bob'] } });
    expect((reply?.body.text as { content: string }).content).toMatch(/^@staff-bob unknown project "nonsense"/);
    expect(seen).toEqual([]);
  });

  it('when a message is redelivered with the same msgId, to this process or another sharing Redis, then it runs once and every push is acked', async () => {
    const second = await startAdapter(); // another bot process: its own stream connection, the same Redis
    const secondConnection = gateway.opens.entries.length - 1;
    handled = deferred();
    const data = robotMessageData({ msgId: `msg-${randomBytes(4).toString('hex')}`, conversationId: 'cidGroupA', senderStaffId: 'staff-alice', content: 'approve d-20261121-0007', sessionWebhook: openapi.sessionWebhook('session-dup') });
    const first = gateway.push(TOPIC_ROBOT, data, { connection: 0 });
    const again = gateway.push(TOPIC_ROBOT, data, { connection: 0 });
    const elsewhere = gateway.push(TOPIC_ROBOT, data, { connection: secondConnection });
    for (const id of [first, again, elsewhere]) expect((await gateway.waitForAck(id))[0]?.code).toBe(200);
    await within(handled.promise, 5000, 'the handler');
    expect(seen).toEqual([{ verb: 'approve', user: 'dingtalk:staff-alice', channel: 'cidGroupA' }]);
    await second.stop();
  });

  it('when the session webhook has expired, then the reply goes through the OpenAPI group send with a cached access token', async () => {
    const tokensBefore = openapi.calls('accessToken').length;
    for (const n of [1, 2]) {
      gateway.pushRobotMessage({ conversationId: 'cidGroupLate', senderStaffId: 'staff-alice', content: 'status mala-core', sessionWebhook: openapi.sessionWebhook(`session-expired-${n}`), sessionWebhookExpiredTime: Date.now() - 1000 });
      await openapi.waitFor('groupSend', n, (call) => call.body.openConversationId === 'cidGroupLate');
    }
    const sends = openapi.calls('groupSend').filter((call) => call.body.openConversationId === 'cidGroupLate');
    expect(sends[0]?.body).toMatchObject({ robotCode: clientId, openConversationId: 'cidGroupLate', msgKey: 'sampleMarkdown' });
    expect(JSON.parse(sends[0]?.body.msgParam as string)).toMatchObject({ title: 'status: all good' });
    expect(openapi.calls('accessToken').length - tokensBefore).toBe(1);
    expect(openapi.log.filter((call) => call.api === 'webhook' && (call.session ?? '').startsWith('session-expired'))).toHaveLength(0);
  });

  it('without a card template, buttons become "reply:" lines', async () => {
    const [adapter] = adapters;
    await adapter!.messenger.post('cidGroupA', { text: 'mala-core brazil v1.3 needs approval', buttons: [{ label: 'Approve', command: 'approve d-20261121-0001' }, { label: 'Reject', command: 'reject d-20261121-0001' }] });
    const [send] = (await openapi.waitFor('webhook', 1, (call) => JSON.stringify(call.body).includes('needs approval'))).slice(-1);
    const text = (send?.body.markdown as { text: string }).text;
    expect(text).toContain('Approve → reply: approve d-20261121-0001');
    expect(text).toContain('Reject → reply: reject d-20261121-0001');
  });

  it('a robot message is not edited: update posts again only at a milestone', async () => {
    const [adapter] = adapters;
    const count = () => openapi.log.filter((call) => call.api === 'webhook' && JSON.stringify(call.body).includes('d-20261121-0042')).length;
    const ref = await adapter!.messenger.post('cidGroupA', { text: 'deploy d-20261121-0042', lines: ['⏳ distribute 1/10'] });
    await adapter!.messenger.update(ref, { text: 'deploy d-20261121-0042', lines: ['⏳ distribute 7/10'] });
    expect(count()).toBe(1);
    await adapter!.messenger.update(ref, { text: 'deploy d-20261121-0042', lines: ['✅ distribute 10/10'] });
    expect(count()).toBe(2);
  });

  it('with a card template, buttons make an interactive card and a click runs its command as the clicking user', async () => {
    const cardAdapter = await startAdapter({ cardTemplateId: 'tpl-approval.schema' });
    const connection = gateway.opens.entries.length - 1;
    const ref = await cardAdapter.messenger.post('cidGroupA', { text: 'approve mala-core brazil v1.3?', buttons: [{ label: 'Approve', command: 'approve d-20261121-0009', style: 'primary' }, { label: 'Reject', command: 'reject d-20261121-0009', style: 'danger' }] });
    expect(ref.id).toMatch(/^card:/);
    const outTrackId = ref.id.slice('card:'.length);
    const [create] = openapi.calls('cardCreate').filter((call) => call.body.outTrackId === outTrackId);
    expect(create?.body).toMatchObject({ cardTemplateId: 'tpl-approval.schema', callbackType: 'STREAM' });
    expect((create?.body.cardData as { cardParamMap: Record<string, string> }).cardParamMap).toMatchObject({ button_1_command: 'approve d-20261121-0009', button_count: '2' });
    const [deliver] = openapi.calls('cardDeliver').filter((call) => call.body.outTrackId === outTrackId);
    expect(deliver?.body).toMatchObject({ openSpaceId: 'dtv1.card//IM_GROUP.cidGroupA', imGroupOpenDeliverModel: { robotCode: clientId } });

    handled = deferred();
    const click = gateway.pushCardCallback({ outTrackId, userId: 'staff-bob', params: { command: 'approve d-20261121-0009' } }, { connection });
    expect((await gateway.waitForAck(click))[0]?.code).toBe(200);
    expect(await within(handled.promise, 5000, 'the approve handler')).toEqual({ verb: 'approve', user: 'dingtalk:staff-bob', channel: 'cidGroupA' });

    const forged = gateway.pushCardCallback({ outTrackId, userId: 'staff-bob', params: { command: 'unlock mala-core brazil' } }, { connection });
    await gateway.waitForAck(forged);
    await openapi.waitFor('webhook', 1, (call) => JSON.stringify(call.body).includes('not one deploybot offered'));
    expect(seen).toHaveLength(1);

    await cardAdapter.messenger.update(ref, { text: 'approved by staff-bob' });
    const [update] = openapi.calls('cardUpdate').filter((call) => call.body.outTrackId === outTrackId);
    expect((update?.body.cardData as { cardParamMap: Record<string, string> }).cardParamMap).toMatchObject({ title: 'approved by staff-bob', button_count: '0' });
    await cardAdapter.stop();
  });

  it('when the gateway refuses the credentials, then start still returns, says so once, and stop ends the retries', async () => {
    const wrongSecret = randomBytes(24).toString('base64url');
    const refused = new DingTalkAdapter({ clientId, clientSecret: new Secret(wrongSecret, 'DINGTALK_CLIENT_SECRET'), redis, logger: log.logger, gatewayUrl: gateway.connectionsOpenUrl, openApiUrl: openapi.baseUrl });
    await refused.start(router);
    expect(refused.client.connected).toBe(false);
    const warnings = log.lines.filter((line) => line.includes('cannot open the dingtalk stream'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('401 InvalidAuthentication');
    await refused.stop();
    expect(log.text()).not.toContain(wrongSecret);
  });

  it('never logs the client secret or an access token', () => {
    expect(log.text()).not.toContain(clientSecret);
    for (const call of openapi.calls('accessToken')) expect(call.status).toBe(200);
    expect(log.text()).not.toMatch(/tok-[0-9a-f]{16}/);
  });
});

describe('the stream connection', () => {
  it('when the gateway refuses 5 handshakes in a row, then attempts back off, at most one socket is ever open, and one connection serves pushes; a dropped connection is replaced once; stop closes it', async () => {
    const own = await FakeDingTalkGateway.start({ clientId, clientSecret });
    const backoff = { baseMs: 40, maxMs: 320 };
    try {
      own.refuseHandshakes(5);
      const adapter = new DingTalkAdapter({ clientId, clientSecret: new Secret(clientSecret, 'DINGTALK_CLIENT_SECRET'), redis, logger: log.logger, gatewayUrl: own.connectionsOpenUrl, openApiUrl: openapi.baseUrl, keyPrefix: `${redisServer.prefix}dingtalk-reconnect:`, reconnectBackoff: backoff });
      await adapter.start(router);
      await own.waitForConnection(1);

      // a push is acked and handled over the one connection (so any attempt still in flight has had its turn)
      handled = deferred();
      const first = own.pushRobotMessage({ conversationId: 'cidReconnect', senderStaffId: 'staff-alice', content: 'approve d-20261121-0101', sessionWebhook: openapi.sessionWebhook() });
      expect((await own.waitForAck(first))[0]?.code).toBe(200);
      await within(handled.promise, 5000, 'the handler');

      const attempts = own.handshakes.entries;
      expect(attempts.map((h) => h.accepted)).toEqual([false, false, false, false, false, true]);
      expect(own.maxOpenConnections).toBe(1);
      expect(own.openConnections).toBe(1);
      const gaps = attempts.slice(1).map((h, i) => h.at - attempts[i]!.at);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(reconnectStep(i, backoff) / 2 - 2));
      expect(gaps[3]!).toBeGreaterThan(gaps[0]!);
      expect(log.lines.filter((line) => line.includes('cannot open the dingtalk stream') && line.includes('503'))).toHaveLength(1);

      // the gateway drops the connection: exactly one new socket replaces it
      own.resetMaxOpen();
      own.dropConnections();
      await own.waitForConnection(2);
      handled = deferred();
      const second = own.pushRobotMessage({ conversationId: 'cidReconnect', senderStaffId: 'staff-alice', content: 'approve d-20261121-0102', sessionWebhook: openapi.sessionWebhook() });
      expect((await own.waitForAck(second))[0]?.code).toBe(200);
      await within(handled.promise, 5000, 'the handler after the reconnect');
      expect(own.handshakes.entries).toHaveLength(7);
      expect(own.maxOpenConnections).toBe(1);

      await adapter.stop();
      await own.waitForNoConnection();
      expect(adapter.client.state).toBe('stopped');
    } finally {
      await own.close();
    }
  });
});
