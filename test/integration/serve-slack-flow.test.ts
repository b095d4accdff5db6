// `deploybot serve` with Slack end to end: the real Bolt app in HTTP mode behind the real
// HTTP surface, a local fake of the Slack Web API, a real Redis, workers in-process, local
// hosts and a real git repository. Signed slash commands and button clicks go in; what the
// fake Slack received, the hosts' symlinks and /metrics are what is checked.
// Bad signatures and stale timestamps (401) are covered by slack-http.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Config, parseConfig } from '../../config/load-config.ts';
import { type RunningServe, startServe } from '../../src/cli/run-serve.ts';
import { signBody } from '../../src/http/verify-hmac-signature.ts';
import { captureLogger } from '../fakes/capture-logger.ts';
import { within } from '../fakes/deferred.ts';
import { FakeSlackApi, type FakeSlackMessage, type SlackApiCall } from '../fakes/fake-slack-api.ts';
import { buttonClickRequest, postToSlackEndpoint, slashCommandRequest, viewSubmissionRequest } from '../fakes/sign-slack-request.ts';
import { blockKitProblems, blockText, modalProblems } from '../support/block-kit-limits.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const metricsToken = randomBytes(16).toString('hex');
const uploadSecret = randomBytes(16).toString('hex');
const log = captureLogger('info');

let base: string;
let repo: TestRepo;
let slack: FakeSlackApi;
let serve: RunningServe;
let events: string;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);

/** The market test config with Slack channels: brazil posts to C0BRAZIL, progress and approval card alike. */
function serveConfig(): Config {
  marketTestConfig(base, repo.dir, {
    hooks: { afterDeploy: 'if [ "$VERSION" = v3 ]; then echo "restarting on $HOST"; echo "boom on $HOST: port 8080 in use"; exit 1; fi; echo "$DEPLOY_ID $VERSION" >> ../after-deploy.log' },
  });
  const file = join(base, 'deploybot.yaml');
  const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  document.chat = { slack: { defaultChannel: 'C0DEFAULT' }, channels: { 'mala-core': { brazil: 'C0BRAZIL' } } };
  const text = JSON.stringify(document, null, 2);
  writeFileSync(file, text);
  const parsed = parseConfig(text, file, {});
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-serve-slack-'));
  repo = makeGitRepo(join(base, 'repo'));
  slack = await FakeSlackApi.start({ token });
  serve = await startServe({
    config: serveConfig(),
    // HOST from the environment: the listen address
    env: { REDIS_URL: inject('redisUrl'), SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl, UPLOAD_HOOK_SECRET: uploadSecret, METRICS_TOKEN: metricsToken, HOST: '127.0.0.1' },
    logger: log.logger,
    say: (line) => log.logger.info(line),
    port: 0,
    dataDir: join(base, 'var'),
    prefix: `serve-slack-${randomBytes(4).toString('hex')}`,
  });
  events = `${serve.http.url}/slack/events`;
});

afterAll(async () => {
  await serve?.stop();
  await slack?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** A signed slash command; resolves with Slack's view of the ack. */
async function slash(command: string, text: string, user: string, channel: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await postToSlackEndpoint(events, slashCommandRequest({ command, text, userId: user, channelId: channel }, { signingSecret }));
  return { status: response.status, ms: Date.now() - started };
}

/** The ephemeral answer to `user` containing `text`, once it has arrived (the n-th such). */
async function ephemeral(user: string, text: string | RegExp, n = 1): Promise<string> {
  const matches = (call: SlackApiCall) => call.params.user === user && (typeof text === 'string' ? String(call.params.text).includes(text) : text.test(String(call.params.text)));
  const calls = await slack.waitForCalls('chat.postEphemeral', n, matches, 20_000);
  return String(calls[n - 1]!.params.text);
}

/** Sends `/deploy …` and returns the deploy id from the private "accepted" answer. */
async function deploy(text: string, user = 'U01ALICE', channel = 'C0COMMAND'): Promise<string> {
  const before = slack.callsTo('chat.postEphemeral').filter((c) => c.params.user === user).length;
  const ack = await slash('/deploy', text, user, channel);
  expect(ack.status).toBe(200);
  expect(ack.ms).toBeLessThan(3000);
  const answers = await slack.waitForCalls('chat.postEphemeral', before + 1, (c) => c.params.user === user, 20_000);
  const answer = String(answers[before]!.params.text);
  const id = /^(d-\d{8}-\d{4}) accepted/.exec(answer)?.[1];
  if (!id) throw new Error(`"/deploy ${text}" was not accepted: ${answer}`);
  return id;
}

/** Everything a Slack message shows, as text (header, fields, sections, context). */
function shown(state: { text: string; blocks: unknown[] }): string {
  return blockText(state);
}

/** The one message whose first state's text starts with `prefix`. */
function messageStartingWith(prefix: string): FakeSlackMessage {
  const found = [...slack.messages.values()].filter((m) => m.history[0]!.text.startsWith(prefix));
  expect(found.map((m) => m.history[0]!.text)).toHaveLength(1);
  return found[0]!;
}

const progressOf = (deployId: string) => messageStartingWith(`${deployId} · `);
const cardOf = (deployId: string) => messageStartingWith(`🔐 approval needed · ${deployId} · `);

function buttonsOf(state: { blocks: unknown[] }): Array<{ action_id: string; value: string; text: { text: string } }> {
  return state.blocks.flatMap((block) => ((block as { type: string }).type === 'actions' ? (block as { elements: Array<{ action_id: string; value: string; text: { text: string } }> }).elements : []));
}

/** Every chat.update of `message` that Slack accepted, with when it arrived. */
function editsOf(message: FakeSlackMessage): SlackApiCall[] {
  return slack.okCallsTo('chat.update').filter((c) => c.params.channel === message.channel && c.params.ts === message.ts);
}

function expectAtMostOneEditPerSecond(message: FakeSlackMessage): void {
  const times = slack.callsTo('chat.update').filter((c) => c.params.channel === message.channel && c.params.ts === message.ts).map((c) => c.at);
  for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
}

const settled = (deployId: string) => within(serve.bot.notifier.settled(deployId), 45_000, `${deployId} to settle in chat`);
const stateOf = async (deployId: string) => (await serve.bot.jobs.rt.records.require(deployId)).state;

describe('deploybot serve with Slack', () => {
  it('says Slack is on in HTTP mode and DingTalk is off, and serves the upload hook', async () => {
    expect(serve.slack?.mode).toBe('http');
    expect(log.text()).toContain('slack: on (HTTP mode, POST /slack/events)');
    expect(log.text()).toContain('dingtalk: off — DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not both set');
    expect(log.text()).toContain('upload hook: on (POST /hooks/upload, posting to slack)');

    const body = JSON.stringify({ project: 'mala-core', market: 'brazil', platform: 'android', file: 'mala-core-c-7.apk', size: 24_800_000, fromVersion: 'c-3', toVersion: 'c-7' });
    const response = await fetch(`${serve.http.url}/hooks/upload`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-deploybot-signature': signBody(uploadSecret, body) }, body });
    expect(response.status).toBe(202);
    const [posted] = await slack.waitForCalls('chat.postMessage', 1, (c) => c.params.text === 'mala-core android: c-3 → c-7, 24.8 MB');
    expect(posted!.params.channel).toBe('C0BRAZIL');
  });

  it('when alice deploys v1 to dev, then the progress message ends in success and dev-1 serves v1', async () => {
    const id = await deploy('mala-core dev v1', 'U01ALICE', 'C0DEV');
    await settled(id);
    expect(await stateOf(id)).toBe('success');
    const progress = progressOf(id);
    expect(progress.channel).toBe('C0DEV');
    expect(shown(progress)).toMatch(/✅ success · .* — 1\/1 hosts switched/);
    expectAtMostOneEditPerSecond(progress);
    expect(online('dev-1')).toContain(sha7('v1'));
  });

  it('when alice asks for brazil v1, then the card waits for an approver: a stranger and alice herself are told privately, bob approves, and every host switches', async () => {
    const id = await deploy('mala-core brazil v1', 'U01ALICE', 'C0COMMAND');
    await settled(id);
    expect(await stateOf(id)).toBe('awaiting-approval');

    // the approval card: where brazil's messages go (not the command's channel), mentioning
    // who can decide — bob, not alice who asked — with Approve / Reject (a modal asks why)
    const card = cardOf(id);
    expect(card.channel).toBe('C0BRAZIL');
    expect(slack.okCallsTo('chat.postMessage').filter((c) => c.params.channel === 'C0COMMAND')).toHaveLength(0);
    const blocks = card.history[0]!.blocks as Array<{ type: string }>;
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    expect(shown(card.history[0]!)).toContain('Waiting for <@U01BOB>.');
    expect(shown(card.history[0]!)).toContain(`requested by <@U01ALICE> at `);
    expect(shown(card.history[0]!)).toMatch(new RegExp(`\\*Commit\\*\n\`${sha7('v1')}\``));
    const buttons = buttonsOf(card.history[0]!);
    expect(buttons.map((b) => [b.text.text, b.action_id])).toEqual([['Approve', 'deploybot_button_0'], ['Reject', 'deploybot_prompt_1']]);
    expect(buttons[0]!.value).toBe(`approve ${id}`);
    const approve = buttons[0]!;
    const progress = progressOf(id);
    expect(progress.channel).toBe('C0BRAZIL');
    expect(shown(progress)).toContain('awaiting approval');

    const click = async (user: string) => {
      const response = await postToSlackEndpoint(events, buttonClickRequest({ value: approve.value, actionId: approve.action_id, userId: user, channelId: card.channel, messageTs: card.ts }, { signingSecret }));
      expect(response.status).toBe(200);
    };
    await click('U0MALLORY');
    expect(await ephemeral('U0MALLORY', `Only alice, bob may decide ${id}`)).toContain('nothing changed');
    await click('U01ALICE');
    expect(await ephemeral('U01ALICE', `You requested ${id}`)).toContain('an approver other than the requester must decide');
    expect(await stateOf(id)).toBe('awaiting-approval');
    expect(card.history).toHaveLength(1);
    expect(editsOf(card)).toHaveLength(0);

    await click('U01BOB');
    expect(await ephemeral('U01BOB', `You approved ${id}`)).toContain('queued to run');
    await settled(id);
    expect(await stateOf(id)).toBe('success');

    const final = shown(progress);
    expect(final).toMatch(/✅ success · .* — 3\/3 hosts switched/);
    expect(final).toContain('approved by bob');
    expectAtMostOneEditPerSecond(progress);
    expect(editsOf(progress).length).toBeGreaterThan(0);

    expect(card.text.startsWith(`✅ approved · ${id}`)).toBe(true);
    expect(shown(card)).toMatch(/approved by bob at /);
    expect(buttonsOf(card)).toEqual([]);
    expectAtMostOneEditPerSecond(card);

    for (const host of ['br-1', 'br-2', 'br-gray']) expect(online(host)).toMatch(new RegExp(`^v1-\\d{14}-${sha7('v1')}$`));
    const [outcome] = (await serve.metrics.deploys.get()).values.filter((v) => v.labels.market === 'brazil');
    expect(outcome).toMatchObject({ labels: { project: 'mala-core', market: 'brazil', verb: 'deploy', outcome: 'success' }, value: 1 });
  });

  it('when Slack answers 429 to chat.update, then nothing crashes and the final edit lands after Retry-After', async () => {
    const limitedBefore = slack.callsTo('chat.update').filter((c) => c.status === 429).length;
    slack.rateLimit('chat.update', 1, 1);
    const id = await deploy('mala-core dev v2', 'U01ALICE', 'C0DEV');
    await settled(id);
    expect(await stateOf(id)).toBe('success');
    const limited = slack.callsTo('chat.update').filter((c) => c.status === 429).slice(limitedBefore);
    expect(limited).toHaveLength(1);
    const progress = progressOf(id);
    expect(shown(progress)).toMatch(/✅ success/);
    const finalEdit = editsOf(progress).at(-1)!;
    expect(shown({ text: String(finalEdit.params.text), blocks: finalEdit.params.blocks as unknown[] })).toMatch(/✅ success/);
    expect(finalEdit.at - limited[0]!.at).toBeGreaterThanOrEqual(1000);
    expectAtMostOneEditPerSecond(progress);
    const rateLimited = (await serve.metrics.chatRateLimited.get()).values.find((v) => v.labels.method === 'chat.update');
    expect(rateLimited?.value).toBeGreaterThanOrEqual(1);
    expect(online('dev-1')).toContain(sha7('v2'));
  });

  it('when bob presses Reject, then a modal asks why; once submitted the deploy is rejected with that reason, escaped, on the card and the progress message', async () => {
    const id = await deploy('mala-core brazil v2', 'U01ALICE', 'C0COMMAND');
    await settled(id);
    expect(await stateOf(id)).toBe('awaiting-approval');
    const card = cardOf(id);
    const reject = buttonsOf(card.history[0]!).find((b) => b.text.text === 'Reject')!;
    const viewsBefore = slack.views.length;
    const click = buttonClickRequest({ value: reject.value, actionId: reject.action_id, userId: 'U01BOB', channelId: card.channel, messageTs: card.ts, label: 'Reject' }, { signingSecret });
    expect((await postToSlackEndpoint(events, click)).status).toBe(200);
    const [opened] = await slack.waitForCalls('views.open', 1, (c) => c.status === 200 && slack.views.length > viewsBefore, 10_000);
    expect(opened!.params.trigger_id).toBe(JSON.parse(new URLSearchParams(click.body).get('payload')!).trigger_id);
    const modal = slack.views.at(-1)!;
    expect(modalProblems(modal.view)).toEqual([]);
    expect(await stateOf(id)).toBe('awaiting-approval');

    const submit = viewSubmissionRequest({ view: modal, userId: 'U01BOB', values: { deploybot_prompt_input: { text: 'not during the sale <!channel>' } } }, { signingSecret });
    expect((await postToSlackEndpoint(events, submit)).status).toBe(200);
    expect(await ephemeral('U01BOB', `You rejected ${id}`)).toBeTruthy();
    await settled(id);
    const record = await serve.bot.jobs.rt.records.require(id);
    expect(record.state).toBe('rejected');
    expect(record.approval?.decision).toMatchObject({ decision: 'rejected', by: 'slack:U01BOB', reason: 'not during the sale <!channel>' });
    const final = shown(card);
    expect(final).toContain('❌ Rejected');
    expect(final).toContain('*Reason:* not during the sale &lt;!channel&gt;');
    expect(final).not.toContain('<!channel>');
    expect(buttonsOf(card)).toEqual([]);
    expect(shown(progressOf(id))).toContain('not during the sale &lt;!channel&gt;');
  });

  it('when an afterDeploy hook fails, then the final message names the host with its output and the retry command, and the full log is uploaded once to its thread', async () => {
    const id = await deploy('mala-core dev v3', 'U01ALICE', 'C0DEV');
    await settled(id);
    expect(await stateOf(id)).toBe('partial');
    const progress = progressOf(id);
    const final = shown(progress);
    expect(final).toContain('❌ partial');
    expect(final).toContain('failed hosts (1):');
    expect(final).toMatch(/• dev-1 \(afterDeploy\)/);
    expect(final).toContain('boom on dev-1: port 8080 in use');
    expect(final).toContain(`retry ${id}`);

    const uploads = await slack.waitForCalls('files.completeUploadExternal', 1, (c) => c.params.thread_ts === progress.ts, 20_000);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.params).toMatchObject({ channel_id: 'C0DEV', thread_ts: progress.ts });
    const file = (uploads[0]!.params.files as Array<{ id: string }>)[0]!;
    const uploaded = slack.uploads.get(file.id)!;
    expect(uploaded.filename).toBe(`${id}.log`);
    expect(uploaded.content).toContain(`deploybot log of ${id}`);
    expect(uploaded.content).toContain('hook afterDeploy on dev-1 exited 1');
    expect(uploaded.content).toContain('    | restarting on dev-1');
    expect(uploaded.content).toContain('    | boom on dev-1: port 8080 in use');
    expect(uploaded.content).toMatch(/deploy finished partial/);
    for (const secret of [token, signingSecret, uploadSecret]) expect(uploaded.content).not.toContain(secret);

    // a later notice renders the deploy again: the post-once guard keeps it to one upload
    await serve.bot.jobs.rt.notify(id, { type: 'job.note', text: 'rendered again by the test' });
    await settled(id);
    expect(shown(progress)).toContain('rendered again by the test');
    expect(slack.callsTo('files.completeUploadExternal').filter((c) => c.params.thread_ts === progress.ts)).toHaveLength(1);

    const buildSteps = (await serve.metrics.stepDuration.get()).values.filter((v) => v.metricName === 'deploybot_step_duration_seconds_count' && v.labels.step === 'build');
    expect(buildSteps.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThanOrEqual(4);
    const partial = (await serve.metrics.deploys.get()).values.find((v) => v.labels.outcome === 'partial');
    expect(partial).toMatchObject({ labels: { project: 'mala-core', market: 'dev', verb: 'deploy' }, value: 1 });
  });

  it('every message Slack was sent, in every state, is within Block Kit\'s limits', () => {
    const sent = [...slack.okCallsTo('chat.postMessage'), ...slack.okCallsTo('chat.update')];
    expect(sent.length).toBeGreaterThan(10);
    for (const call of sent) expect(blockKitProblems(call.params), blockText(call.params)).toEqual([]);
  });

  it('serves /metrics with deploy outcomes, step durations and queue depth only with METRICS_TOKEN, listens on HOST, and never logs the tokens or the signing secret', async () => {
    expect(serve.http.host).toBe('127.0.0.1');
    expect(log.text()).toContain('address 127.0.0.1');
    const refused = await fetch(`${serve.http.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain('deploybot_');
    expect((await fetch(`${serve.http.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}0` } })).status).toBe(401);
    const text = await (await fetch(`${serve.http.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    expect(text).toMatch(/^deploybot_deploys_total\{(?=.*market="dev")(?=.*outcome="success").*\} 2$/m);
    expect(text).toMatch(/^deploybot_deploys_total\{(?=.*market="brazil")(?=.*outcome="success").*\} 1$/m);
    expect(text).toMatch(/^deploybot_deploys_total\{(?=.*market="dev")(?=.*outcome="partial").*\} 1$/m);
    expect(text).toMatch(/^deploybot_step_duration_seconds_count\{.*step="distribute".*\} \d+$/m);
    expect(text).toMatch(/^deploybot_queue_depth\{queue="deploys",state="waiting"\} 0$/m);
    expect(text).toMatch(/^deploybot_chat_rate_limited_total\{.*method="chat.update".*\} [1-9]/m);
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain(signingSecret);
    expect(log.text()).not.toContain(uploadSecret);
    expect(log.text()).not.toContain(metricsToken);
  });

  it('when alice retries the partial deploy, then the retry\'s progress message is threaded under the deploy it finishes', async () => {
    const failed = [...slack.messages.values()].find((m) => / · deploy mala-core → dev \(production\) v3/.test(m.history[0]!.text))!;
    const id = failed.history[0]!.text.split(' · ')[0]!;
    const before = slack.callsTo('chat.postEphemeral').filter((c) => c.params.user === 'U01ALICE').length;
    expect((await slash('/deploybot', `retry ${id}`, 'U01ALICE', 'C0DEV')).status).toBe(200);
    const answers = await slack.waitForCalls('chat.postEphemeral', before + 1, (c) => c.params.user === 'U01ALICE', 20_000);
    const retry = /^(d-\d{8}-\d{4}) accepted/.exec(String(answers[before]!.params.text))?.[1];
    expect(retry, String(answers[before]!.params.text)).toBeDefined();
    await settled(retry!);
    const posted = slack.okCallsTo('chat.postMessage').filter((c) => String(c.params.text).startsWith(`${retry} · `));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.params).toMatchObject({ channel: failed.channel, thread_ts: failed.ts });
    expect(shown(progressOf(retry!))).toContain(`of ${id}`);
  });
});
