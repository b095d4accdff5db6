// `deploybot serve` with DingTalk end to end: the real dingtalk-stream client against a local
// Stream gateway and OpenAPI, a real Redis, workers in-process, local hosts and a real git
// repository. Commands arrive as robot messages; answers, the approval card (as "reply:"
// lines, no card template) and progress milestones go back through the session webhook.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningServe, startServe } from '../../src/cli/run-serve.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { within } from '../fakes/deferred.ts';
import { FakeDingTalkGateway, robotMessageData, TOPIC_ROBOT } from '../fakes/fake-dingtalk-gateway.ts';
import { FakeDingTalkOpenApi, type OpenApiCall } from '../fakes/fake-dingtalk-openapi.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const clientId = `ding${randomBytes(6).toString('hex')}`;
const clientSecret = randomBytes(24).toString('base64url');
const conversation = 'cidDeploys';
const log = captureLogger('info');

let base: string;
let repo: TestRepo;
let gateway: FakeDingTalkGateway;
let openapi: FakeDingTalkOpenApi;
let serve: RunningServe;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-serve-dingtalk-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2'] });
  gateway = await FakeDingTalkGateway.start({ clientId, clientSecret });
  openapi = await FakeDingTalkOpenApi.start({ clientId, clientSecret });
  serve = await startServe({
    config: marketTestConfig(base, repo.dir),
    env: { REDIS_URL: inject('redisUrl'), DINGTALK_CLIENT_ID: clientId, DINGTALK_CLIENT_SECRET: clientSecret, DINGTALK_GATEWAY_URL: gateway.connectionsOpenUrl, DINGTALK_OPENAPI_URL: openapi.baseUrl },
    logger: log.logger,
    say: (line) => log.logger.info(line),
    port: 0,
    host: '127.0.0.1',
    dataDir: join(base, 'var'),
    prefix: `serve-ding-${randomBytes(4).toString('hex')}`,
  });
  await gateway.waitForConnection(1);
});

afterAll(async () => {
  await serve?.stop();
  await gateway?.close();
  await openapi?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** What a robot message posted through the session webhook says. */
function textOf(call: OpenApiCall): string {
  const body = call.body as { text?: { content?: string }; markdown?: { text?: string } };
  return body.text?.content ?? body.markdown?.text ?? '';
}

/** The n-th message to the conversation's webhooks matching `pattern`, once it has arrived. */
async function said(pattern: RegExp, n = 1): Promise<string> {
  const calls = await openapi.waitFor('webhook', n, (call) => pattern.test(textOf(call)));
  return textOf(calls[n - 1]!);
}

/** A robot message typed by `user` in the deploys group; returns the robot data pushed (for redelivery). */
function type(user: string, content: string): Record<string, unknown> {
  const data = robotMessageData({ conversationId: conversation, senderStaffId: user, senderNick: user, content: `@deploybot\u2005${content}`, sessionWebhook: openapi.sessionWebhook(`s-${randomBytes(4).toString('hex')}`) });
  gateway.push(TOPIC_ROBOT, data);
  return data;
}

const settled = (deployId: string) => within(serve.bot.notifier.settled(deployId), 45_000, `${deployId} to settle in chat`);
const stateOf = async (deployId: string) => (await serve.bot.jobs.rt.records.require(deployId)).state;

describe('deploybot serve with DingTalk', () => {
  it('says DingTalk is on and Slack is off', () => {
    expect(serve.slack).toBeUndefined();
    expect(serve.dingtalk).toBeDefined();
    expect(log.text()).toContain('dingtalk: on (Stream mode, approvals by `approve <id>` replies)');
    expect(log.text()).toContain('slack: off — SLACK_BOT_TOKEN is not set');
  });

  it('when a brazil deploy is requested (and its message redelivered) and approved from DingTalk, then it runs once, answers go through the session webhook and every host switches', async () => {
    type('0123456', 'deploy mala-core dev v1');
    const devId = /^@0123456 (d-\d{8}-\d{4}) accepted/.exec(await said(/^@0123456 d-\d{8}-\d{4} accepted: deploy mala-core v1 → dev/))![1]!;
    await settled(devId);
    expect(await stateOf(devId)).toBe('success');
    expect(await said(new RegExp(`^${devId} · .*✅ success`, 's'))).toContain('1/1 hosts switched');

    // the same push delivered three times (the platform redelivers; the msgId is what stays the same)
    const data = type('0123456', 'deploy mala-core brazil v1');
    const again = gateway.push(TOPIC_ROBOT, data);
    const thrice = gateway.push(TOPIC_ROBOT, data);
    for (const id of [again, thrice]) expect((await gateway.waitForAck(id))[0]?.code).toBe(200);
    const accepted = await said(/^@0123456 d-\d{8}-\d{4} accepted: deploy mala-core v1 → brazil/);
    const id = /^@0123456 (d-\d{8}-\d{4})/.exec(accepted)![1]!;
    await settled(id);
    expect(await stateOf(id)).toBe('awaiting-approval');

    const card = await said(new RegExp(`^🔐 approval needed · ${id}`));
    expect(card).toContain(`Approve → reply: approve ${id}`);
    expect(card).toContain(`Reject → reply: reject ${id}`);

    type('0999999', `approve ${id}`);
    expect(await said(/^@0999999 /)).toContain(`Only alice, bob may decide ${id}`);
    type('0123456', `approve ${id}`);
    expect(await said(new RegExp(`^@0123456 You requested ${id}`))).toContain('an approver other than the requester');
    expect(await stateOf(id)).toBe('awaiting-approval');

    type('7654321', `approve ${id}`);
    expect(await said(/^@7654321 /)).toContain(`You approved ${id}`);
    await settled(id);
    expect(await stateOf(id)).toBe('success');
    expect(await said(new RegExp(`^${id} · .*✅ success`, 's'))).toContain('3/3 hosts switched');
    for (const host of ['br-1', 'br-2', 'br-gray']) expect(online(host)).toContain(sha7('v1'));

    // one deploy record, one accepted answer, one run: the redeliveries ran nothing
    const brazil = await serve.bot.jobs.rt.records.history('mala-core', 'brazil', 10);
    expect(brazil.map((r) => r.id)).toEqual([id]);
    expect(openapi.calls('webhook').filter((call) => /accepted: deploy mala-core v1 → brazil/.test(textOf(call)))).toHaveLength(1);
    const prepared = (await serve.bot.jobs.rt.queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])).filter((job) => job.data.deployId === id);
    expect(prepared.map((job) => job.name).sort()).toEqual(['prepare', 'run']);
    const afterDeploys = (await serve.bot.jobs.rt.bus.notices(id)).filter((n) => n.type === 'deploy.started');
    expect(afterDeploys).toHaveLength(1);

    // every answer to this conversation went through session webhooks, none through the OpenAPI
    expect(openapi.calls('groupSend')).toHaveLength(0);
    const outcomes = (await serve.metrics.deploys.get()).values.map((v) => `${v.labels.market}:${v.labels.outcome}=${v.value}`).sort();
    expect(outcomes).toEqual(['brazil:success=1', 'dev:success=1']);
  });

  it('when the access token is revoked mid-deploy (the session webhook long expired), then the OpenAPI answers 400 InvalidAuthentication, a new token is fetched and the final state is still delivered', async () => {
    const late = 'cidLate';
    const groupText = (call: OpenApiCall) => {
      const param = JSON.parse(String(call.body.msgParam ?? '{}')) as { content?: string; text?: string };
      return param.text ?? param.content ?? '';
    };
    // revoked right after the "accepted" answer went out, before the deploy's progress
    openapi.revokeTokensAfter((call) => call.api === 'groupSend' && call.body.openConversationId === late && /accepted: deploy mala-core v2 → dev/.test(groupText(call)));
    const tokensBefore = openapi.calls('accessToken').length;
    gateway.push(TOPIC_ROBOT, robotMessageData({ conversationId: late, senderStaffId: 'alice', senderNick: 'alice', content: '@deploybot\u2005deploy mala-core dev v2', sessionWebhook: openapi.sessionWebhook('s-expired'), sessionWebhookExpiredTime: Date.now() - 60_000 }));
    const [accepted] = await openapi.waitFor('groupSend', 1, (call) => call.body.openConversationId === late && /accepted/.test(groupText(call)));
    const id = /(d-\d{8}-\d{4}) accepted/.exec(groupText(accepted!))![1]!;
    await settled(id);
    expect(await stateOf(id)).toBe('success');
    expect(online('dev-1')).toContain(sha7('v2'));

    const sends = openapi.calls('groupSend').filter((call) => call.body.openConversationId === late);
    const refused = sends.filter((call) => call.status === 400);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.reply).toMatchObject({ code: 'InvalidAuthentication' });
    const final = sends.filter((call) => call.status === 200 && new RegExp(`^${id} · .*✅ success`, 's').test(groupText(call)));
    expect(final).toHaveLength(1);
    expect(sends.indexOf(final[0]!)).toBeGreaterThan(sends.indexOf(refused[0]!));
    // one new token after the refusal, not one per call
    const refusedAt = openapi.log.entries.indexOf(refused[0]!);
    expect(openapi.log.entries.slice(refusedAt).filter((call) => call.api === 'accessToken')).toHaveLength(1);
    expect(openapi.calls('accessToken').length).toBeGreaterThan(tokensBefore);
    expect(openapi.calls('webhook').filter((call) => call.session === 's-expired')).toHaveLength(0);
  });

  it('never logs the client secret', () => {
    expect(log.text()).not.toContain(clientSecret);
  });
});
