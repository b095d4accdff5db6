// The command budget on Redis: a sliding one-minute log per user (a sorted set of the
// commands' times by Redis' clock), checked and counted in one script, so every process
// shares one count. It uses the accept connection (no offline queue): when Redis does not
// answer within the accept timeout the command is refused as "state store unreachable".
import type { CommandRateLimiter, RateDecision } from '../core/command-rate-limiter.ts';
import { randomBytes } from 'node:crypto';
import { stateStoreUnreachable } from './accept-deadline.ts';
import type { JobRuntime } from './job-runtime.ts';

const WINDOW_MS = 60_000;

/** KEYS: the user's log. ARGV: limit, window ms, a unique suffix. Returns -1 (counted) or ms until a slot frees. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return -1`;

export class RedisCommandRateLimiter implements CommandRateLimiter {
  constructor(private readonly rt: JobRuntime, private readonly perMinute: number) {}

  async take(userId: string): Promise<RateDecision> {
    const redis = this.rt.acceptRedis;
    if (redis.status !== 'ready') await this.#ready();
    let result: unknown;
    try {
      result = await redis.eval(TAKE, 1, this.rt.keys.commandRate(userId), String(this.perMinute), String(WINDOW_MS), randomBytes(6).toString('hex'));
    } catch {
      throw stateStoreUnreachable(this.rt.acceptTimeoutMs);
    }
    const retryAfterMs = Number(result);
    return retryAfterMs < 0 ? { allowed: true } : { allowed: false, limit: this.perMinute, retryAfterMs };
  }

  async #ready(): Promise<void> {
    const redis = this.rt.acceptRedis;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(stateStoreUnreachable(this.rt.acceptTimeoutMs));
      }, this.rt.acceptTimeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });
  }
}
