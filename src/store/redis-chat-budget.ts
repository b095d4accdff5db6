// The chat budget shared by every process through Redis (docs/reference/chat-limits.md): per
// window a sliding-window log of grants (a sorted set scored by Redis' own TIME, so every
// process agrees on the clock), its pause (429 Retry-After, a DingTalk throttle) and the
// finals waiting for it, checked and spent for all of a call's windows in one script. A grant
// counts as made a little in the future while its call is in flight (`IN_FLIGHT_MS`) and is
// re-stamped when the platform answered, so a process that stalls between grant and send
// cannot bring two calls closer than a window. Every key expires (PEXPIRE) once nothing
// in it counts any more. The rule is src/domain/chat-window-rule.ts; its figures (how long a
// grant is held, the progress retry step, a waiting final's grace) come from there as ARGV.
import type { Redis } from 'ioredis';
import { type BudgetWindow, finalGrace, heldFor, IN_FLIGHT_MS, retryStep, type Urgency } from '../domain/chat-window-rule.ts';
import type { ChatBudget } from '../notify/chat-budget.ts';
import type { RedisKeys } from './redis-keys.ts';

/**
 * KEYS: per window its log, pause and finals keys. ARGV: urgency, request id, then per window
 * limit, held ms, reserve, progress step ms, final grace ms, in-flight ms. Returns 0 (granted,
 * spent in every window) or ms to wait.
 */
const TRY_ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local urgency = ARGV[1]
local id = ARGV[2]
local n = #KEYS / 3
local wait = 0
local function arg(i, k) return tonumber(ARGV[2 + 6 * (i - 1) + k]) end
for i = 1, n do
  local log, pause, finals = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local limit, held, reserve, step = arg(i, 1), arg(i, 2), arg(i, 3), arg(i, 4)
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - held)
  redis.call('ZREMRANGEBYSCORE', finals, '-inf', now)
  local paused = tonumber(redis.call('GET', pause) or '0')
  if paused > now then wait = math.max(wait, paused - now) end
  local room = limit
  local count = redis.call('ZCARD', log)
  if urgency == 'progress' then
    if redis.call('ZCARD', finals) > 0 then
      wait = math.max(wait, step)
    else
      room = math.max(1, limit - reserve)
    end
  end
  if count >= room then
    local entry = redis.call('ZRANGE', log, count - room, count - room, 'WITHSCORES')
    local at = tonumber(entry[2])
    local until_room = at + held - now
    -- a call still in flight: ask again after at most one window (it will have landed by then)
    if at > now then until_room = math.min(until_room, held) end
    wait = math.max(wait, 1, until_room)
  end
end
for i = 1, n do
  local log, finals = KEYS[3 * i - 2], KEYS[3 * i]
  local held, grace, inflight = arg(i, 2), arg(i, 5), arg(i, 6)
  if wait > 0 then
    if urgency == 'final' then
      redis.call('ZADD', finals, now + wait + grace, id)
      redis.call('PEXPIRE', finals, wait + grace)
    end
  else
    redis.call('ZADD', log, now + inflight, id)
    redis.call('PEXPIRE', log, held + inflight)
    redis.call('ZREM', finals, id)
  end
end
return wait`;

/** KEYS: the windows' logs. ARGV: request id, then each log's held ms. Re-stamps the grant (in flight until now) to now. */
const LANDED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  if redis.call('ZSCORE', KEYS[i], ARGV[1]) then
    redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1])
    -- the log lives as long as its latest grant counts
    local latest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    redis.call('PEXPIRE', KEYS[i], math.max(1, tonumber(latest[2]) + tonumber(ARGV[1 + i]) - now))
  end
end
return 1`;

/** KEYS: the pause key. ARGV: ms. Extends the pause to now + ms (never shortens it). */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', math.max(1, ms)) end
return 1`;

export class RedisChatBudget implements ChatBudget {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async tryAcquire(windows: readonly BudgetWindow[], urgency: Urgency, requestId: string): Promise<number> {
    if (windows.length === 0) return 0;
    const keys: string[] = [];
    const args: string[] = [urgency, requestId];
    for (const window of windows) {
      keys.push(this.keys.chatBudget(window.key), this.keys.chatBudgetPause(window.key), this.keys.chatBudgetFinals(window.key));
      args.push(...[window.limit, heldFor(window), window.reserve ?? 0, retryStep(window), finalGrace(window), IN_FLIGHT_MS].map(String));
    }
    return Number(await this.redis.eval(TRY_ACQUIRE, keys.length, ...keys, ...args));
  }

  async landed(windows: readonly BudgetWindow[], requestId: string): Promise<void> {
    if (windows.length === 0) return;
    await this.redis.eval(LANDED, windows.length, ...windows.map((window) => this.keys.chatBudget(window.key)), requestId, ...windows.map((window) => String(heldFor(window))));
  }

  async pause(key: string, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.redis.eval(PAUSE, 1, this.keys.chatBudgetPause(key), String(Math.ceil(ms)));
  }
}
