// With an app token the Slack adapter uses Socket Mode: Bolt's SocketModeReceiver opens
// `apps.connections.open` on the configured API URL and a websocket; commands and clicks
// arrive as envelopes, are acked over the socket, and run like in HTTP mode.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import type { CommandContext } from '../../src/core/command-router.ts';
import { createCommandRouter } from '../../src/core/command-router.ts';
import { Secret } from '../../src/core/secret.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { deferred, within } from '../fakes/deferred.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { blockActionsPayload, slashCommandFields } from '../fakes/sign-slack-request.ts';
import { type TestReplayGuard, testReplayGuard } from '../fakes/test-replay-guard.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import { slashCommandsOf } from '../../src/adapters/slack/slash-command-text.ts';

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const appToken = `xapp-${randomBytes(12).toString('hex')}`;
const log = captureLogger();
let slack: FakeSlackApi;
let adapter: SlackAdapter;
let replay: TestReplayGuard;
const approved = deferred<{ user: string; channel: string }>();
let replayRuns: (user: string) => void = () => undefined;

beforeAll(async () => {
  slack = await FakeSlackApi.start({ token, appToken });
  replay = await testReplayGuard();
  adapter = new SlackAdapter({ slashCommands: slashCommandsOf(projectCommands()), botToken: new Secret(token, 'SLACK_BOT_TOKEN'), appToken: new Secret(appToken, 'SLACK_APP_TOKEN'), apiUrl: slack.apiUrl, logger: log.logger, replayGuard: replay.guard });
  await adapter.start(createCommandRouter({ commands: projectCommands(),
    config: chatTestConfig(),
    logger: log.logger,
    handlers: {
      approve: async (_command, ctx: CommandContext) => approved.resolve({ user: ctx.user.id, channel: ctx.channel }),
      reject: async (_command, ctx: CommandContext) => replayRuns(ctx.user.id),
    },
  }));
  await slack.socketMode.waitForConnection();
});

afterAll(async () => {
  await adapter?.stop();
  await slack?.close();
  await replay?.close();
});

describe('Slack in Socket Mode', () => {
  it('connects with the app token and needs no public URL', () => {
    expect(adapter.mode).toBe('socket');
    expect(adapter.requestListener).toBeUndefined();
    expect(slack.okCallsTo('apps.connections.open')[0]?.token).toBe(appToken);
  });

  it('acks a slash command over the socket and answers privately with chat.postEphemeral', async () => {
    const envelope = slack.socketMode.push('slash_commands', slashCommandFields({ command: '/rollback', text: 'nonsense brazil', userId: 'U01ALICE', channelId: 'C0DEPLOYS' }));
    expect(await slack.socketMode.waitForAck(envelope)).toHaveLength(1);
    const [call] = await slack.waitForCalls('chat.postEphemeral');
    expect(call?.params).toMatchObject({ channel: 'C0DEPLOYS', user: 'U01ALICE' });
    expect(call?.params.text).toContain('unknown project "nonsense"');
  });

  it('runs a button\'s command as the clicking user', async () => {
    const envelope = slack.socketMode.push('interactive', blockActionsPayload({ value: 'approve d-20261121-0005', actionId: 'deploybot_button_0', userId: 'U01BOB', channelId: 'C0BRAZIL', messageTs: '1700000000.000100' }));
    await slack.socketMode.waitForAck(envelope);
    expect(await within(approved.promise, 5000, 'the approve handler')).toEqual({ user: 'slack:U01BOB', channel: 'C0BRAZIL' });
  });

  it('when Slack delivers the same click twice over the socket (same trigger_id, new envelope), then both are acked and its command runs once', async () => {
    const runs: string[] = [];
    const seen = deferred<void>();
    replayRuns = (user) => { runs.push(user); seen.resolve(); };
    const payload = blockActionsPayload({ value: 'reject d-20261121-0006', actionId: 'deploybot_button_1', userId: 'U01BOB', channelId: 'C0BRAZIL', messageTs: '1700000000.000200' });
    await slack.socketMode.waitForAck(slack.socketMode.push('interactive', payload));
    await within(seen.promise, 5000, 'the reject handler');
    const ignoredBefore = log.lines.filter((line) => line.includes('trigger_id already handled')).length;
    await slack.socketMode.waitForAck(slack.socketMode.push('interactive', payload));
    await slack.socketMode.waitForAck(slack.socketMode.push('slash_commands', { ...slashCommandFields({ command: '/deploybot', text: 'reject d-20261121-0006', userId: 'U01BOB', channelId: 'C0BRAZIL' }), trigger_id: payload.trigger_id as string }));
    await waitUntil(() => log.lines.filter((line) => line.includes('trigger_id already handled')).length === ignoredBefore + 2, { what: 'the repeats to be ignored', timeoutMs: 5000, intervalMs: 10 });
    expect(runs).toEqual(['slack:U01BOB']);
  });

  it('never logs the tokens', () => {
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain(appToken);
  });
});
