// The real Bolt app in HTTP mode, driven by signed requests to /slack/events on the real
// HTTP surface, talking to a local fake of the Slack Web API.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import type { ChatHandler, IncomingCommand } from '../../src/core/chat-types.ts';
import { type CommandContext, createCommandRouter } from '../../src/core/command-router.ts';
import { Secret } from '../../src/core/secret.ts';
import { type RunningHttpServer, startHttpServer } from '../../src/http/start-http-server.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { type Deferred, deferred, within } from '../fakes/deferred.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { buttonClickRequest, postToSlackEndpoint, signSlackRequest, slashCommandRequest } from '../fakes/sign-slack-request.ts';
import { type TestReplayGuard, testReplayGuard } from '../fakes/test-replay-guard.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import { slashCommandsOf } from '../../src/adapters/slack/slash-command-text.ts';

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const config = chatTestConfig();
const log = captureLogger();

let slack: FakeSlackApi;
let adapter: SlackAdapter;
let http: RunningHttpServer;
let events: string;
let replay: TestReplayGuard;

interface Seen {
  verb: string;
  user: string;
  channel: string;
}
let seen: Seen[] = [];
let nextApprove: Deferred<Seen> | undefined;
let statusGate: Deferred<void> | undefined;

function record(verb: string, ctx: CommandContext): Seen {
  const entry = { verb, user: ctx.user.id, channel: ctx.channel };
  seen.push(entry);
  return entry;
}

beforeAll(async () => {
  slack = await FakeSlackApi.start({ token });
  replay = await testReplayGuard();
  adapter = new SlackAdapter({ slashCommands: slashCommandsOf(projectCommands()), botToken: new Secret(token, 'SLACK_BOT_TOKEN'), signingSecret: new Secret(signingSecret, 'SLACK_SIGNING_SECRET'), apiUrl: slack.apiUrl, logger: log.logger, replayGuard: replay.guard });
  const router: ChatHandler = createCommandRouter({ commands: projectCommands(),
    config,
    logger: log.logger,
    handlers: {
      approve: async (_command, ctx) => {
        nextApprove?.resolve(record('approve', ctx));
      },
      status: async (_command, ctx) => {
        record('status', ctx);
        await statusGate?.promise;
        await ctx.reply({ text: 'status: all good' });
      },
    },
  });
  await adapter.start(router);
  http = await startHttpServer({ port: 0, host: '127.0.0.1', logger: log.logger, slackEvents: adapter.requestListener, health: { redis: async () => 'PONG', zookeeper: 'embedded' } });
  events = `${http.url}/slack/events`;
});

afterAll(async () => {
  await adapter?.stop();
  await http?.stop();
  await slack?.close();
  await replay?.close();
});

afterEach(() => {
  seen = [];
  nextApprove = undefined;
  statusGate = undefined;
});

describe('Slack over HTTP', () => {
  it('verifies the bot token with auth.test at start', () => {
    expect(adapter.mode).toBe('http');
    // twice: the quick check that waits for Slack to answer, then Bolt's own at init
    expect(slack.okCallsTo('auth.test')).toHaveLength(2);
    expect(slack.callsTo('auth.test').map((call) => call.token)).toEqual([token, token]);
  });

  it('when a slash command is wrong, then the error and usage go to the user alone via chat.postEphemeral', async () => {
    const before = slack.callsTo('chat.postEphemeral').length;
    const response = await postToSlackEndpoint(events, slashCommandRequest({ command: '/deploy', text: 'nonsense dev v1.3', userId: 'U01ALICE', channelId: 'C0DEPLOYS' }, { signingSecret }));
    expect(response.status).toBe(200);
    const [call] = (await slack.waitForCalls('chat.postEphemeral', before + 1)).slice(before);
    expect(call?.params).toMatchObject({ channel: 'C0DEPLOYS', user: 'U01ALICE' });
    expect(call?.params.text).toContain('unknown project "nonsense"');
    expect(call?.params.text).toContain('usage: deploy');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('when /deploybot help is typed, then the help is answered privately', async () => {
    const before = slack.callsTo('chat.postEphemeral').length;
    const response = await postToSlackEndpoint(events, slashCommandRequest({ command: '/deploybot', text: 'help', userId: 'U01BOB', channelId: 'C0DEPLOYS' }, { signingSecret }));
    expect(response.status).toBe(200);
    const [call] = (await slack.waitForCalls('chat.postEphemeral', before + 1)).slice(before);
    expect(call?.params).toMatchObject({ channel: 'C0DEPLOYS', user: 'U01BOB' });
    // On the wire Slack's mrkdwn escapes < and > (Slack shows them as typed).
    expect(call?.params.text).toContain('deploy &lt;project&gt; &lt;market&gt; &lt;ref&gt;');
  });

  it('when the handler is slow, then Slack still gets its ack at once and the answer follows', async () => {
    statusGate = deferred();
    const posted = slack.callsTo('chat.postMessage').length;
    const started = Date.now();
    const response = await within(postToSlackEndpoint(events, slashCommandRequest({ command: '/deploybot', text: 'status mala-core', userId: 'U01ALICE', channelId: 'C0BRAZIL' }, { signingSecret })), 3000, 'the ack');
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    // the ack goes out first; the handler starts once the trigger_id is claimed in Redis
    await waitUntil(() => seen.length > 0, { what: 'the status handler to start', timeoutMs: 3000, intervalMs: 5 });
    expect(seen).toEqual([{ verb: 'status', user: 'slack:U01ALICE', channel: 'C0BRAZIL' }]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(posted);
    statusGate.resolve();
    const [call] = (await slack.waitForCalls('chat.postMessage', posted + 1)).slice(posted);
    expect(call?.params).toMatchObject({ channel: 'C0BRAZIL', text: 'status: all good' });
  });

  it('when a button of a posted message is clicked, then its command runs as the clicking user in that channel', async () => {
    const ref = await adapter.messenger.post('C0BRAZIL', {
      text: 'mala-core brazil v1.3 needs approval',
      buttons: [
        { label: 'Approve', command: 'approve d-20261121-0001', style: 'primary' },
        { label: 'Reject', command: 'reject d-20261121-0001', style: 'danger', confirm: { title: 'Reject?', text: 'The deploy will be cancelled.' } },
      ],
    });
    const message = slack.messages.get(`${ref.channel}/${ref.id}`);
    const actions = message?.blocks.find((block) => (block as { type: string }).type === 'actions') as { elements: Array<{ action_id: string; value: string; style?: string; confirm?: unknown }> };
    expect(actions.elements.map((e) => [e.value, e.style])).toEqual([['approve d-20261121-0001', 'primary'], ['reject d-20261121-0001', 'danger']]);
    expect(actions.elements[1]?.confirm).toMatchObject({ title: { type: 'plain_text', text: 'Reject?' }, text: { type: 'plain_text', text: 'The deploy will be cancelled.' } });

    nextApprove = deferred();
    const approve = actions.elements[0]!;
    const response = await postToSlackEndpoint(events, buttonClickRequest({ value: approve.value, actionId: approve.action_id, userId: 'U01BOB', channelId: ref.channel, messageTs: ref.id }, { signingSecret }));
    expect(response.status).toBe(200);
    expect(await within(nextApprove.promise, 5000, 'the approve handler')).toEqual({ verb: 'approve', user: 'slack:U01BOB', channel: 'C0BRAZIL' });
  });

  it('when the same signed slash command arrives again (same trigger_id), even at another serve process, then it is acked and ignored: one run, one answer in chat', async () => {
    const posted = slack.callsTo('chat.postMessage').length;
    const request = slashCommandRequest({ command: '/deploybot', text: 'status mala-core', userId: 'U01ALICE', channelId: 'C0BRAZIL' }, { signingSecret });
    expect((await postToSlackEndpoint(events, request)).status).toBe(200);
    await slack.waitForCalls('chat.postMessage', posted + 1);
    // a second serve process on the same Redis
    const other = new SlackAdapter({ slashCommands: slashCommandsOf(projectCommands()), botToken: new Secret(token, 'SLACK_BOT_TOKEN'), signingSecret: new Secret(signingSecret, 'SLACK_SIGNING_SECRET'), apiUrl: slack.apiUrl, logger: log.logger, replayGuard: replay.guard, verifyToken: false });
    const otherRuns: string[] = [];
    await other.start(createCommandRouter({ commands: projectCommands(), config, logger: log.logger, handlers: { status: async (_command, ctx) => void otherRuns.push(ctx.user.id) } }));
    const otherHttp = await startHttpServer({ port: 0, host: '127.0.0.1', logger: log.logger, slackEvents: other.requestListener, health: { redis: async () => 'PONG', zookeeper: 'embedded' } });
    try {
      const ignoredBefore = log.lines.filter((line) => line.includes('trigger_id already handled')).length;
      expect((await postToSlackEndpoint(events, request)).status).toBe(200);
      expect((await postToSlackEndpoint(`${otherHttp.url}/slack/events`, request)).status).toBe(200);
      await waitUntil(() => log.lines.filter((line) => line.includes('trigger_id already handled')).length === ignoredBefore + 2, { what: 'both repeats to be ignored', timeoutMs: 5000, intervalMs: 10 });
    } finally {
      await otherHttp.stop();
      await other.stop();
    }
    expect(seen).toEqual([{ verb: 'status', user: 'slack:U01ALICE', channel: 'C0BRAZIL' }]);
    expect(otherRuns).toEqual([]);
    expect(slack.callsTo('chat.postMessage').slice(posted).map((call) => call.params.text)).toEqual(['status: all good']);
    const claim = replay.keys.seen('slack-trigger', new URLSearchParams(request.body).get('trigger_id')!);
    expect(await replay.redis.ttl(claim)).toBeGreaterThan(9 * 60);
    expect(await replay.redis.ttl(claim)).toBeLessThanOrEqual(10 * 60);
  });

  it('when the same button click arrives twice (same trigger_id), then its command runs once; a new click (new trigger_id) runs again', async () => {
    const click = { value: 'approve d-20261121-0007', actionId: 'deploybot_button_0', userId: 'U01BOB', channelId: 'C0BRAZIL', messageTs: '1700000000.000300', triggerId: `${Date.now()}.42.replayed` };
    const approvals: Seen[] = [];
    const collect = () => { nextApprove = deferred(); void nextApprove.promise.then((entry) => approvals.push(entry)); return nextApprove.promise; };
    let run = collect();
    expect((await postToSlackEndpoint(events, buttonClickRequest(click, { signingSecret }))).status).toBe(200);
    await within(run, 5000, 'the first click');
    run = collect();
    const ignoredBefore = log.lines.filter((line) => line.includes('trigger_id already handled')).length;
    expect((await postToSlackEndpoint(events, buttonClickRequest(click, { signingSecret }))).status).toBe(200);
    await waitUntil(() => log.lines.filter((line) => line.includes('trigger_id already handled')).length > ignoredBefore, { what: 'the repeat to be ignored', timeoutMs: 5000, intervalMs: 10 });
    expect((await postToSlackEndpoint(events, buttonClickRequest({ ...click, triggerId: `${Date.now()}.43.fresh` }, { signingSecret }))).status).toBe(200);
    await within(run, 5000, 'the new click');
    expect(approvals).toEqual([{ verb: 'approve', user: 'slack:U01BOB', channel: 'C0BRAZIL' }, { verb: 'approve', user: 'slack:U01BOB', channel: 'C0BRAZIL' }]);
  });

  it('when the signature is wrong, then 401 and nothing runs', async () => {
    const calls = slack.calls.length;
    const good = slashCommandRequest({ command: '/approve', text: 'd-20261121-0001', userId: 'U01BOB', channelId: 'C0BRAZIL' }, { signingSecret });
    const forged = signSlackRequest(good.body, { signingSecret: randomBytes(16).toString('hex') });
    expect((await postToSlackEndpoint(events, forged)).status).toBe(401);
    const tampered = { ...good, body: good.body.replace('d-20261121-0001', 'd-20261121-0002') };
    expect((await postToSlackEndpoint(events, tampered)).status).toBe(401);
    const unsigned = { body: good.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect((await postToSlackEndpoint(events, unsigned)).status).toBe(401);
    expect(seen).toEqual([]);
    expect(slack.calls.length).toBe(calls);
  });

  it('when the timestamp is more than 5 minutes old, then 401 even with a valid signature', async () => {
    const calls = slack.calls.length;
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const request = buttonClickRequest({ value: 'approve d-20261121-0001', actionId: 'deploybot_button_0', userId: 'U01BOB', channelId: 'C0BRAZIL', messageTs: '1700000000.000100' }, { signingSecret, timestamp: stale });
    expect((await postToSlackEndpoint(events, request)).status).toBe(401);
    expect(seen).toEqual([]);
    expect(slack.calls.length).toBe(calls);
  });

  it('when the bot cannot post ephemerals in the channel, then the one answer goes through response_url', async () => {
    slack.fail('chat.postEphemeral', 'not_in_channel');
    const before = slack.callsTo('response_url').length;
    const response = await postToSlackEndpoint(events, slashCommandRequest({ command: '/deploy', text: '', userId: 'U01ALICE', channelId: 'C0ELSEWHERE', responseUrl: slack.responseUrl('cmd-1') }, { signingSecret }));
    expect(response.status).toBe(200);
    const [call] = (await slack.waitForCalls('response_url', before + 1)).slice(before);
    expect(call?.params).toMatchObject({ id: 'cmd-1', response_type: 'ephemeral' });
    expect(call?.params.text).toContain('usage: deploy');
  });

  it('when the bot token is refused, then start fails saying what to check, without the token', async () => {
    const wrong = `xoxb-${randomBytes(12).toString('hex')}`;
    const refused = new SlackAdapter({ slashCommands: slashCommandsOf(projectCommands()), botToken: new Secret(wrong, 'SLACK_BOT_TOKEN'), signingSecret: new Secret(signingSecret, 'SLACK_SIGNING_SECRET'), apiUrl: slack.apiUrl, logger: log.logger, replayGuard: replay.guard });
    const error = await refused.start({ onCommand: async () => undefined }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe('Slack did not accept SLACK_BOT_TOKEN (auth.test: invalid_auth); check the token and SLACK_API_URL');
    expect(log.text()).not.toContain(wrong);
  });

  it('never logs the token or the signing secret', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain(signingSecret);
  });
});
