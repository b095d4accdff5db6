// The Slack Messenger and the throttled progress editor against the fake Slack Web API:
// what goes over the wire, and how 429s are lived through.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { Secret } from '../../src/core/secret.ts';
import { createMetrics } from '../../src/notify/metrics.ts';
import { MemoryChatBudget } from '../../src/notify/memory-chat-budget.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { type TestReplayGuard, testReplayGuard } from '../fakes/test-replay-guard.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import { slashCommandsOf } from '../../src/adapters/slack/slash-command-text.ts';

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const log = captureLogger();
const metrics = createMetrics({ processMetrics: false });
let slack: FakeSlackApi;
let adapter: SlackAdapter;
let replay: TestReplayGuard;

beforeAll(async () => {
  slack = await FakeSlackApi.start({ token });
  replay = await testReplayGuard();
  adapter = new SlackAdapter({ slashCommands: slashCommandsOf(projectCommands()),
    replayGuard: replay.guard,
    botToken: new Secret(token, 'SLACK_BOT_TOKEN'),
    signingSecret: new Secret(randomBytes(16).toString('hex'), 'SLACK_SIGNING_SECRET'),
    apiUrl: slack.apiUrl,
    logger: log.logger,
    metrics,
  });
  await adapter.start({ onCommand: async () => undefined });
});

afterAll(async () => {
  await adapter?.stop();
  await slack?.close();
  await replay?.close();
});

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: unknown[] };

describe('Slack messages', () => {
  it('post, update and postPrivate map to chat.postMessage, chat.update (fresh block_ids) and chat.postEphemeral', async () => {
    const ref = await adapter.messenger.post('C0DEPLOYS', { text: 'deploy <d-1> & co', lines: ['⏳ build', '✅ resolve'] });
    const message = slack.messages.get(`${ref.channel}/${ref.id}`)!;
    expect(ref.channel).toBe('C0DEPLOYS');
    expect(message.text).toBe('deploy &lt;d-1&gt; &amp; co');
    const first = message.blocks as Block[];
    expect(first.map((block) => block.text?.text)).toEqual(['deploy &lt;d-1&gt; &amp; co', '⏳ build\n✅ resolve']);

    await adapter.messenger.update(ref, { text: 'deploy d-1 done', lines: ['✅ build', '✅ resolve'] });
    const updated = message.blocks as Block[];
    expect(updated.map((block) => block.text?.text)).toEqual(['deploy d-1 done', '✅ build\n✅ resolve']);
    const firstIds = new Set(first.map((block) => block.block_id));
    expect(updated.every((block) => block.block_id && !firstIds.has(block.block_id))).toBe(true);

    await adapter.messenger.postPrivate('C0DEPLOYS', { id: 'slack:U01ALICE' }, 'only for you');
    expect(slack.callsTo('chat.postEphemeral').at(-1)?.params).toMatchObject({ channel: 'C0DEPLOYS', user: 'U01ALICE', text: 'only for you' });
  });

  it('keeps a message within 50 blocks and long text within section limits', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `host-${i} ${'x'.repeat(300)}`);
    const ref = await adapter.messenger.post('C0DEPLOYS', { text: 'y'.repeat(7000), lines, buttons: [{ label: 'Retry', command: 'retry d-20261121-0002' }] });
    const blocks = slack.messages.get(`${ref.channel}/${ref.id}`)!.blocks as Block[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks.at(-1)?.type).toBe('actions');
    for (const block of blocks) if (block.type === 'section') expect(block.text!.text.length).toBeLessThanOrEqual(3000);
  });

  it('uploads a log into a thread with filesUploadV2', async () => {
    const ref = await adapter.messenger.post('C0DEPLOYS', { text: 'deploy failed' });
    await adapter.uploadLog('C0DEPLOYS', ref.id, 'd-20261121-0003.log', 'line 1\nline 2\n');
    const [getUrl] = slack.callsTo('files.getUploadURLExternal');
    expect(getUrl?.params).toMatchObject({ filename: 'd-20261121-0003.log', length: '14' });
    const [complete] = slack.okCallsTo('files.completeUploadExternal');
    expect(complete?.params).toMatchObject({ channel_id: 'C0DEPLOYS', thread_ts: ref.id });
    const fileId = (complete?.params.files as Array<{ id: string }>)[0]!.id;
    expect(slack.uploads.get(fileId)).toMatchObject({ filename: 'd-20261121-0003.log', content: 'line 1\nline 2\n' });
  });

  it('the progress editor sends at most one edit per second per message, only the latest state', async () => {
    const editor = adapter.createProgressEditor();
    const ref = await adapter.messenger.post('C0PROGRESS', { text: 'step 0' });
    const isThis = (call: { params: Record<string, unknown> }) => call.params.ts === ref.id;
    editor.update(ref, { text: 'step 1' });
    await slack.waitForCalls('chat.update', 1, isThis);
    for (const n of [2, 3, 4, 5]) editor.update(ref, { text: `step ${n}` });
    await editor.finish(ref, { text: 'step 6' });
    const calls = slack.callsTo('chat.update').filter(isThis);
    expect(calls.map((call) => call.params.text)).toEqual(['step 1', 'step 6']);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
    expect(slack.messages.get(`${ref.channel}/${ref.id}`)?.text).toBe('step 6');
    editor.close();
  });

  it('when chat.update answers 429, nothing crashes and the final edit lands after Retry-After', async () => {
    const editor = adapter.createProgressEditor();
    const ref = await adapter.messenger.post('C0PROGRESS', { text: 'starting' });
    const isThis = (call: { params: Record<string, unknown> }) => call.params.ts === ref.id;
    slack.rateLimit('chat.update', 2, 1);
    editor.update(ref, { text: 'build ⏳' });
    await slack.waitForCalls('chat.update', 1, isThis);
    editor.update(ref, { text: 'build ✅' });
    await editor.finish(ref, { text: 'done ✅' });

    const calls = slack.callsTo('chat.update').filter(isThis);
    expect(calls.map((call) => [call.status, call.params.text])).toEqual([
      [429, 'build ⏳'],
      [429, 'done ✅'],
      [200, 'done ✅'],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(990);
    expect(slack.messages.get(`${ref.channel}/${ref.id}`)?.text).toBe('done ✅');
    const rateLimited = await metrics.chatRateLimited.get();
    expect(rateLimited.values.find((v) => v.labels.method === 'chat.update')?.value).toBe(2);
    editor.close();
  });

  it('a post answered 429 is tried again after Retry-After, and the channel is paused for another process sharing the budget', async () => {
    const budget = new MemoryChatBudget();
    const adapterFor = () => new SlackAdapter({ slashCommands: [], replayGuard: replay.guard, botToken: new Secret(token, 'SLACK_BOT_TOKEN'),
      signingSecret: new Secret(randomBytes(16).toString('hex'), 'SLACK_SIGNING_SECRET'), apiUrl: slack.apiUrl, logger: log.logger, budget });
    const [first, second] = [adapterFor(), adapterFor()];
    await first.start({ onCommand: async () => undefined });
    await second.start({ onCommand: async () => undefined });
    const inChannel = (call: { params: Record<string, unknown> }) => call.params.channel === 'C0PAUSED';
    slack.rateLimit('chat.postMessage', 1, 1);
    const approval = first.messenger.post('C0PAUSED', { text: 'approve d-1?' });
    await slack.waitForCalls('chat.postMessage', 1, inChannel);
    const warning = await second.messenger.post('C0PAUSED', { text: 'a warning' });
    const card = await approval;
    const calls = slack.callsTo('chat.postMessage').filter(inChannel);
    expect(calls.map((call) => [call.status, call.params.text])).toEqual([[429, 'approve d-1?'], expect.arrayContaining([200]), expect.arrayContaining([200])]);
    expect(calls.slice(1).map((call) => call.params.text).sort()).toEqual(['a warning', 'approve d-1?']);
    for (const later of calls.slice(1)) expect(later.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
    expect(slack.messages.get(`C0PAUSED/${card.id}`)?.text).toBe('approve d-1?');
    expect(slack.messages.get(`C0PAUSED/${warning.id}`)?.text).toBe('a warning');
    await first.stop();
    await second.stop();
  });

  it('never logs the token', () => {
    expect(log.text()).not.toContain(token);
  });
});
