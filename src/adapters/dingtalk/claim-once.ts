// "Has anyone handled this already?" across every bot process sharing Redis: SET NX with a
// TTL. DingTalk redelivers pushes (and spreads them over all open connections), so a
// redelivered robot message finds its key taken and runs nothing.
import type { Redis } from 'ioredis';

/** True for the first caller with `key` within `ttlSeconds`; false for every later one. */
export async function claimOnce(redis: Redis, key: string, ttlSeconds: number): Promise<boolean> {
  const result = await redis.set(key, String(Date.now()), 'EX', ttlSeconds, 'NX');
  return result === 'OK';
}
