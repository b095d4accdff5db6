// One chat budget for the workspace (docs/reference/chat-limits.md): 20 concurrent deploys
// driven by 3 separate OS processes, each the real Slack adapter spending in one Redis
// budget, against a fake Slack that answers 429 above Slack's limits (40 chat.update per
// window per workspace, 1 per window/60 per message, 1 chat.postMessage per window/60 per
// channel). The window is shrunk to 6 s; the shape is kept.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { finalText, groupBy, mostInAnyWindow, runChatChild } from '../fixtures/chat-budget-processes.ts';

const WINDOW_MS = 6000;
const PER_SECOND_MS = WINDOW_MS / 60;
const token = `xoxb-${randomBytes(12).toString('hex')}`;

let redis: TestRedis;
let slack: FakeSlackApi;

beforeAll(async () => {
  redis = await testRedis();
  slack = await FakeSlackApi.start({ token });
  slack.enforceLimits({ windowMs: WINDOW_MS, updatesPerWindow: 40 });
}, 60_000);

afterAll(async () => {
  await slack?.close();
  await redis?.stop();
});

async function readBudgetKeys(): Promise<Array<[string, number]>> {
  const client = new Redis(redis.url);
  try {
    const keys = await client.keys(`${redis.prefix}shared:chat-budget*`);
    return Promise.all(keys.map(async (key) => [key, await client.pttl(key)] as [string, number]));
  } finally {
    client.disconnect();
  }
}

describe('one chat budget shared by three processes', () => {
  it('20 concurrent deploys across 3 processes: every final state lands, no approval is lost, the accepted calls keep Slack\'s limits', async () => {
    const deploys = Array.from({ length: 20 }, (_, i) => ({ id: `d-20261201-${String(i + 1).padStart(4, '0')}`, channel: `C0DEPLOY${i % 4}` }));
    const shares = [deploys.slice(0, 7), deploys.slice(7, 14), deploys.slice(14)];
    const common = { redisUrl: redis.url, prefix: `${redis.prefix}shared`, apiUrl: slack.apiUrl, token, windowMs: WINDOW_MS, steps: 20, stepMs: 100 };
    const started = Date.now();
    const reports = await Promise.all(shares.map((share) => runChatChild({ ...common, deploys: share })));
    const seconds = (Date.now() - started) / 1000;

    // every deploy's progress message ends with its final state, and its last accepted edit is that state
    const ended = reports.flatMap((report) => report.deploys);
    expect(ended.map((deploy) => deploy.id).sort()).toEqual(deploys.map((deploy) => deploy.id).sort());
    for (const deploy of ended) {
      expect(slack.messages.get(`${deploy.progress.channel}/${deploy.progress.id}`)?.text, deploy.id).toBe(finalText(deploy.id));
      const edits = slack.okCallsTo('chat.update').filter((call) => call.params.ts === deploy.progress.id);
      expect(edits.at(-1)?.params.text, deploy.id).toBe(finalText(deploy.id));
      // the approval card was posted, in the deploy's channel
      expect(slack.messages.get(`${deploy.approval.channel}/${deploy.approval.id}`)?.text, deploy.id).toBe(`deploy ${deploy.id} needs an approval`);
    }

    // the accepted calls never exceed Slack's limits in any window
    const updates = slack.okCallsTo('chat.update');
    const posts = slack.okCallsTo('chat.postMessage');
    expect(posts).toHaveLength(40);
    expect(mostInAnyWindow(updates, WINDOW_MS)).toBeLessThanOrEqual(40);
    for (const [ts, edits] of groupBy(updates, (call) => String(call.params.ts))) expect(mostInAnyWindow(edits, PER_SECOND_MS), ts).toBe(1);
    for (const [channel, sent] of groupBy(posts, (call) => String(call.params.channel))) expect(mostInAnyWindow(sent, PER_SECOND_MS), channel).toBe(1);

    // the budget keeps the platform from refusing: 429s near zero (each one is retried and counted)
    const refused = slack.refusedCalls();
    const childrenCounted = reports.reduce((sum, report) => sum + report.rateLimited, 0);
    console.log(`[chat-budget] 3 processes, 20 deploys in ${seconds.toFixed(1)} s: ${updates.length} chat.update and ${posts.length} chat.postMessage accepted, ${refused.length} answered 429 (${childrenCounted} seen by the processes)`);
    expect(childrenCounted).toBe(refused.length);

    // the budget's keys name the workspace by its team id (auth.test), never by the token, and all expire
    const budgetKeys = await readBudgetKeys();
    expect(budgetKeys.length).toBeGreaterThan(0);
    for (const [key, ttl] of budgetKeys) {
      expect(key).not.toContain(token);
      expect(ttl, `${key} has no expiry`).not.toBe(-1); // -2: expired since it was listed
    }
    expect(budgetKeys.some(([key]) => key.includes('slack:team-T0FAKE:chat.update'))).toBe(true);
    expect(refused.length).toBeLessThanOrEqual(3);
  }, 120_000);
});
