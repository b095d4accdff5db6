// The chat budget in a real Redis (docs/reference/chat-limits.md), asked over separate
// connections as separate processes would: one count for all, finals before progress, a
// pause shared, and every key expiring.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetWindow, Urgency } from '../../src/notify/chat-budget.ts';
import { ConversationRateLimiter } from '../../src/adapters/dingtalk/conversation-rate-limiter.ts';
import { DEFAULT_CHAT_LIMITS, dingtalkWindows } from '../../src/notify/chat-limits.ts';
import { RedisChatBudget } from '../../src/store/redis-chat-budget.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';

let server: TestRedis;
let connections: Redis[];
let budgets: RedisChatBudget[];
let keys: RedisKeys;

beforeAll(async () => {
  server = await testRedis();
  keys = new RedisKeys(`${server.prefix}budget`);
  connections = [0, 1, 2].map(() => new Redis(server.url));
  budgets = connections.map((redis) => new RedisChatBudget(redis, keys));
}, 60_000);

afterAll(async () => {
  for (const redis of connections ?? []) redis.disconnect();
  await server?.stop();
});

const fresh = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

describe('RedisChatBudget', () => {
  it('callers on three connections asking at once never get more than `limit` grants, nor progress more than `limit − reserve`', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 0, max: 5 }),
      fc.array(fc.tuple(fc.constantFrom<Urgency>('final', 'progress'), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 40 }),
      async (limit, reserveWanted, asks) => {
        const window: BudgetWindow = { key: fresh('w'), limit, windowMs: 30_000, reserve: Math.min(reserveWanted, limit - 1) };
        const answers = await Promise.all(asks.map(([urgency, connection], i) => budgets[connection]!.tryAcquire([window], urgency, `r${i}`)));
        const granted = asks.filter((_, i) => answers[i] === 0);
        expect(granted.length).toBeLessThanOrEqual(limit);
        expect(granted.filter(([urgency]) => urgency === 'progress').length).toBeLessThanOrEqual(Math.max(1, limit - (window.reserve ?? 0)));
        // every refused call was told to wait, and the log holds exactly the grants
        for (const answer of answers) expect(answer).toBeGreaterThanOrEqual(0);
        expect(await connections[0]!.zcard(keys.chatBudget(window.key))).toBe(granted.length);
        // as many as the window has room for were granted: finals up to `limit`
        const finals = asks.filter(([urgency]) => urgency === 'final').length;
        expect(granted.length).toBeGreaterThanOrEqual(Math.min(limit, finals));
      },
    ), { numRuns: 25 });
  });

  it('a final refused on one connection is granted before progress asking on another once the window frees', async () => {
    const window: BudgetWindow = { key: fresh('finals-first'), limit: 2, windowMs: 600 };
    const [a, b] = budgets as [RedisChatBudget, RedisChatBudget];
    expect(await a.tryAcquire([window], 'final', 'f1')).toBe(0);
    expect(await a.tryAcquire([window], 'final', 'f2')).toBe(0);
    const finalWait = await a.tryAcquire([window], 'final', 'f3');
    expect(finalWait).toBeGreaterThan(0);
    await a.landed([window], 'f1');
    await a.landed([window], 'f2');
    await waitUntil(async () => (await connections[0]!.zcard(keys.chatBudget(window.key))) === 0 || (await connections[0]!.pttl(keys.chatBudget(window.key))) < 0, { what: 'the window to free', timeoutMs: 5000 });
    // the window has room, but a final waits for it: progress is told to wait a step
    const progressWait = await b.tryAcquire([window], 'progress', 'p1');
    expect(progressWait).toBeGreaterThan(0);
    expect(await a.tryAcquire([window], 'final', 'f3')).toBe(0);
    expect(await b.tryAcquire([window], 'progress', 'p1')).toBe(0);
  });

  it('a pause set on one connection holds every caller on the others, by Redis time', async () => {
    const window: BudgetWindow = { key: fresh('paused'), limit: 100, windowMs: 60_000 };
    await budgets[0]!.pause(window.key, 400);
    const waits = await Promise.all([budgets[1]!.tryAcquire([window], 'final', 'x1'), budgets[2]!.tryAcquire([window], 'final', 'x2')]);
    for (const wait of waits) {
      expect(wait).toBeGreaterThan(200);
      expect(wait).toBeLessThanOrEqual(400);
    }
    // progress waits at least as long (and behind the finals now waiting)
    expect(await budgets[0]!.tryAcquire([window], 'progress', 'x0')).toBeGreaterThan(200);
    // a shorter pause does not shorten it
    await budgets[1]!.pause(window.key, 1);
    expect(await budgets[2]!.tryAcquire([window], 'final', 'x3')).toBeGreaterThan(100);
    await waitUntil(async () => (await budgets[2]!.tryAcquire([window], 'final', 'x4')) === 0, { what: 'the pause to end', timeoutMs: 5000 });
  });

  it('every key it writes expires', async () => {
    const window: BudgetWindow = { key: fresh('expiring'), limit: 1, windowMs: 5000 };
    expect(await budgets[0]!.tryAcquire([window], 'final', 'e1')).toBe(0);
    expect(await budgets[1]!.tryAcquire([window], 'final', 'e2')).toBeGreaterThan(0); // leaves a waiting final
    await budgets[2]!.pause(window.key, 3000);
    for (const key of [keys.chatBudget(window.key), keys.chatBudgetFinals(window.key), keys.chatBudgetPause(window.key)]) {
      const ttl = await connections[0]!.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(11_000);
    }
    const written = await connections[0]!.keys(`${keys.prefix}:chat-budget*`);
    expect(written.length).toBeGreaterThan(0);
    for (const key of written) expect(await connections[0]!.pttl(key), `${key} has no expiry`).not.toBe(-1);
  });

  it('a call still in flight holds its window past the window\'s end; once it has landed, the window counts from its answer', async () => {
    const window: BudgetWindow = { key: fresh('landed'), limit: 1, windowMs: 400 };
    const redisNow = async () => {
      const [seconds, micros] = await connections[0]!.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    const grantedAt = await redisNow();
    expect(await budgets[0]!.tryAcquire([window], 'final', 'slow')).toBe(0);
    // the call stalls longer than the window (and its 100 ms guard) lasts
    await waitUntil(async () => (await redisNow()) >= grantedAt + 700, { what: 'the call to take 700 ms', timeoutMs: 5000 });
    const inFlight = await budgets[1]!.tryAcquire([window], 'progress', 'next');
    expect(inFlight).toBeGreaterThan(0);
    expect(inFlight).toBeLessThanOrEqual(500); // asked to come back within a window
    await budgets[0]!.landed([window], 'slow');
    // landed: held 500 ms from the answer
    const afterLanding = await budgets[1]!.tryAcquire([window], 'progress', 'next');
    expect(afterLanding).toBeGreaterThan(400);
    expect(afterLanding).toBeLessThanOrEqual(500);
  });

  it('DingTalk limiters in two processes share a conversation\'s messages per window, and a throttle pause', async () => {
    const robot = fresh('robot');
    const limits = { ...DEFAULT_CHAT_LIMITS, windowMs: 30_000, dingtalkMessages: 3 };
    const [a, b] = [0, 1].map((i) => new ConversationRateLimiter({ robot, budget: budgets[i]!, limits })) as [ConversationRateLimiter, ConversationRateLimiter];
    await a.acquire('cid-1');
    await b.acquire('cid-1');
    await a.acquire('cid-1');
    // the conversation's 3 are spent, by both processes together; another conversation is not
    expect(await budgets[2]!.tryAcquire(dingtalkWindows(robot, limits, 'cid-1'), 'final', 'probe-1')).toBeGreaterThan(25_000);
    expect(await budgets[2]!.tryAcquire(dingtalkWindows(robot, limits, 'cid-2'), 'final', 'probe-2')).toBe(0);
    // DingTalk throttled cid-3 as seen by one process: the other sends nothing there either
    await a.pause('cid-3', 10 * 60_000);
    expect(await budgets[1]!.tryAcquire(dingtalkWindows(robot, limits, 'cid-3'), 'final', 'probe-3')).toBeGreaterThan(9 * 60_000);
  });
});
