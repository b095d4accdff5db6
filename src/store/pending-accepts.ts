// The Redis side of accepting a command under a deadline (docs/operations.md, "When Redis
// does not answer"). A command's record is first written *pending*: with a deadline in Redis
// time and an expiry. The accept then commits it — atomically: the deadline still ahead,
// the record made permanent, and its `job.accepted` notice announced — or it never happens.
// A job phase settles the record before doing anything: committed → run; still pending →
// wait; past the deadline and never committed → the record is dropped and the job does
// nothing. Each step compares against Redis' own clock (`TIME`), so a write that reaches
// Redis late — queued while it was away, or stuck in a hung connection — finds the deadline
// passed and changes nothing.
import type { Redis } from 'ioredis';
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import { APPEND_NOTICES_LUA, EVENTS_KEEP_SECONDS } from './deploy-event-bus.ts';
import type { RedisKeys } from './redis-keys.ts';

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: deploy, history, accepting. ARGV: record json, deadline ms, history score, id, ttl ms. */
export const CREATE_PENDING = `${NOW_MS}
if now >= tonumber(ARGV[2]) then return -2 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1`;

/** KEYS: accepting, deploy, deploy events, events stream. ARGV: id, notice json, events keep seconds. */
const COMMIT = `${APPEND_NOTICES_LUA}
local deadline = redis.call('GET', KEYS[1])
if not deadline then return 0 end
${NOW_MS}
if now >= tonumber(deadline) then return -1 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PERSIST', KEYS[2])
append_notices(KEYS[3], KEYS[4], ARGV[1], ARGV[3], { ARGV[2] })
return 1`;

/** KEYS: accepting, deploy, history. ARGV: id. */
const SETTLE = `
local deadline = redis.call('GET', KEYS[1])
if not deadline then return 1 end
${NOW_MS}
if now < tonumber(deadline) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
return -1`;

/** How long a pending record lives if nobody commits or settles it. */
export const PENDING_TTL_MS = 10 * 60 * 1000;

export type AcceptSettlement = 'accepted' | 'pending' | 'dropped';

export class PendingAccepts {
  constructor(private readonly keys: RedisKeys) {}

  /** The current time by Redis' clock, in ms. */
  async redisNow(redis: Redis): Promise<number> {
    const [seconds, micros] = await redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /**
   * Makes the pending record permanent and publishes its first notice, if the deadline is
   * still ahead by Redis' clock. False: too late (or it was dropped) — nothing changed.
   */
  async commit(redis: Redis, id: string, notice: DeployNotice): Promise<boolean> {
    const result = await redis.eval(COMMIT, 4, this.keys.accepting(id), this.keys.deploy(id), this.keys.deployEvents(id), this.keys.events(), id, JSON.stringify(notice), String(EVENTS_KEEP_SECONDS));
    return result === 1;
  }

  /** What a job phase may do with the record (see the file comment). */
  async settle(redis: Redis, id: string, history: () => Promise<string | undefined>): Promise<AcceptSettlement> {
    if ((await redis.exists(this.keys.accepting(id))) === 0) return 'accepted';
    const historyKey = (await history()) ?? this.keys.history('unknown', 'unknown');
    const result = await redis.eval(SETTLE, 3, this.keys.accepting(id), this.keys.deploy(id), historyKey, id);
    return result === 1 ? 'accepted' : result === 0 ? 'pending' : 'dropped';
  }
}
