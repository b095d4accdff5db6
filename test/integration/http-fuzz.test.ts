// Fuzz of the HTTP surface with correctly *signed* bodies (so they get past the signature
// checks and reach the parsers and handlers): 10 000 random and mutated /hooks/upload and
// Slack bodies (slash commands, block_actions payloads, junk). Nothing crashes — no 5xx,
// the server still answers — and nothing happens that a valid body would not cause: chat
// posts only for uploads answered 202 and for answers to well-formed Slack requests, and no
// deploy record or job in Redis.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { slashCommandsOf } from '../../src/adapters/slack/slash-command-text.ts';
import { BUTTON_ACTION_PREFIX } from '../../src/adapters/slack/render-slack-message.ts';
import { commandHandlers } from '../../src/app/command-handlers.ts';
import { type RunningJobs, startJobs } from '../../src/app/start-jobs.ts';
import { createCommandRouter } from '../../src/core/command-router.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Secret } from '../../src/core/secret.ts';
import { type RunningHttpServer, startHttpServer } from '../../src/http/start-http-server.ts';
import { signBody } from '../../src/http/verify-hmac-signature.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { RecordingMessenger } from '../fakes/recording-messenger.ts';
import { blockActionsPayload, signSlackRequest, slashCommandFields } from '../fakes/sign-slack-request.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { type TestReplayGuard, testReplayGuard } from '../fakes/test-replay-guard.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const SLASH_COMMANDS = slashCommandsOf(projectCommands());

// ~1.5 ms per upload and ~9 ms per Slack request here (2 shared cores): ~30 s in all
const UPLOADS = 8000;
const SLACK = 2000;
const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const uploadSecret = randomBytes(24).toString('hex');
const config = chatTestConfig();
const logger = createLogger({ level: 'silent' });
const messenger = new RecordingMessenger();

let base: string;
let redis: TestRedis;
let replay: TestReplayGuard;
let jobs: RunningJobs;
let slack: FakeSlackApi;
let adapter: SlackAdapter;
let http: RunningHttpServer;
const agent = new Agent({ keepAlive: true, maxSockets: 24 });

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-http-fuzz-'));
  redis = await testRedis();
  replay = await testReplayGuard();
  jobs = await startJobs({ commands: projectCommands(), config, redisUrl: redis.url, dataDir: join(base, 'var'), logger, prefix: `fuzz${randomBytes(4).toString('hex')}`, workers: false });
  slack = await FakeSlackApi.start({ token });
  adapter = new SlackAdapter({ slashCommands: SLASH_COMMANDS, botToken: new Secret(token, 'SLACK_BOT_TOKEN'), signingSecret: new Secret(signingSecret, 'SLACK_SIGNING_SECRET'), apiUrl: slack.apiUrl, logger, replayGuard: replay.guard, retryConfig: { retries: 0 } });
  await adapter.start(createCommandRouter({ commands: projectCommands(), config, logger, handlers: commandHandlers(jobs.rt, (deployId) => ({ deployId, idle: async () => undefined })) }));
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    slackEvents: adapter.requestListener,
    uploadHook: { secret: new Secret(uploadSecret, 'UPLOAD_HOOK_SECRET'), config, messenger, replayGuard: replay.guard, logger },
    health: { redis: async () => void (await jobs.rt.redis.ping()), zookeeper: 'embedded' },
  });
});

afterAll(async () => {
  agent.destroy();
  await http?.stop();
  await adapter?.stop();
  await slack?.close();
  await jobs?.close();
  await replay?.close();
  await redis?.stop();
  rmSync(base, { recursive: true, force: true });
});

function post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${http.url}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `work` over `items` with `limit` requests in flight. */
async function inFlight<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** A string with some bytes flipped, cut or repeated. */
const mutated = (text: string) => fc.array(fc.tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.constantFrom('flip', 'cut', 'dup', 'quote')), { minLength: 1, maxLength: 4 }).map((edits) => {
  let out = text;
  for (const [at, how] of edits) {
    const i = Math.min(at, Math.max(0, out.length - 1));
    if (how === 'flip') out = out.slice(0, i) + String.fromCharCode((out.charCodeAt(i) ^ 0x20) || 65) + out.slice(i + 1);
    else if (how === 'cut') out = out.slice(0, i);
    else if (how === 'dup') out = out.slice(0, i) + out.slice(i, i + 8).repeat(3) + out.slice(i);
    else out = `${out.slice(0, i)}"${out.slice(i)}`;
  }
  return out;
});

const name = fc.oneof(fc.constantFrom('mala-client', 'mala-core', 'api', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '', 'MALA-CLIENT'), fc.string({ maxLength: 20 }));
const notice = fc.record({
  project: name,
  market: fc.oneof(fc.constantFrom('dev', 'brazil', 'constructor', '__proto__', undefined), fc.string({ maxLength: 10 })),
  platform: fc.oneof(fc.constantFrom('android', 'ios'), fc.string({ maxLength: 200 }), fc.integer()),
  file: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('x'.repeat(2000))),
  size: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(Number.MAX_SAFE_INTEGER)),
  fromVersion: fc.oneof(fc.constantFrom('c-3'), fc.string({ maxLength: 300 })),
  toVersion: fc.oneof(fc.constantFrom('c-7'), fc.string({ maxLength: 300 })),
}, { requiredKeys: [] });
const uploadBody = fc.oneof(
  { weight: 5, arbitrary: notice.map((n) => JSON.stringify(n)) },
  { weight: 3, arbitrary: fc.constant(JSON.stringify({ project: 'mala-client', market: 'brazil', platform: 'android', file: 'a.apk', size: 24_800_000, fromVersion: 'c-3', toVersion: 'c-7' })).chain(mutated) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant('{"project":"mala-client","__proto__":{"project":"x"},"platform":"a","file":"f","size":1,"fromVersion":"a","toVersion":"b"}') },
);

// Text that never forms an accepted side-effecting command (no record may appear), while
// still reaching the parser, the validators and the read-only verbs.
const commandText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('help', 'status nope', 'history mala-core mars', 'deploy nope dev v1', 'deploy mala-core mars v1', 'approve d-20260101-0001', 'reject d-20260101-0002 because', 'cancel d-1', 'retry d-20260101-0003', 'rollback constructor dev', 'lock __proto__ dev why', 'deploy mala-core dev ../../etc', 'gray start toString dev v1').chain((t) => fc.oneof(fc.constant(t), mutated(t))),
);
const user = fc.oneof(fc.constantFrom('U01ALICE', 'U01BOB', ''), fc.string({ maxLength: 12 }));
type SlackCase = { body: string };

/**
 * The channel a request may be answered in: a slash command or a button click with what a
 * real one carries (a usable trigger_id, a user, a channel, for a click a deploybot button
 * with a command). Anything else must get no answer.
 */
/** The body with its channel (where it can be found) replaced by `channel`. */
function inChannel(body: string, channel: string): string {
  const form = new URLSearchParams(body);
  if (form.has('channel_id')) {
    form.set('channel_id', channel);
    return form.toString();
  }
  try {
    const payload = JSON.parse(form.get('payload') ?? '') as { channel?: { id?: string }; container?: { channel_id?: string } };
    if (payload?.channel && typeof payload.channel === 'object') payload.channel.id = channel;
    if (payload?.container && typeof payload.container === 'object') payload.container.channel_id = channel;
    form.set('payload', JSON.stringify(payload));
    return form.toString();
  } catch {
    return body;
  }
}

function answerableChannel(body: string): string | undefined {
  const form = new URLSearchParams(body);
  const usable = (id: unknown) => typeof id === 'string' && id !== '' && id.length <= 200;
  if (form.has('command')) {
    return (SLASH_COMMANDS as readonly string[]).includes(form.get('command')!) && usable(form.get('trigger_id')) && form.get('user_id') && form.get('channel_id') ? form.get('channel_id')! : undefined;
  }
  let payload: { type?: unknown; trigger_id?: unknown; user?: { id?: unknown }; channel?: { id?: unknown }; container?: { channel_id?: unknown }; actions?: Array<{ action_id?: unknown; value?: unknown }> };
  try {
    payload = JSON.parse(form.get('payload') ?? '');
  } catch {
    return undefined;
  }
  const action = payload?.actions?.[0];
  const channel = payload?.channel?.id ?? payload?.container?.channel_id;
  const ok = payload?.type === 'block_actions' && usable(payload.trigger_id) && typeof payload.user?.id === 'string' && payload.user.id !== ''
    && typeof action?.action_id === 'string' && action.action_id.startsWith(BUTTON_ACTION_PREFIX) && typeof action.value === 'string' && action.value !== '' && typeof channel === 'string';
  return ok ? (channel as string) : undefined;
}
const slackCase: fc.Arbitrary<SlackCase> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ command: fc.constantFrom(...SLASH_COMMANDS), text: commandText, userId: user, channelId: fc.constantFrom('C0DEPLOYS', 'C0BRAZIL') }).map((c) => ({ body: new URLSearchParams(slashCommandFields(c)).toString() })) },
  { weight: 3, arbitrary: fc.record({ value: commandText, userId: user, channelId: fc.constantFrom('C0DEPLOYS', 'C0BRAZIL'), n: fc.nat({ max: 3 }) }).map((c) => ({ body: new URLSearchParams({ payload: JSON.stringify(blockActionsPayload({ value: c.value, actionId: `${BUTTON_ACTION_PREFIX}${c.n}`, userId: c.userId, channelId: c.channelId, messageTs: '1700000000.000100' })) }).toString() })) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify(blockActionsPayload({ value: 'approve d-20260101-0001', actionId: `${BUTTON_ACTION_PREFIX}0`, userId: 'U01BOB', channelId: 'CJUNK', messageTs: '1.2' }))).chain(mutated).map((payload) => ({ body: new URLSearchParams({ payload }).toString() })) },
  { weight: 1, arbitrary: fc.record({ command: fc.constantFrom(...SLASH_COMMANDS), trigger_id: fc.constantFrom('', 'x'.repeat(300)), channel_id: fc.constant('CJUNK'), user_id: user, text: commandText }).map((fields) => ({ body: new URLSearchParams(fields).toString() })) },
);

it(`when ${UPLOADS + SLACK} random and mutated signed bodies arrive, then no 5xx, the server still answers, chat gets only what valid bodies cause, and Redis holds no deploy record or job`, async () => {
  const started = Date.now();
  const uploads = fc.sample(uploadBody, { numRuns: UPLOADS, seed: 20261201 });
  // each request in a channel of its own, so every answer is traced to the request it answers
  const slackCases = fc.sample(slackCase, { numRuns: SLACK, seed: 20261202 }).map((c, index) => ({ body: inChannel(c.body, `CF${index}`) }));
  const statuses = new Map<string, number>();
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  let accepted = 0;
  const failures: Array<{ body: string; answer: string }> = [];
  let uploadMs = 0;
  let slackMs = 0;

  await inFlight(uploads, 16, async (body) => {
    const response = await post('/hooks/upload', body, { 'content-type': 'application/json', 'x-deploybot-signature': signBody(uploadSecret, body) });
    count(`upload ${response.status}`);
    if (response.status === 202) accepted += 1;
  });
  uploadMs = Date.now() - started;
  const slackStarted = Date.now();
  await inFlight(slackCases, 24, async ({ body }) => {
    const response = await post('/slack/events', body, signSlackRequest(body, { signingSecret }).headers);
    count(`slack ${response.status}`);
    if (response.status >= 500) failures.push({ body, answer: response.body });
  });
  slackMs = Date.now() - slackStarted;

  const tally = Object.fromEntries([...statuses].sort());
  expect(Object.keys(tally).filter((key) => Number(key.split(' ')[1]) >= 500), JSON.stringify({ tally, failures: failures.slice(0, 3) })).toEqual([]);
  expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
  // uploads: one post per 202, each a well-formed notice to a configured channel
  expect(messenger.sent.length).toBe(accepted);
  for (const sent of messenger.sent) expect(sent.message.text).toMatch(/^(mala-client|mala-core|api) .+: .+ → .+, [\d.]+ (B|kB|MB|GB)$/);
  // Slack: answers only to requests a user could have sent (each answered at most once), in their channels
  const answerable = slackCases.map((c) => answerableChannel(c.body)).filter((channel): channel is string => channel !== undefined);
  const writes = slack.calls.filter((call) => call.method !== 'auth.test');
  const answersPerChannel = new Map<string, number>();
  for (const call of writes) answersPerChannel.set(String(call.params.channel), (answersPerChannel.get(String(call.params.channel)) ?? 0) + 1);
  expect([...answersPerChannel].filter(([channel, answers]) => !answerable.includes(channel) || answers > 1)).toEqual([]);
  // nothing was accepted: no deploy record, no job
  expect(await jobs.rt.redis.keys(`${jobs.rt.keys.prefix}:deploy:*`)).toEqual([]);
  expect(await jobs.rt.queue.getJobCounts()).toEqual(expect.objectContaining({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 }));
  console.info(`[http-fuzz] ${UPLOADS + SLACK} bodies in ${Date.now() - started} ms (uploads ${uploadMs} ms, Slack ${slackMs} ms): ${JSON.stringify(tally)}; ${accepted} uploads posted, ${writes.length} Slack answers to ${answerable.length} answerable requests`);
}, 120_000);
