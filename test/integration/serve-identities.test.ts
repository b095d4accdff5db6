// Identities across platforms, end to end: one `deploybot serve` with both the real Slack
// adapter (HTTP mode, signed requests against a fake Slack Web API) and the real DingTalk
// adapter (dingtalk-stream against a local gateway), plus the real console adapter on the
// same router — one bot, three platforms, a real Redis, local hosts and a real git repo.
// alice is a person with a Slack id and a DingTalk staff id; brazil's approvers are `alice`
// and `slack:U01BOB`. What is checked: the record in Redis, the hosts, and what chat received.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Config, parseConfig } from '../../config/load-config.ts';
import { ConsoleAdapter } from '../../src/adapters/console/console-adapter.ts';
import { type RunningServe, startServe } from '../../src/cli/run-serve.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { within } from '../fakes/deferred.ts';
import { FakeDingTalkGateway, robotMessageData, TOPIC_ROBOT } from '../fakes/fake-dingtalk-gateway.ts';
import { FakeDingTalkOpenApi, type OpenApiCall } from '../fakes/fake-dingtalk-openapi.ts';
import { FakeSlackApi, type FakeSlackMessage } from '../fakes/fake-slack-api.ts';
import { buttonClickRequest, postToSlackEndpoint, slashCommandRequest } from '../fakes/sign-slack-request.ts';
import { blockText } from '../support/block-kit-limits.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const slackToken = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const clientId = `ding${randomBytes(6).toString('hex')}`;
const clientSecret = randomBytes(24).toString('base64url');
const conversation = 'cidDeploys';
const log = captureLogger('info');

let base: string;
let repo: TestRepo;
let slack: FakeSlackApi;
let gateway: FakeDingTalkGateway;
let openapi: FakeDingTalkOpenApi;
let serve: RunningServe;
let events: string;
let consoleOut = '';
let consoleAdapter: ConsoleAdapter;

const BRAZIL_HOSTS = ['br-1', 'br-2', 'br-gray'];
const onlinePath = (host: string) => join(base, 'hosts', host, 'data/prod/mala-core');
const online = (host: string) => basename(realpathSync(onlinePath(host)));

/** The market test config (people alice, bob, carol) with brazil approved by `alice` or `slack:U01BOB`. */
function identitiesConfig(): Config {
  marketTestConfig(base, repo.dir);
  const file = join(base, 'deploybot.yaml');
  const document = JSON.parse(readFileSync(file, 'utf8')) as { markets: { brazil: { approval: Record<string, unknown> } }; chat?: unknown };
  document.markets.brazil.approval = { approvers: ['alice', 'slack:U01BOB'], required: 1, expiresAfter: '30m' };
  document.chat = { slack: { defaultChannel: 'C0DEFAULT' } };
  const text = JSON.stringify(document, null, 2);
  writeFileSync(file, text);
  const parsed = parseConfig(text, file, {});
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-identities-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1'] });
  slack = await FakeSlackApi.start({ token: slackToken });
  gateway = await FakeDingTalkGateway.start({ clientId, clientSecret });
  openapi = await FakeDingTalkOpenApi.start({ clientId, clientSecret });
  serve = await startServe({
    config: identitiesConfig(),
    env: {
      REDIS_URL: inject('redisUrl'),
      SLACK_BOT_TOKEN: slackToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl,
      DINGTALK_CLIENT_ID: clientId, DINGTALK_CLIENT_SECRET: clientSecret, DINGTALK_GATEWAY_URL: gateway.connectionsOpenUrl, DINGTALK_OPENAPI_URL: openapi.baseUrl,
    },
    logger: log.logger,
    say: (line) => log.logger.info(line),
    port: 0,
    host: '127.0.0.1',
    dataDir: join(base, 'var'),
    prefix: `serve-ids-${randomBytes(4).toString('hex')}`,
  });
  events = `${serve.http.url}/slack/events`;
  await gateway.waitForConnection(1);
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => (consoleOut += chunk.toString()));
  consoleAdapter = new ConsoleAdapter({ input: new PassThrough(), output, user: 'U01BOB' });
  await consoleAdapter.start(serve.bot.router, { readInput: false });
});

afterAll(async () => {
  await serve?.stop();
  await slack?.close();
  await gateway?.close();
  await openapi?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** A signed `/deploy …` from Slack user `userId`; returns the deploy id from the private answer. */
async function slackDeploy(text: string, userId: string): Promise<string> {
  const before = slack.callsTo('chat.postEphemeral').filter((c) => c.params.user === userId).length;
  const response = await postToSlackEndpoint(events, slashCommandRequest({ command: '/deploy', text, userId, channelId: 'C0COMMAND' }, { signingSecret }));
  expect(response.status).toBe(200);
  const answers = await slack.waitForCalls('chat.postEphemeral', before + 1, (c) => c.params.user === userId, 20_000);
  const answer = String(answers[before]!.params.text);
  const id = /^(d-\d{8}-\d{4}) accepted/.exec(answer)?.[1];
  if (!id) throw new Error(`"/deploy ${text}" was not accepted: ${answer}`);
  return id;
}

/** The private Slack answer to `userId` containing `text`, once it has arrived. */
async function slackEphemeral(userId: string, text: string): Promise<string> {
  const calls = await slack.waitForCalls('chat.postEphemeral', 1, (c) => c.params.user === userId && String(c.params.text).includes(text), 20_000);
  return String(calls[0]!.params.text);
}

/** A robot message typed by DingTalk staff id `staffId`; resolves with the bot's answer mentioning them. */
async function dingtalkSays(staffId: string, content: string): Promise<string> {
  const textOf = (call: OpenApiCall) => (call.body as { text?: { content?: string } }).text?.content ?? '';
  const before = openapi.calls('webhook').filter((call) => textOf(call).startsWith(`@${staffId} `)).length;
  gateway.push(TOPIC_ROBOT, robotMessageData({ conversationId: conversation, senderStaffId: staffId, senderNick: staffId, content: `@deploybot\u2005${content}`, sessionWebhook: openapi.sessionWebhook(`s-${randomBytes(4).toString('hex')}`) }));
  const calls = await openapi.waitFor('webhook', before + 1, (call) => textOf(call).startsWith(`@${staffId} `));
  return textOf(calls[before]!);
}

/** What the console printed in answer to `line`. */
async function consoleSays(line: string): Promise<string> {
  const from = consoleOut.length;
  await consoleAdapter.submit(line);
  return consoleOut.slice(from);
}

function shown(state: { text: string; blocks: unknown[] }): string {
  return blockText(state);
}

function cardOf(deployId: string): FakeSlackMessage {
  const found = [...slack.messages.values()].filter((m) => m.history[0]!.text.startsWith(`🔐 approval needed · ${deployId} · `));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function approveButton(card: FakeSlackMessage): { action_id: string; value: string } {
  const elements = card.history[0]!.blocks.flatMap((block) => ((block as { type: string }).type === 'actions' ? (block as { elements: Array<{ action_id: string; value: string }> }).elements : []));
  return elements[0]!;
}

const settled = (deployId: string) => within(serve.bot.notifier.settled(deployId), 45_000, `${deployId} to settle in chat`);
const recordOf = (deployId: string) => serve.bot.jobs.rt.records.require(deployId);

describe('identities across platforms (Slack, DingTalk and the console on one bot)', () => {
  it('when Slack U01ALICE asks for brazil, then alice from DingTalk, DingTalk "U01BOB" and console "U01BOB" cannot approve; bob on Slack can, and only then it runs', async () => {
    const dev = await slackDeploy('mala-core dev v1', 'U01ALICE');
    await settled(dev);
    expect((await recordOf(dev)).state).toBe('success');

    const id = await slackDeploy('mala-core brazil v1', 'U01ALICE');
    await settled(id);
    expect((await recordOf(id)).requestedBy).toBe('slack:U01ALICE');
    expect((await recordOf(id)).state).toBe('awaiting-approval');

    // the card names people, not raw ids
    const card = cardOf(id);
    // Slack shows people as mentions (its clients show their names); alice asked, so only bob is asked to decide
    expect(shown(card.history[0]!)).toContain('requested by <@U01ALICE>');
    expect(shown(card.history[0]!)).toContain('Waiting for <@U01BOB>.');
    expect(card.history[0]!.text).not.toContain('U01');

    // alice's own DingTalk staff id: self-approval from a second platform
    expect(await dingtalkSays('0123456', `approve ${id}`)).toContain(`You requested ${id}; an approver other than the requester must decide (bob)`);
    // `slack:U01BOB` is not a DingTalk staff id U01BOB, nor a console user named U01BOB
    expect(await dingtalkSays('U01BOB', `approve ${id}`)).toContain(`Only alice, bob may decide ${id}; nothing changed.`);
    expect(await consoleSays(`approve ${id}`)).toContain(`Only alice, bob may decide ${id}; nothing changed.`);
    expect(await consoleSays(`reject ${id}`)).toContain(`Only alice, bob may decide ${id}; nothing changed.`);

    // nothing ran: the record still awaits approval with nobody's approval, no host has a release
    const waiting = await recordOf(id);
    expect(waiting.state).toBe('awaiting-approval');
    expect(waiting.approval?.approvedBy).toEqual([]);
    expect(waiting.approval?.decision).toBeUndefined();
    for (const host of BRAZIL_HOSTS) expect(existsSync(onlinePath(host))).toBe(false);
    const audit = await serve.bot.jobs.rt.audit.recent(50, (e) => e.deployId === id);
    expect(audit.filter((e) => e.detail?.startsWith('refused:')).map((e) => e.user).sort()).toEqual(['console:U01BOB', 'console:U01BOB', 'dingtalk:0123456', 'dingtalk:U01BOB']);

    // bob on Slack is `slack:U01BOB`: the decision counts and the deploy runs
    const button = approveButton(card);
    const click = await postToSlackEndpoint(events, buttonClickRequest({ value: button.value, actionId: button.action_id, userId: 'U01BOB', channelId: card.channel, messageTs: card.ts }, { signingSecret }));
    expect(click.status).toBe(200);
    expect(await slackEphemeral('U01BOB', `You approved ${id}`)).toContain('queued to run');
    await settled(id);
    const done = await recordOf(id);
    expect(done.state).toBe('success');
    expect(done.approval?.decision).toMatchObject({ decision: 'approved', by: 'slack:U01BOB' });
    for (const host of BRAZIL_HOSTS) expect(online(host)).toContain(repo.commits.v1!.slice(0, 7));
    expect(shown(card)).toMatch(/approved by bob at /);
  });
});
