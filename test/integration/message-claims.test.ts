// Post-once claims on a real Redis: concurrent notifiers post a message once and share its
// ref; a failed post frees the claim; a claim whose poster vanished is taken over.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRef } from '../../src/core/chat-types.ts';
import { MessageClaims } from '../../src/notify/message-claims.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { deferred } from '../fakes/deferred.ts';
import { testRedis, type TestRedis } from '../fakes/test-redis.ts';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

describe('MessageClaims', () => {
  it('when two notifiers post the same message at once, one posts and both get its ref', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    const first = new MessageClaims(redis, keys, { pollMs: 5 });
    const second = new MessageClaims(redis, keys, { pollMs: 5 });
    const posting = deferred<MessageRef>();
    const posted: string[] = [];
    const a = first.once('d-1', 'progress', () => {
      posted.push('a');
      return posting.promise;
    });
    const b = second.once('d-1', 'progress', async () => {
      posted.push('b');
      return { channel: 'C1', id: 'from-b' };
    });
    // whichever claimed first is posting; release a's post in case it is the one
    setImmediate(() => posting.resolve({ channel: 'C1', id: 'from-a' }));
    const [ra, rb] = await Promise.all([a, b]);
    expect(posted).toHaveLength(1);
    expect(ra.ref).toEqual(rb.ref);
    expect([ra.posted, rb.posted].sort()).toEqual([false, true]);
    expect(await first.ref('d-1', 'progress')).toEqual(ra.ref);
  });

  it('when the post fails, the claim is freed and the next attempt posts', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    const claims = new MessageClaims(redis, keys);
    await expect(claims.once('d-1', 'approval', async () => {
      throw new Error('channel_not_found');
    })).rejects.toThrow('channel_not_found');
    const again = await claims.once('d-1', 'approval', async () => ({ channel: 'C1', id: '1' }));
    expect(again).toEqual({ ref: { channel: 'C1', id: '1' }, posted: true });
  });

  it('takes over a claim whose poster vanished before posting', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    let now = Date.parse('2026-11-21T10:00:00Z');
    await redis.hset(keys.messages('d-1'), 'progress', JSON.stringify({ claimedBy: 'gone', at: now }));
    now += 31_000;
    const claims = new MessageClaims(redis, keys, { now: () => new Date(now) });
    const result = await claims.once('d-1', 'progress', async () => ({ channel: 'C1', id: '7' }));
    expect(result).toEqual({ ref: { channel: 'C1', id: '7' }, posted: true });
  });

  it('posts a notice once, and again only if the first post failed', async () => {
    const keys = new RedisKeys(`t${randomUUID()}`);
    const claims = new MessageClaims(redis, keys);
    await expect(claims.noticeOnce('d-1', 4, async () => {
      throw new Error('ratelimited');
    })).rejects.toThrow('ratelimited');
    expect(await claims.noticeOnce('d-1', 4, async () => undefined)).toBe(true);
    expect(await claims.noticeOnce('d-1', 4, async () => undefined)).toBe(false);
    expect(await claims.noticeOnce('d-1', 5, async () => undefined)).toBe(true);
  });
});
