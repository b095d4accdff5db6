// One chat budget for the workspace (docs/reference/chat-limits.md), end to end: 20 concurrent
// deploys through 3 real `deploybot serve` processes (each with its workers and its notifier,
// as operators run them), one real Redis, the embedded release store, against the fake Slack
// Web API answering 429 above Slack's limits. The window is shrunk to 6 s
// (`chat.rateLimits.window`); the limits are as configured: 40 chat.update per window per
// workspace, 1 per window/60 per message and per channel post. The signed /deploy commands are
// spread 7/7/6 over the processes' /slack/events, to 20 markets of 3 `{ local: dir }` hosts
// whose beforeDeploy takes a second (so progress edits happen), 4 markets per channel (so the
// per-channel post limit is met). All three share one data directory: the embedded store lives
// on one machine in one directory (docs/operations.md, "One machine or several").
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { isTerminal } from '../../src/domain/deploy-record.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { startServeProcess, type ServeProcess } from '../../bench/support/serve-process.ts';
import { FakeSlackApi, type FakeSlackMessage, type SlackApiCall } from '../fakes/fake-slack-api.ts';
import { postToSlackEndpoint, slashCommandRequest } from '../fakes/sign-slack-request.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { groupBy, mostInAnyWindow } from '../fixtures/chat-budget-processes.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { blockText } from '../support/block-kit-limits.ts';

const WINDOW_MS = 6000;
const PER_SECOND_MS = WINDOW_MS / 60;
const DEPLOYS = 20;
const HOSTS_PER_MARKET = 3;
const CHANNELS = 5;
/** How often the budget's keys are listed while the deploys run (they live about a window). */
const SAMPLE_EVERY_MS = 250;
/** A progress message in its final state (src/notify/render-progress.ts: `✅ success · 3s — …`). */
const FINAL_SUCCESS = /^✅ success\b/m;

const token = `xoxb-${randomBytes(12).toString('hex')}`;
const signingSecret = randomBytes(16).toString('hex');
const prefix = `serve-budget-${randomBytes(4).toString('hex')}`;
const keys = new RedisKeys(prefix);

const markets = Array.from({ length: DEPLOYS }, (_, i) => ({
  name: `m${String(i + 1).padStart(2, '0')}`,
  channel: `C0SHARED${i % CHANNELS}`,
  user: `U0USER${String(i + 1).padStart(2, '0')}`,
}));

let base: string;
let redis: TestRedis;
let client: Redis;
let slack: FakeSlackApi;
let serves: ServeProcess[] = [];

function writeConfig(repo: string): string {
  const hosts: Record<string, unknown> = {};
  const marketDocs: Record<string, unknown> = {};
  const channels: Record<string, string> = {};
  for (const market of markets) {
    const names = Array.from({ length: HOSTS_PER_MARKET }, (_, i) => `${market.name}-h${i + 1}`);
    for (const name of names) hosts[name] = { local: `hosts/${name}` };
    marketDocs[market.name] = { approval: 'none', locations: { main: { role: 'production', hosts: names } } };
    channels[market.name] = market.channel;
  }
  const document = {
    hosts,
    markets: marketDocs,
    projects: {
      'mala-core': {
        repo,
        build: { command: 'sh build.sh', output: 'dist' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        keepReleases: 2,
        hostTimeout: '120s',
        markets: markets.map((m) => m.name),
        hooks: { beforeDeploy: 'sleep 1' },
      },
    },
    chat: { slack: { defaultChannel: 'C0DEPLOYS' }, channels: { 'mala-core': channels }, rateLimits: { window: `${WINDOW_MS / 1000}s` } },
  };
  return writeTestConfig(base, document).file;
}

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'deploybot-serve-budget-')));
  const repo = makeGitRepo(join(base, 'repo'), { tags: ['v1'] });
  const configFile = writeConfig(repo.dir);
  redis = await testRedis();
  client = new Redis(redis.url);
  slack = await FakeSlackApi.start({ token });
  slack.enforceLimits({ windowMs: WINDOW_MS, updatesPerWindow: 40 });
  const env = {
    REDIS_URL: redis.url,
    DEPLOYBOT_REDIS_PREFIX: prefix,
    DEPLOYBOT_DATA: join(base, 'var'),
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
  };
  // one after the other: the first records the embedded store's owner, the others find it theirs
  for (let i = 0; i < 3; i += 1) serves.push(await startServeProcess({ configFile, env, timeoutMs: 90_000 }));
}, 180_000);

afterAll(async () => {
  await Promise.all(serves.map((serve) => serve.stop().catch(() => undefined)));
  serves = [];
  client?.disconnect();
  await slack?.close();
  await redis?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

async function readRecord(id: string): Promise<DeployRecord | undefined> {
  const text = await client.get(keys.deploy(id));
  return text ? (JSON.parse(text) as DeployRecord) : undefined;
}

/** The budget's keys and their TTLs (ms; -1: none, -2: gone since listed). */
async function budgetKeys(): Promise<Array<[string, number]>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}:chat-budget*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return Promise.all(found.map(async (key) => [key, await client.pttl(key)] as [string, number]));
}

/** The message the fake holds for a deploy's progress: posted in its channel, its first state naming the deploy. */
function progressMessagesOf(channel: string, id: string): FakeSlackMessage[] {
  return [...slack.messages.values()].filter((message) => message.channel === channel && blockText(message.history[0]!).includes(id));
}

describe('one chat budget shared by three `deploybot serve` processes', () => {
  it('20 concurrent deploys across 3 serve processes: every deploy ends success, its one progress message ends in the final state, the accepted calls keep Slack\'s limits, the budget keys expire and never hold the token', async () => {
    // sample the budget's keys while the deploys run (they expire a window after their last grant)
    const seen = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [key, ttl] of await budgetKeys()) if (ttl !== -2) seen.set(key, Math.min(seen.get(key) ?? Infinity, ttl));
        await pause(SAMPLE_EVERY_MS); // a sampling period, not a wait for an event
      }
    })();

    const started = Date.now();
    const accepted = await Promise.all(markets.map(async (market, i) => {
      const serve = serves[i < 7 ? 0 : i < 14 ? 1 : 2]!;
      const request = slashCommandRequest({ command: '/deploy', text: `mala-core ${market.name} v1`, userId: market.user, channelId: market.channel, responseUrl: slack.responseUrl(market.name) }, { signingSecret });
      const ack = await postToSlackEndpoint(`${serve.url}/slack/events`, request);
      expect(ack.status, `/deploy ${market.name}: ${ack.body}`).toBe(200);
      const [answer] = await slack.log.waitFor((call) => call.method === 'chat.postEphemeral' && call.params.user === market.user, 1, `the answer to /deploy ${market.name}`, 60_000);
      const id = /\b(d-\d{8}-\d{4}) accepted\b/.exec(String(answer!.params.text ?? ''))?.[1];
      expect(id, `/deploy ${market.name} answered: ${String(answer!.params.text)}`).toBeDefined();
      return { ...market, id: id! };
    }));

    const diagnosis = () => serves.map((serve, i) => `--- serve ${i + 1} ---\n${serve.output().slice(-1500)}`).join('\n');
    const records = await Promise.all(accepted.map(async (deploy) => waitUntil(async () => {
      const record = await readRecord(deploy.id);
      return record && isTerminal(record.state) && record.finishedAt ? record : undefined;
    }, { what: `${deploy.id} (${deploy.name}) to end`, timeoutMs: 120_000, intervalMs: 250 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${diagnosis()}`);
    })));
    for (const [i, record] of records.entries()) expect(record.state, `${accepted[i]!.id} (${accepted[i]!.name})`).toBe('success');

    // every deploy's final state reaches chat (a final is retried until it lands) …
    for (const deploy of accepted) {
      const isFinal = (call: SlackApiCall) => call.method === 'chat.update' && call.status === 200 && call.params.channel === deploy.channel && FINAL_SUCCESS.test(blockText(call.params)) && blockText(call.params).includes(deploy.id);
      await slack.log.waitFor(isFinal, 1, `the final state of ${deploy.id} in ${deploy.channel}`, 60_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${diagnosis()}`);
      });
    }
    const seconds = (Date.now() - started) / 1000;
    // … and nothing comes after it: the processes go quiet for a window (no call still waiting for the budget)
    const chatCalls = () => slack.calls.filter((call) => call.method === 'chat.update' || call.method === 'chat.postMessage');
    await waitUntil(async () => Date.now() - (chatCalls().at(-1)?.at ?? 0) > WINDOW_MS || undefined, { what: 'chat to go quiet for a window', timeoutMs: 60_000, intervalMs: 250 });
    sampling = false;
    await sampler;

    // one progress message per deploy, across the 3 processes; its last accepted call is the final state
    const posts = slack.okCallsTo('chat.postMessage');
    expect(posts).toHaveLength(DEPLOYS);
    for (const deploy of accepted) {
      const mine = progressMessagesOf(deploy.channel, deploy.id);
      expect(mine, `${deploy.id}: progress messages`).toHaveLength(1);
      const { ts } = mine[0]!;
      const edits = slack.okCallsTo('chat.update').filter((call) => call.params.channel === deploy.channel && call.params.ts === ts);
      const last = edits.at(-1);
      expect(last, `${deploy.id}: edited`).toBeDefined();
      expect(blockText(last!.params), `${deploy.id}: its last accepted call`).toMatch(FINAL_SUCCESS);
      expect(mine[0]!.text, deploy.id).toBe(last!.params.text);
    }

    // the accepted calls never exceed Slack's limits in any window (a sliding scan over the fake's log)
    const updates = slack.okCallsTo('chat.update');
    const busiestWindow = mostInAnyWindow(updates, WINDOW_MS);
    expect(busiestWindow).toBeLessThanOrEqual(40);
    // … and the workspace's window was what held them back (at least the progress share, 40 − finalReserve 8), else this proves nothing
    expect(busiestWindow).toBeGreaterThanOrEqual(32);
    for (const [message, edits] of groupBy(updates, (call) => `${String(call.params.channel)}/${String(call.params.ts)}`)) expect(mostInAnyWindow(edits, PER_SECOND_MS), message).toBe(1);
    for (const [channel, sent] of groupBy(posts, (call) => String(call.params.channel))) expect(mostInAnyWindow(sent, PER_SECOND_MS), channel).toBe(1);

    const refused = slack.refusedCalls();
    const byMethod = [...groupBy(refused, (call) => call.method)].map(([method, calls]) => `${method} ${calls.length}`).join(', ') || 'none';
    console.log(`[serve-chat-budget] 3 serve processes, ${DEPLOYS} deploys in ${seconds.toFixed(1)} s: ${updates.length} chat.update and ${posts.length} chat.postMessage accepted (at most ${busiestWindow} chat.update in a window), ${refused.length} answered 429 (${byMethod})`);

    // the budget keeps the platform from refusing. It counts a grant as made 2 s later while its
    // call is in flight and a fiftieth of a window longer than Slack, so a 429 needs a process
    // stalled between grant and send for longer than that (a loaded machine); each one is
    // retried. 0 in every run here; 3 leaves room for such a stall. Without the shared budget
    // (each serve its own in memory) the same run met 119.
    expect(refused.length).toBeLessThanOrEqual(3);
    // the budget's keys name the workspace by its team id, never by the token, and all expire
    expect(seen.size).toBeGreaterThan(0);
    for (const [key, ttl] of seen) {
      expect(key).not.toContain(token);
      expect(ttl, `${key} has no expiry`).not.toBe(-1);
    }
    expect([...seen.keys()].some((key) => key.includes('slack:team-T0FAKE:chat.update'))).toBe(true);
  }, 240_000);
});
