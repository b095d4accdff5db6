// The bot's own local Redis (demo, console) requires a random password, so code that shares
// the machine's network — repository code in the build sandbox with `build.network` — cannot
// read or write the bot's state through it.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askTcp } from '../../src/services/ask-tcp.ts';
import { type LocalRedis, startLocalRedis } from '../../src/services/local-redis.ts';

let redis: LocalRedis;
const password = `pw-${Date.now().toString(36)}`;

beforeAll(async () => {
  redis = await startLocalRedis({ password });
});

afterAll(async () => {
  await redis?.stop();
});

describe('local Redis with a password', () => {
  it('when a client connects without the password, then every command is refused; the URL the bot gets works', async () => {
    const answer = await askTcp({ port: redis.port, send: 'SET stolen 1\r\nKEYS *\r\n', until: (text) => text.split('\r\n').length >= 3, timeoutMs: 2000 });
    expect(answer).toMatch(/^-NOAUTH/);
    expect(answer).not.toMatch(/\+OK/);
    expect(redis.url).toBe(`redis://:${password}@127.0.0.1:${redis.port}`);
    const client = new Redis(redis.url);
    try {
      expect(await client.get('stolen')).toBeNull();
      expect(await client.set('k', 'v')).toBe('OK');
    } finally {
      client.disconnect();
    }
  });
});
